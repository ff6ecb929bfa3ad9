// contracts-generator: writes the Swift API of Protos/ from protoc's descriptor set.
// Run by scripts/generate.sh; see docs/contracts.md.
ContractsGeneratorMain.main()
