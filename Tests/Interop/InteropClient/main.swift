print("interop-client: not yet written")
