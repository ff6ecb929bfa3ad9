@testable import immigctl
import XCTest

final class InputParsingTests: XCTestCase {
    func testSplitterCutsObjectsAcrossChunksAndIgnoresBracketsInStrings() throws {
        var splitter = JSONStreamSplitter()
        var objects = try splitter.feed(Array(#"{"a":"}{[\"x"}  {"b"#.utf8))
        objects += try splitter.feed(Array(#"":[1,{"c":2}]}"#.utf8))
        try splitter.finish()
        XCTAssertEqual(objects.map { String(decoding: $0, as: UTF8.self) }, [#"{"a":"}{[\"x"}"#, #"{"b":[1,{"c":2}]}"#])
    }

    func testSplitterReadsAnArrayOfObjectsAndRejectsWhatIsNotOne() throws {
        var array = JSONStreamSplitter()
        XCTAssertEqual(try array.feed(Array("[ {\"a\":1} ,\n{} ]".utf8)).count, 2)
        XCTAssertNoThrow(try array.finish())

        var scalar = JSONStreamSplitter()
        XCTAssertThrowsError(try scalar.feed(Array("{}\n5".utf8))) { error in
            XCTAssertEqual((error as? CommandFailure)?.message,
                           #"request stream: expected a JSON object, got "5" at line 2, column 1"#)
        }
        var missingComma = JSONStreamSplitter()
        XCTAssertThrowsError(try missingComma.feed(Array("[{} {}]".utf8)))
        var unfinished = JSONStreamSplitter()
        _ = try unfinished.feed(Array(#"{"a":"#.utf8))
        XCTAssertThrowsError(try unfinished.finish())
    }

    func testEndpointsTableSkipsCommentsAndReportsBadLines() throws {
        let table = "# name\taddress\n\nrecords\t127.0.0.1:50051\nportal\t127.0.0.1:50052\textra\n"
        XCTAssertEqual(try Endpoint.parseTable(table, source: "endpoints.tsv"),
                       [Endpoint(name: "records", address: "127.0.0.1:50051"),
                        Endpoint(name: "portal", address: "127.0.0.1:50052")])
        XCTAssertThrowsError(try Endpoint.parseTable("records 127.0.0.1:1\n", source: "e.tsv")) { error in
            XCTAssertEqual((error as? CommandFailure)?.message, "e.tsv:1: expected name<TAB>address")
        }
    }

    func testDemoCallerNamesReadBackIntoSPIFFEIdentities() {
        XCTAssertEqual(DemoCaller("control-unit-HAN-BORDER")?.spiffeID, "spiffe://immigration.example/control-unit/HAN-BORDER")
        XCTAssertEqual(DemoCaller("mps-portal-portal-1")?.spiffeID, "spiffe://immigration.example/mps-portal/portal-1")
        XCTAssertEqual(DemoCaller("issuing-authority-A08-HN")?.spiffeID, "spiffe://immigration.example/issuing-authority/A08-HN")
        XCTAssertEqual(DemoCaller("records")?.spiffeID, "spiffe://immigration.example/service/records")
        XCTAssertNil(DemoCaller("nobody"))
        XCTAssertNil(DemoCaller("gate-"))
    }

    func testTimeoutsAndHeadersParse() {
        XCTAssertEqual(TimeoutOption(argument: "500ms")?.duration, .milliseconds(500))
        XCTAssertEqual(TimeoutOption(argument: "1.5s")?.duration, .milliseconds(1500))
        XCTAssertEqual(TimeoutOption(argument: "2m")?.duration, .seconds(120))
        XCTAssertEqual(TimeoutOption(argument: "10")?.duration, .seconds(10))
        XCTAssertNil(TimeoutOption(argument: "-1s"))
        XCTAssertNil(TimeoutOption(argument: "soon"))
        XCTAssertEqual(HeaderOption(argument: "X-Trace:  abc ")?.key, "x-trace")
        XCTAssertEqual(HeaderOption(argument: "x-raw-bin: AAE=")?.value, .binary([0, 1]))
        XCTAssertNil(HeaderOption(argument: "no colon"))
        XCTAssertNil(HeaderOption(argument: "x-raw-bin: !!"))
    }
}
