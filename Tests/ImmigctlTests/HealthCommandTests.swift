import XCTest

final class HealthCommandTests: XCTestCase {
    func testHealthPrintsATableOfEveryServiceAndFailsWhenOneIsNotServing() async throws {
        let records = try RunningServer.start(health: .serving)
        let portal = try RunningServer.start(health: .notServing)
        let run = try RunFolderFixture(endpoints: [("records", records.address), ("portal", portal.address),
                                                   ("agency", "127.0.0.1:1")])
        defer { run.remove() }
        let all = try await ImmigctlProcess.run(["health", "--plaintext", "--timeout", "5s"], directory: run.nestedDirectory)
        XCTAssertEqual(all.status, 2, all.stderr)
        XCTAssertEqual(all.lines.count, 4, all.stdout)
        XCTAssertEqual(all.lines[0].split(separator: " ", omittingEmptySubsequences: true), ["NAME", "ADDRESS", "STATUS"])
        XCTAssertEqual(all.lines[1].split(separator: " ", omittingEmptySubsequences: true),
                       ["records", Substring(records.address), "SERVING"])
        XCTAssertEqual(all.lines[2].split(separator: " ", omittingEmptySubsequences: true),
                       ["portal", Substring(portal.address), "NOT_SERVING"])
        XCTAssertTrue(all.lines[3].hasPrefix("agency   127.0.0.1:1"), all.lines[3])
        XCTAssertTrue(all.lines[3].contains("UNAVAILABLE"), all.lines[3])

        let one = try await ImmigctlProcess.run(["health", "records", "--plaintext"], directory: run.nestedDirectory)
        XCTAssertEqual(one.status, 0, one.stderr)
        XCTAssertEqual(one.lines.count, 2)

        let byAddress = try await ImmigctlProcess.run(["health", records.address, "--plaintext"])
        XCTAssertEqual(byAddress.status, 0, byAddress.stderr)

        await records.stop()
        await portal.stop()
    }

    func testRunFolderIsFoundThroughTheEnvironmentVariable() async throws {
        let records = try RunningServer.start(health: .serving)
        let run = try RunFolderFixture(endpoints: [("records", records.address)])
        defer { run.remove() }
        let result = try await ImmigctlProcess.run(["health", "--plaintext"],
                                                   environment: ["IMMIGRATION_RUN_DIR": run.runFolder.path])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.lines.last?.hasSuffix("SERVING") == true, result.stdout)
        await records.stop()
    }

    func testUnknownServiceNameListsTheKnownOnes() async throws {
        let run = try RunFolderFixture(endpoints: [("records", "127.0.0.1:1")])
        defer { run.remove() }
        let result = try await ImmigctlProcess.run(["call", "biometric", "grpc.health.v1.Health/Check", "--plaintext"],
                                                   directory: run.nestedDirectory)
        XCTAssertEqual(result.status, 1)
        XCTAssertEqual(result.stderr,
                       "immigctl: unknown service \"biometric\" in \(run.runFolder.path)/endpoints.tsv (known: records)\n")
    }

    func testWithoutARunFolderHealthAsksForAddresses() async throws {
        let result = try await ImmigctlProcess.run(["health", "--plaintext"])
        XCTAssertEqual(result.status, 1)
        XCTAssertTrue(result.stderr.contains("no .run folder found"), result.stderr)
    }
}
