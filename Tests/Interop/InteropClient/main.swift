// interop-client: runs gRPC's standard interoperability cases as a client
// (grpc/grpc doc/interop-test-descriptions.md) against any TestService
// server. Exit status 0 when the case passed; 1 with a message otherwise.
import GRPCRuntime

#if canImport(Glibc)
import Glibc
#endif

let arguments: InteropArguments
do {
    arguments = try InteropArguments(parsing: Array(CommandLine.arguments.dropFirst()))
} catch {
    print("interop-client: \(error)")
    exit(2)
}

let cases: [InteropCase]
if arguments.testCase == "all" {
    cases = InteropCase.allCases
} else if let single = InteropCase(rawValue: arguments.testCase) {
    cases = [single]
} else {
    print("interop-client: unknown test case \(arguments.testCase)\n\(InteropArguments.usage)")
    exit(2)
}

var failed = false
for interopCase in cases {
    do {
        let channel = try Channel(target: "\(arguments.serverHost):\(arguments.serverPort)",
                                  security: arguments.channelSecurity)
        defer { channel.close() }
        try await interopCase.run(on: channel)
        print("\(interopCase.rawValue): passed")
    } catch {
        print("\(interopCase.rawValue): FAILED: \(error)")
        failed = true
    }
}
exit(failed ? 1 : 0)
