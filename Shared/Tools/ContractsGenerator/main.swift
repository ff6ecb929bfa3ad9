print("contracts-generator: not yet written")
