// swift-tools-version:6.0
// The RecordsService benchmark (benchmarks/records/run.sh): a Swift client that
// loads the synthetic population through BulkIntake and drives RecordCrossing,
// GetPerson and CheckCrossingEligibility at a fixed concurrency, through the
// generated Records client. A package of its own, depending on the suite by
// path, so that CI never builds it.
import PackageDescription

let package = Package(
    name: "RecordsBenchmark",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "Immigration", path: "../.."),
    ],
    targets: [
        .executableTarget(name: "RecordsBenchmark",
                          dependencies: [.product(name: "Contracts", package: "Immigration"),
                                         .product(name: "GRPCRuntime", package: "Immigration"),
                                         .product(name: "SyntheticIntake", package: "Immigration"),
                                         .product(name: "SyntheticPopulation", package: "Immigration")],
                          path: "Sources/RecordsBenchmark",
                          swiftSettings: [.swiftLanguageMode(.v6)]),
    ]
)
