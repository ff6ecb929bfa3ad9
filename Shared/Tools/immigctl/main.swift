print("immigctl: not yet written")
