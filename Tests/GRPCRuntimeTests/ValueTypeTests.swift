import GRPCRuntime
import XCTest

final class ValueTypeTests: XCTestCase {
    func testMetadataKeepsOrderLowerCasesKeysAndIteratesAsPairs() {
        var metadata: Metadata = ["X-Gate": "HAN-T2-07"]
        metadata.add("x-gate", "SGN-T1-01")
        metadata.add("Photo-Bin", binary: [1, 2, 3])
        metadata.add("token-bin", "abc")
        var pairs: [String] = []
        for (key, value) in metadata {
            switch value {
            case .string(let text): pairs.append("\(key)=\(text)")
            case .binary(let bytes): pairs.append("\(key)=\(bytes)")
            }
        }
        XCTAssertEqual(pairs, ["x-gate=HAN-T2-07", "x-gate=SGN-T1-01", "photo-bin=[1, 2, 3]", "token-bin=[97, 98, 99]"])
        XCTAssertEqual(metadata.first("X-GATE"), "HAN-T2-07")
        XCTAssertEqual(metadata.values("x-gate").count, 2)
        XCTAssertEqual(metadata.firstBinary("photo-bin"), [1, 2, 3])
        XCTAssertNil(metadata.first("missing"))
        metadata.replace("x-gate", "DAD-T1-02")
        XCTAssertEqual(metadata.values("x-gate"), [.string("DAD-T1-02")])
        XCTAssertEqual(metadata, metadata)
        XCTAssertNotEqual(metadata, ["x-gate": "DAD-T1-02"])
        XCTAssertFalse(metadata.description.contains("1, 2, 3"), "binary values are not printed")
    }

    func testTraceparentParsingFollowsTheW3CRules() {
        let parsed = TraceContext(traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
        XCTAssertEqual(parsed?.traceID, "4bf92f3577b34da6a3ce929d0e0e4736")
        XCTAssertEqual(parsed?.parentID, "00f067aa0ba902b7")
        XCTAssertEqual(parsed?.traceparent, "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
        XCTAssertNil(TraceContext(traceparent: "00-00000000000000000000000000000000-00f067aa0ba902b7-01"), "all-zero trace id")
        XCTAssertNil(TraceContext(traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01"), "all-zero parent id")
        XCTAssertNil(TraceContext(traceparent: "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01"), "upper case")
        XCTAssertNil(TraceContext(traceparent: "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"), "version ff")
        XCTAssertNil(TraceContext(traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra"))
        XCTAssertNotNil(TraceContext(traceparent: "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-future"))
        let fresh = TraceContext.newTrace()
        XCTAssertNotNil(TraceContext(traceparent: fresh.traceparent))
        XCTAssertNotEqual(TraceContext.newTrace().traceID, fresh.traceID)
        let child = fresh.child()
        XCTAssertEqual(child.traceID, fresh.traceID)
        XCTAssertNotEqual(child.parentID, fresh.parentID)
    }

    func testStatusCodesHaveTheirCanonicalNames() {
        XCTAssertEqual(StatusCode.invalidArgument.name, "INVALID_ARGUMENT")
        XCTAssertEqual(StatusCode.internalError.name, "INTERNAL")
        XCTAssertEqual(StatusCode.unauthenticated.rawValue, 16)
        XCTAssertEqual(StatusCode(rawValue: 42).name, "CODE_42")
    }

    func testDomainErrorsPickTheirStatusAndOthersStayGeneric() async throws {
        struct ExitBanActive: RPCErrorConvertible {
            var rpcError: RPCError { RPCError(.failedPrecondition, "an exit ban is active") }
        }
        struct DatabaseDown: Error {}
        let method = MethodDescriptor(service: "test.Errors", method: "Throw", kind: .unary)
        struct Throwing: ServiceProvider {
            let method: MethodDescriptor
            var methods: [ServerMethod] {
                [.unary(method) { (request: Bytes, _: ServerContext) -> Bytes in
                    if request.text == "domain" { throw ExitBanActive() }
                    throw DatabaseDown()
                }]
            }
        }
        let running = try RunningServer.start(services: [Throwing(method: method)])
        let domain = await assertRPCError(.failedPrecondition) {
            let _: Bytes = try await running.channel.unary(method, request: Bytes("domain"), options: CallOptions())
        }
        XCTAssertEqual(domain?.message, "an exit ban is active")
        let other = await assertRPCError(.internalError) {
            let _: Bytes = try await running.channel.unary(method, request: Bytes("other"), options: CallOptions())
        }
        XCTAssertEqual(other?.message, "internal error")
        await running.stop()
    }
}
