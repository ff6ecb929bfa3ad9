// swift-tools-version:6.0
// The Swift side of the gRPC benchmark (benchmarks/grpc/run.sh): the echo
// server with the full runtime in the path, the bare echo on the C core (the
// floor), and a Swift client driving the first.
// A package of its own, depending on the suite by path, so that CI never builds it.
import PackageDescription

let settings: [SwiftSetting] = [.swiftLanguageMode(.v6)]

let package = Package(
    name: "GRPCBenchmark",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "Immigration", path: "../.."),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
    ],
    targets: [
        .executableTarget(name: "EchoServer",
                          dependencies: [.product(name: "Contracts", package: "Immigration"),
                                         .product(name: "GRPCRuntime", package: "Immigration"),
                                         .product(name: "Logging", package: "swift-log"),
                                         .product(name: "Metrics", package: "swift-metrics")],
                          path: "Sources/EchoServer", swiftSettings: settings),
        .systemLibrary(name: "CGRPCBare", path: "Sources/CGRPCBare"),
        .executableTarget(name: "BareEchoServer", dependencies: ["CGRPCBare"],
                          path: "Sources/BareEchoServer", swiftSettings: settings),
        .executableTarget(name: "EchoClient",
                          dependencies: [.product(name: "Contracts", package: "Immigration"),
                                         .product(name: "GRPCRuntime", package: "Immigration")],
                          path: "Sources/EchoClient", swiftSettings: settings),
    ]
)
