// swift-tools-version:6.0
// The PostgreSQL layer's insert benchmark, kept out of the main package so that CI
// never builds or runs it. Depends on the suite's package by path; run it with
// benchmarks/postgres/run.sh (release build, pgbench alongside).
import PackageDescription

let package = Package(
    name: "PostgresBenchmark",
    platforms: [.macOS(.v15)],
    dependencies: [
        // .package-root/immigration is a symlink to the repository root made by run.sh:
        // a path dependency takes its identity from the folder name.
        .package(path: ".package-root/immigration"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
    ],
    targets: [
        .executableTarget(
            name: "PostgresBenchmark",
            dependencies: [.product(name: "Postgres", package: "immigration"),
                           .product(name: "TaskHandOff", package: "immigration"),
                           .product(name: "Logging", package: "swift-log")],
            swiftSettings: [.swiftLanguageMode(.v6)]),
        // stress-outage.sh: the failing-statement workload of PoolPipeliningTests in a
        // loop while the server stops and starts (a hang seen once).
        .executableTarget(
            name: "OutageStress",
            dependencies: [.product(name: "Postgres", package: "immigration"),
                           .product(name: "Logging", package: "swift-log")],
            swiftSettings: [.swiftLanguageMode(.v6)]),
    ]
)
