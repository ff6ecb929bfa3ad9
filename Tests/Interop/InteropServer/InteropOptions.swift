import Foundation
import GRPCRuntime
import ServiceHost

/// The interop server's command line, as grpc's interop servers take it:
/// `--port N` (0 picks one; the bound port is printed as `listening on port N`),
/// `--host`, and the transport: plaintext unless `--tls-cert`/`--tls-key` are
/// given; `--tls-ca` (client roots) makes it mutual TLS. Each flag may also
/// come from the environment: INTEROP_PORT, INTEROP_HOST, INTEROP_TLS_CERT,
/// INTEROP_TLS_KEY, INTEROP_TLS_CA.
struct InteropOptions {
    var host = "127.0.0.1"
    var port = 0
    var certificate: String?
    var key: String?
    var clientRoots: String?

    static let usage = """
        usage: interop-server [--host H] [--port N] [--tls-cert PEM --tls-key PEM [--tls-ca PEM]]
        """

    init(arguments: [String], environment: [String: String]) throws {
        host = environment["INTEROP_HOST"] ?? host
        if let text = environment["INTEROP_PORT"] { port = try InteropOptions.port(text) }
        certificate = environment["INTEROP_TLS_CERT"]
        key = environment["INTEROP_TLS_KEY"]
        clientRoots = environment["INTEROP_TLS_CA"]
        var rest = arguments[...]
        while let flag = rest.popFirst() {
            // Accept both `--flag value` and `--flag=value`.
            let (name, inline) = flag.firstIndex(of: "=").map { (String(flag[..<$0]), String(flag[flag.index(after: $0)...])) }
                ?? (flag, nil)
            func value() throws -> String {
                if let inline { return inline }
                guard let next = rest.popFirst() else { throw InteropUsageError("\(name) needs a value") }
                return next
            }
            switch name {
            case "--host": host = try value()
            case "--port": port = try InteropOptions.port(try value())
            case "--tls-cert": certificate = try value()
            case "--tls-key": key = try value()
            case "--tls-ca": clientRoots = try value()
            case "--use_tls": _ = try value()   // grpc interop flag name; TLS follows from the PEM paths
            default: throw InteropUsageError("unknown option \(name)")
            }
        }
        if (certificate == nil) != (key == nil) { throw InteropUsageError("--tls-cert and --tls-key go together") }
        if clientRoots != nil, certificate == nil { throw InteropUsageError("--tls-ca needs --tls-cert and --tls-key") }
    }

    private static func port(_ text: String) throws -> Int {
        guard let port = Int(text), (0...65535).contains(port) else { throw InteropUsageError("port must be 0-65535") }
        return port
    }

    var security: ServerSecurity {
        guard let certificate, let key else { return .plaintextForDevelopment }
        if let clientRoots {
            return .mutualTLS(certificateChainPath: certificate, privateKeyPath: key, clientCARootsPath: clientRoots)
        }
        return .tls(certificateChainPath: certificate, privateKeyPath: key)
    }

    var configuration: ServiceConfiguration {
        ServiceConfiguration(serviceName: "interop", grpcListen: "\(host):\(port)", security: security,
                             migrateOnStart: false, logLevel: .notice, logFormat: .logfmt)
    }
}

/// A command-line mistake, reported with the usage line.
struct InteropUsageError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
