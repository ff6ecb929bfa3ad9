import ArgumentParser
import Foundation
import GRPCRuntime

/// Where to connect and as whom: the options `call` and `health` share.
///
/// Defaults follow the local runner: certificates from `.run/certs`, calling as
/// the demo operator `ops-operator-1`. `--plaintext` is for development servers
/// only; the caller identity then travels in the `x-dev-caller` header.
struct ConnectionOptions: ParsableArguments {
    static let defaultCaller = "ops-operator-1"

    @Option(name: .customLong("as"),
            help: ArgumentHelp("Demo caller whose certificate to present, <role>-<id> (e.g. gate-HAN-T2-07); "
                               + "default ops-operator-1.", valueName: "role-id"))
    var caller: String?

    @Option(help: ArgumentHelp("Client certificate chain (PEM); overrides --as.", valueName: "file"))
    var cert: String?

    @Option(help: ArgumentHelp("Client private key (PEM); overrides --as.", valueName: "file"))
    var key: String?

    @Option(help: ArgumentHelp("CA certificate(s) to trust (PEM); default .run/certs/ca.crt.", valueName: "file"))
    var ca: String?

    @Flag(help: "Connect without TLS (development servers only).")
    var plaintext = false

    @Option(help: ArgumentHelp("Check the server certificate against this name instead of the target's host.",
                              valueName: "name"))
    var serverName: String?

    func validate() throws {
        if (cert == nil) != (key == nil) { throw ValidationError("--cert and --key go together") }
        if plaintext && (cert != nil || ca != nil || serverName != nil) {
            throw ValidationError("--plaintext cannot be combined with --cert, --key, --ca or --server-name")
        }
        if plaintext, let caller, DemoCaller(caller) == nil {
            throw ValidationError("--as \(caller): expected <role>-<id> with a role of docs/security.md, or a service name")
        }
    }

    var callerName: String { caller ?? Self.defaultCaller }

    /// The channel security these options describe.
    func security(runFolder: RunFolder?) throws(CommandFailure) -> ChannelSecurity {
        if plaintext { return .plaintext }
        let certificates = runFolder?.certificatesPath
        var trustRoots = ca
        if trustRoots == nil, let certificates {
            trustRoots = try existing(certificates + "/ca.crt", what: "CA certificate")
        }
        if let cert, let key {
            return .mutualTLS(certificateChainPath: cert, privateKeyPath: key, trustRootsPath: trustRoots,
                              serverNameOverride: serverName)
        }
        guard let certificates else {
            // A CA but no client identity: server-only TLS (servers that do not ask for one).
            if let trustRoots, caller == nil {
                return .tls(trustRootsPath: trustRoots, serverNameOverride: serverName)
            }
            throw CommandFailure("no .run folder found (set \(RunFolder.environmentVariable) or run inside the checkout); "
                                 + "give --cert/--key/--ca, or --plaintext for a development server")
        }
        let chain = try existing("\(certificates)/\(callerName).crt", what: "certificate of caller \(callerName)")
        let key = try existing("\(certificates)/\(callerName).key", what: "key of caller \(callerName)")
        return .mutualTLS(certificateChainPath: chain, privateKeyPath: key, trustRootsPath: trustRoots,
                          serverNameOverride: serverName)
    }

    /// Metadata the security mode needs: on plaintext, the caller as a SPIFFE id
    /// in `x-dev-caller` (development servers take identity from it).
    func identityMetadata() -> Metadata {
        guard plaintext, let identity = DemoCaller(callerName) else { return [:] }
        var metadata = Metadata()
        metadata.add("x-dev-caller", identity.spiffeID)
        return metadata
    }

    private func existing(_ path: String, what: String) throws(CommandFailure) -> String {
        guard FileManager.default.isReadableFile(atPath: path) else {
            throw CommandFailure("cannot read the \(what): \(path)")
        }
        return path
    }
}

/// A demo caller named `<role>-<id>` as the runner's certificate files are
/// (`control-unit-HAN-BORDER`), or a service name (`records`), read back into
/// its SPIFFE id.
struct DemoCaller: Equatable {
    static let serviceNames: Set = ["records", "portal", "agency", "autogate", "biometric"]

    var role: String
    var id: String

    init?(_ name: String) {
        if Self.serviceNames.contains(name) {
            role = "service"
            id = name
            return
        }
        // Longest role first: "mps-portal" before any shorter role that prefixes it.
        let roles = CallerRole.allCases.map(\.rawValue).sorted { $0.count > $1.count }
        guard let role = roles.first(where: { name.hasPrefix($0 + "-") && name.count > $0.count + 1 }) else {
            return nil
        }
        self.role = role
        id = String(name.dropFirst(role.count + 1))
    }

    var spiffeID: String {
        let domain = ProcessInfo.processInfo.environment["TRUST_DOMAIN"].flatMap { $0.isEmpty ? nil : $0 }
            ?? CallerIdentity.defaultTrustDomain
        return "spiffe://\(domain)/\(role)/\(id)"
    }
}
