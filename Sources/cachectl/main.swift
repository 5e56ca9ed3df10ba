print("cachectl: not yet written")
