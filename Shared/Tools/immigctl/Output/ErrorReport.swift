import Contracts
import GRPCRuntime
import ProtoJSON

/// Turns a failed command into what the operator reads on stderr and the exit
/// code scripts test.
///
/// An RPC failure shows the status name and code, the message, each BadRequest
/// field violation (`field: description`), and any other `google.rpc.Status`
/// detail (ErrorInfo, PreconditionFailure, …) as JSON.
enum ErrorReport {
    /// Prints the error and returns the exit code for it.
    static func report(_ error: any Error) -> Int32 {
        switch error {
        case let error as RPCError:
            Console.error(describe(error))
            return ExitCodes.rpcFailure(error.code.rawValue)
        case let error as CommandFailure:
            Console.error("immigctl: \(error.message)")
            return error.exitCode
        case let error as ProtoJSONError:
            Console.error("immigctl: request: \(error.description)")
            return ExitCodes.localFailure
        case let error as RuntimeError:
            Console.error("immigctl: \(error.message)")
            return ExitCodes.localFailure
        default:
            Console.error("immigctl: \(error)")
            return ExitCodes.localFailure
        }
    }

    static func describe(_ error: RPCError) -> String {
        var lines = ["ERROR: \(error.code.name) (\(error.code.rawValue))"
                     + (error.message.isEmpty ? "" : ": \(error.message)")]
        if !error.fieldViolations.isEmpty {
            lines.append("field violations:")
            for violation in error.fieldViolations {
                lines.append("  \(violation.field): \(violation.description)")
            }
        }
        for detail in otherDetails(error.trailingMetadata) {
            lines.append("detail: \(detail)")
        }
        return lines.joined(separator: "\n")
    }

    /// The status details other than BadRequest (already shown as field
    /// violations), each as the canonical JSON of its `Any`.
    private static func otherDetails(_ trailers: Metadata) -> [String] {
        guard let bytes = trailers.firstBinary("grpc-status-details-bin"),
              let status = try? Google_Rpc_Status(serializedBytes: bytes),
              let anyType = try? MessageType(named: "google.protobuf.Any") else { return [] }
        let options = ProtoJSON.EncodingOptions(typeRegistry: MessageType.registry)
        return status.details.compactMap { any in
            if any.typeURL.hasSuffix("/google.rpc.BadRequest") { return nil }
            guard let wire = try? any.serializedBytes(),
                  let json = try? ProtoJSON.encode(wire: wire, descriptor: anyType.descriptor, options: options) else {
                return nil
            }
            return json
        }
    }
}
