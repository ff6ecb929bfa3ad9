/// The kinds of caller the suite knows, as the first path segment of their
/// SPIFFE id (`spiffe://immigration.example/<role>/<id>`). See docs/security.md.
public enum CallerRole: String, Sendable, CaseIterable {
    case mpsPortal = "mps-portal"
    case mfaPortal = "mfa-portal"
    case mndPortal = "mnd-portal"
    case agency
    case gate
    case controlUnit = "control-unit"
    case issuingAuthority = "issuing-authority"
    case service
    case ops
}

/// Who is calling: the verified SPIFFE id of the client certificate, read as
/// a role and an id. Handlers receive it in `ServerContext.caller`.
public struct CallerIdentity: Sendable, Hashable, CustomStringConvertible {
    public var role: CallerRole
    /// The rest of the SPIFFE path after the role, such as `HAN-T2-07`.
    public var id: String
    /// The whole URI, such as `spiffe://immigration.example/gate/HAN-T2-07`.
    public var spiffeID: String

    public init(role: CallerRole, id: String, spiffeID: String) {
        self.role = role
        self.id = id
        self.spiffeID = spiffeID
    }

    /// The suite's trust domain.
    public static let defaultTrustDomain = "immigration.example"

    /// Reads `spiffe://<trustDomain>/<role>/<id>`; `nil` for anything else
    /// (another trust domain, an unknown role, an empty id, a query or fragment).
    public init?(spiffeID: String, trustDomain: String = CallerIdentity.defaultTrustDomain) {
        let prefix = "spiffe://\(trustDomain)/"
        guard spiffeID.hasPrefix(prefix) else { return nil }
        let path = spiffeID.dropFirst(prefix.count)
        guard let slash = path.firstIndex(of: "/"),
              let role = CallerRole(rawValue: String(path[..<slash])) else { return nil }
        let id = String(path[path.index(after: slash)...])
        guard !id.isEmpty, !id.contains("?"), !id.contains("#"), !id.hasSuffix("/") else { return nil }
        self.init(role: role, id: id, spiffeID: spiffeID)
    }

    public var description: String { spiffeID }
}
