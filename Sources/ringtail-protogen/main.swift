print("ringtail-protogen: not yet written")
