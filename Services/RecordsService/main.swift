print("RecordsService: not yet written")
