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

    /// One method's rule, worked out when the server starts.
    private final class MethodAccess: Sendable {
        let isOpen: Bool
        /// `nil`: the policy does not name the method.
        let roles: [CallerRole]?

        init(isOpen: Bool, roles: [CallerRole]?) {
            self.isOpen = isOpen
            self.roles = roles
        }
    }

    func prepare(for method: MethodDescriptor) -> (any AnyObject & Sendable)? {
        access(method)
    }

    private func access(_ method: MethodDescriptor) -> MethodAccess {
        MethodAccess(isOpen: openMethods.contains(method.path),
                     roles: policy[method.path].map { roles in CallerRole.allCases.filter(roles.contains) })
    }

    func callStarting(context: ServerContext, prepared: (any AnyObject & Sendable)?) throws -> ObservedCall {
        // `prepared` is always this interceptor's own `prepare(for:)` result.
        let access = prepared.map { unsafeDowncast($0, to: MethodAccess.self) } ?? access(context.method)
        if access.isOpen { return .nothing }
        guard let caller = context.caller else {
            throw RPCError(.unauthenticated, "no verified caller identity")
        }
        guard let roles = access.roles else {
            throw RPCError(.permissionDenied, "method is not open to any caller")
        }
        guard roles.contains(caller.role) else {
            throw RPCError(.permissionDenied, "role \(caller.role.rawValue) may not call this method")
        }
        return .nothing
    }

    func callEnded(_ call: ObservedCall, context: ServerContext, error: (any Error)?) {}
}
