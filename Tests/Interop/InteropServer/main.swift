print("interop-server: not yet written")
