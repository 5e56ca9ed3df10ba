print("cache-node: not yet written")
