import GRPCRuntime
import Logging
import XCTest

/// A running server on a free loopback port, and a channel to it.
struct RunningServer {
    let server: Server
    let channel: Channel
    var port: Int { server.port }

    static func start(services: [any ServiceProvider] = [EchoService()],
                      security: ServerSecurity = .plaintextForDevelopment,
                      channelSecurity: ChannelSecurity = .plaintext,
                      interceptors: [any ServerInterceptor] = [],
                      configure: (inout ServerConfiguration) -> Void = { _ in }) throws -> RunningServer {
        var configuration = ServerConfiguration(address: "127.0.0.1:0", security: security,
                                                interceptors: interceptors, logger: Logger(label: "test"))
        configure(&configuration)
        let server = try Server(configuration: configuration, services: services)
        try server.start()
        let channel = try Channel(target: "127.0.0.1:\(server.port)", security: channelSecurity)
        return RunningServer(server: server, channel: channel)
    }

    func stop() async {
        channel.close()
        await server.shutdown(gracePeriod: .seconds(2))
    }
}

/// Asserts that an async call throws an `RPCError` with the given code, and returns it.
@discardableResult
func assertRPCError<T>(_ code: StatusCode, file: StaticString = #filePath, line: UInt = #line,
                       _ body: () async throws -> T) async -> RPCError? {
    do {
        _ = try await body()
        XCTFail("expected \(code.name), the call succeeded", file: file, line: line)
    } catch let error as RPCError {
        XCTAssertEqual(error.code, code, "\(error)", file: file, line: line)
        return error
    } catch {
        XCTFail("expected RPCError \(code.name), got \(error)", file: file, line: line)
    }
    return nil
}
