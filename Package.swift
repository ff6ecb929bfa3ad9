// swift-tools-version:6.0
// The immigration services suite: five gRPC services on the gRPC C core,
// contracts compiled with protobuf-c, storage in PostgreSQL through libpq.
// Layering (arrows point one way): C modules, TaskHandOff -> GRPCRuntime, ProtobufC,
// ProtoJSON, Postgres -> Contracts (generated) -> ServiceHost -> Services.
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "Immigration",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "RecordsService", targets: ["RecordsService"]),
        .executable(name: "immigctl", targets: ["immigctl"]),
        .executable(name: "contracts-generator", targets: ["ContractsGenerator"]),
        .executable(name: "interop-server", targets: ["InteropServer"]),
        .executable(name: "interop-client", targets: ["InteropClient"]),
        .library(name: "GRPCRuntime", targets: ["GRPCRuntime"]),
        .library(name: "Contracts", targets: ["Contracts"]),
        // Test-only messages (Tests/Protos), for benchmarks/contracts; no service links it.
        .library(name: "TestContracts", targets: ["TestContracts"]),
        .library(name: "Postgres", targets: ["Postgres"]),
        // For benchmarks/postgres, whose tasks run as the runtime's handlers do.
        .library(name: "TaskHandOff", targets: ["TaskHandOff"]),
        // For the RecordsService benchmark (benchmarks/records), which feeds it through BulkIntake.
        .library(name: "SyntheticPopulation", targets: ["SyntheticPopulation"]),
        // The same population as BulkIntake rows, for immigctl demo-data and the benchmark.
        .library(name: "SyntheticIntake", targets: ["SyntheticIntake"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    ],
    targets: [
        // C libraries from Debian, linked by name (no vendoring).
        .systemLibrary(name: "CGRPC", path: "Shared/CGRPC"),
        .systemLibrary(name: "CProtobufC", path: "Shared/CProtobufC"),
        .systemLibrary(name: "CLibPQ", path: "Shared/CLibPQ"),
        .systemLibrary(name: "COpenSSL", path: "Shared/COpenSSL"),

        // protoc-c output of Protos/ and the well-known types: plain C that gate
        // firmware compiles unchanged. Generated; never hand-edited.
        .target(name: "CContracts", dependencies: ["CProtobufC"], path: "Shared/CContracts",
                linkerSettings: [.linkedLibrary("protobuf-c")]),

        // The Swift layer over the protobuf-c runtime that generated code stands on.
        // protobuf-c's allocator for one encode or decode: a bump-pointer arena in C.
        .target(name: "CProtobufCArena", dependencies: ["CProtobufC"], path: "Shared/CProtobufCArena"),
        .target(name: "ProtobufC", dependencies: ["CProtobufC", "CProtobufCArena"], path: "Shared/ProtobufC",
                swiftSettings: swiftSettings),
        // The canonical proto3 JSON mapping, driven by protobuf-c descriptors.
        .target(name: "ProtoJSON", dependencies: ["CProtobufC"], path: "Shared/ProtoJSON",
                swiftSettings: swiftSettings),
        // Which thread carries on a task resumed by a thread of the suite's own
        // (a database connection's answer): shared by the runtime and Postgres.
        .target(name: "TaskHandOff", path: "Shared/TaskHandOff", swiftSettings: swiftSettings),
        // Abseil's process-wide settings (C++ under a C header): its mutexes'
        // deadlock detector, left on by Debian's build, off (docs/runtime.md).
        .target(name: "CAbseilSettings", path: "Shared/CAbseilSettings",
                linkerSettings: [.linkedLibrary("absl_synchronization")]),
        // The gRPC runtime over the C core: server, client, TLS, interceptors.
        .target(name: "GRPCRuntime",
                dependencies: ["CGRPC", "CAbseilSettings", "TaskHandOff",
                               .product(name: "Logging", package: "swift-log"),
                               .product(name: "Metrics", package: "swift-metrics")],
                path: "Shared/GRPCRuntime", swiftSettings: swiftSettings),
        // PostgreSQL through libpq: pool, queries, transactions, migrations.
        .target(name: "Postgres",
                dependencies: ["CLibPQ", "COpenSSL", "TaskHandOff", .product(name: "Logging", package: "swift-log")],
                path: "Shared/Postgres", swiftSettings: swiftSettings),
        // Generated Swift API of Protos/: value types, conversions, stubs, descriptors.
        .target(name: "Contracts",
                dependencies: ["CContracts", "ProtobufC", "ProtoJSON", "GRPCRuntime"],
                path: "Shared/Contracts", swiftSettings: swiftSettings),
        // What every service executable shares: configuration, TLS, health,
        // reflection, metrics endpoint, database errors as statuses, shutdown.
        .target(name: "ServiceHost",
                dependencies: ["Contracts", "GRPCRuntime", "Postgres", "CLibPQ",
                               .product(name: "Logging", package: "swift-log"),
                               .product(name: "Metrics", package: "swift-metrics")],
                path: "Shared/ServiceHost", swiftSettings: swiftSettings),

        // Tools.
        .target(name: "CDescriptor", dependencies: ["CProtobufC"],
                path: "Shared/Tools/CDescriptor", linkerSettings: [.linkedLibrary("protobuf-c")]),
        .executableTarget(name: "ContractsGenerator", dependencies: ["CDescriptor", "CProtobufC"],
                          path: "Shared/Tools/ContractsGenerator", swiftSettings: swiftSettings),
        .executableTarget(name: "immigctl",
                          dependencies: ["Contracts", "GRPCRuntime", "ProtoJSON", "CProtobufC", "CDescriptor", "SyntheticIntake",
                                         "SyntheticPopulation",
                                         .product(name: "ArgumentParser", package: "swift-argument-parser")],
                          path: "Shared/Tools/immigctl", swiftSettings: swiftSettings),

        // Seeded, deterministic synthetic persons, documents and crossings for
        // the demo data, the tests and the benchmark. Depends on nothing.
        .target(name: "SyntheticPopulation", path: "Shared/SyntheticPopulation",
                swiftSettings: swiftSettings),
        // The synthetic population as BulkIntake rows (persons, then their
        // documents, then their crossings): one conversion for immigctl
        // demo-data and the RecordsService benchmark.
        .target(name: "SyntheticIntake", dependencies: ["SyntheticPopulation", "Contracts"], path: "Shared/SyntheticIntake",
                swiftSettings: swiftSettings),

        // Services.
        .executableTarget(name: "RecordsService",
                          dependencies: ["ServiceHost", "Contracts", "GRPCRuntime", "Postgres", "COpenSSL", "CLibPQ",
                                         .product(name: "ArgumentParser", package: "swift-argument-parser"),
                                         .product(name: "Logging", package: "swift-log"),
                                         .product(name: "Metrics", package: "swift-metrics")],
                          path: "Services/RecordsService",
                          exclude: ["Store/SchemaCheck"],
                          resources: [.copy("Store/Migrations")],
                          swiftSettings: swiftSettings),

        // Interoperability fixtures driven by the Python tests.
        .executableTarget(name: "InteropServer", dependencies: ["ServiceHost", "Contracts", "GRPCRuntime"],
                          path: "Tests/Interop/InteropServer", swiftSettings: swiftSettings),
        .executableTarget(name: "InteropClient", dependencies: ["Contracts", "GRPCRuntime"],
                          path: "Tests/Interop/InteropClient", swiftSettings: swiftSettings),

        // Tests.
        // protoc-c output and generated Swift API of the test-only protos in
        // Tests/Protos (every field kind, the benchmark's person): kept out of
        // the shipped CContracts and Contracts. Generated; never hand-edited.
        .target(name: "CTestContracts", dependencies: ["CContracts", "CProtobufC"], path: "Tests/CTestContracts",
                linkerSettings: [.linkedLibrary("protobuf-c")]),
        .target(name: "TestContracts", dependencies: ["CTestContracts", "CContracts", "Contracts", "ProtobufC", "GRPCRuntime"],
                path: "Tests/TestContracts", swiftSettings: swiftSettings),
        .testTarget(name: "ContractsTests", dependencies: ["Contracts", "TestContracts", "CContracts", "ProtobufC", "CProtobufCArena"],
                    path: "Tests/ContractsTests", swiftSettings: swiftSettings),
        .testTarget(name: "ProtoJSONTests",
                    dependencies: ["ProtoJSON", "CContracts", "CProtobufC", "ProtoJSONTestMessages"],
                    path: "Tests/ProtoJSONTests", exclude: ["TestMessages", "Fixtures"],
                    swiftSettings: swiftSettings),
        // protoc-c output of Tests/ProtoJSONTests/Fixtures/protojson_test.proto: every
        // scalar type, map key type and well-known type, for the JSON codec's tests.
        .target(name: "ProtoJSONTestMessages", dependencies: ["CContracts", "CProtobufC"],
                path: "Tests/ProtoJSONTests/TestMessages", linkerSettings: [.linkedLibrary("protobuf-c")]),
        .testTarget(name: "GRPCRuntimeTests", dependencies: ["GRPCRuntime", "TaskHandOff"],
                    path: "Tests/GRPCRuntimeTests", exclude: ["Fixtures"], swiftSettings: swiftSettings),
        .testTarget(name: "PostgresTests", dependencies: ["Postgres", "TaskHandOff"],
                    path: "Tests/PostgresTests", swiftSettings: swiftSettings),
        .testTarget(name: "ServiceHostTests", dependencies: ["ServiceHost", "Contracts", "GRPCRuntime", "Postgres"],
                    path: "Tests/ServiceHostTests", swiftSettings: swiftSettings),
        // Runs the built immigctl binary against in-process servers (plaintext and mTLS).
        .testTarget(name: "ImmigctlTests", dependencies: ["immigctl", "Contracts", "GRPCRuntime"],
                    path: "Tests/ImmigctlTests", exclude: ["Fixtures"], swiftSettings: swiftSettings),
        .testTarget(name: "RecordsServiceTests", dependencies: ["RecordsService", "ServiceHost", "Contracts", "SyntheticPopulation",
                                                              "GRPCRuntime", "Postgres",
                                                              .product(name: "Logging", package: "swift-log")],
                    path: "Tests/RecordsServiceTests", swiftSettings: swiftSettings),
    ]
)
