/// Allows each RPC only for the caller roles its service declared; anything
/// not declared is refused. See docs/security.md.
///
/// A call without a verified caller identity gets UNAUTHENTICATED; a caller
/// whose role is not allowed, or a method missing from the policy, gets
/// PERMISSION_DENIED. `openMethods` (health checks, reflection) need no identity.
public struct AuthorizationInterceptor: ServerInterceptor, ServerCallObserver {
    private let policy: [String: Set<CallerRole>]
    private let openMethods: Set<String>

    /// A policy keyed by method descriptor.
    public init(policy: [MethodDescriptor: Set<CallerRole>], openMethods: [MethodDescriptor] = []) {
        self.init(paths: Dictionary(policy.map { ($0.key.path, $0.value) }, uniquingKeysWith: { $0.union($1) }),
                  openPaths: openMethods.map(\.path))
    }

    /// A policy keyed by method path (`/package.Service/Method`).
    public init(paths: [String: Set<CallerRole>], openPaths: [String] = []) {
        policy = paths
        openMethods = Set(openPaths)
    }

    public func intercept(context: ServerContext,
                          next: (ServerContext) async throws -> Void) async throws {
        try await observe(context: context, next: next)
    }

    func callStarting(context: ServerContext) throws -> ObservedCall {
        let path = context.method.path
        if openMethods.contains(path) { return .nothing }
        guard let caller = context.caller else {
            throw RPCError(.unauthenticated, "no verified caller identity")
        }
        guard let roles = policy[path] else {
            throw RPCError(.permissionDenied, "method is not open to any caller")
        }
        guard roles.contains(caller.role) else {
            throw RPCError(.permissionDenied, "role \(caller.role.rawValue) may not call this method")
        }
        return .nothing
    }

    func callEnded(_ call: ObservedCall, context: ServerContext, error: (any Error)?) {}
}
