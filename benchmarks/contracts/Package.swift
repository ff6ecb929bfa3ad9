// swift-tools-version:6.0
// The Swift side of the contracts codec benchmark (benchmarks/contracts/run.sh).
// A package of its own, depending on the suite by path, so that CI never builds it.
import PackageDescription

let package = Package(
    name: "ContractsBenchmark",
    platforms: [.macOS(.v15)],
    dependencies: [.package(name: "Immigration", path: "../..")],
    targets: [
        .executableTarget(name: "ContractsBenchmark",
                          dependencies: [.product(name: "Contracts", package: "Immigration"),
                                         .product(name: "TestContracts", package: "Immigration")],
                          path: "Sources/ContractsBenchmark",
                          swiftSettings: [.swiftLanguageMode(.v6)]),
    ]
)
