/// The command line of the interop client, in the flag style of gRPC's own
/// interop clients (`--name=value` or `--name value`), so that the same
/// scripts can drive this client and the reference ones.
struct InteropArguments: Sendable {
    var serverHost = "localhost"
    var serverPort = 8080
    var testCase = "large_unary"
    var useTLS = false
    var caFile: String?
    var certFile: String?
    var keyFile: String?
    var serverHostOverride: String?

    static let usage = """
        usage: interop-client --server_host=HOST --server_port=PORT --test_case=NAME
               [--use_tls=true|false] [--ca_file=PEM] [--cert_file=PEM --key_file=PEM]
               [--server_host_override=NAME]
        test cases: \(InteropCase.allCases.map(\.rawValue).joined(separator: ", ")), all
        """

    init(parsing arguments: [String]) throws(InteropFailure) {
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            index += 1
            guard argument.hasPrefix("--") else { throw InteropFailure("unexpected argument \(argument)\n\(Self.usage)") }
            var name = String(argument.dropFirst(2))
            var value: String
            if let equals = name.firstIndex(of: "=") {
                value = String(name[name.index(after: equals)...])
                name = String(name[..<equals])
            } else if name == "use_tls", index >= arguments.count || arguments[index].hasPrefix("--") {
                value = "true"
            } else {
                guard index < arguments.count else { throw InteropFailure("--\(name) needs a value\n\(Self.usage)") }
                value = arguments[index]
                index += 1
            }
            switch name {
            case "server_host": serverHost = value
            case "server_port":
                guard let port = Int(value), (1...65535).contains(port) else { throw InteropFailure("--server_port: not a port: \(value)") }
                serverPort = port
            case "test_case": testCase = value
            case "use_tls":
                switch value.lowercased() {
                case "true", "1", "yes": useTLS = true
                case "false", "0", "no": useTLS = false
                default: throw InteropFailure("--use_tls: expected true or false, got \(value)")
                }
            case "ca_file": caFile = value
            case "cert_file": certFile = value
            case "key_file": keyFile = value
            case "server_host_override": serverHostOverride = value.isEmpty ? nil : value
            case "help": throw InteropFailure(Self.usage)
            default: throw InteropFailure("unknown flag --\(name)\n\(Self.usage)")
            }
        }
        if (certFile == nil) != (keyFile == nil) {
            throw InteropFailure("--cert_file and --key_file go together")
        }
        if certFile != nil && !useTLS { throw InteropFailure("--cert_file needs --use_tls=true") }
    }
}
