import CGRPC

/// Reads the verified SPIFFE id of a call's peer from its auth context.
enum PeerIdentity {
    /// `peer_spiffe_id` if the core set it (exactly one SPIFFE URI SAN), else
    /// the first `peer_uri` or `x509_subject_alternative_name` that starts
    /// with `spiffe://`. `nil` on plaintext connections or without a client certificate.
    static func spiffeID(of call: OpaquePointer) -> String? {
        withSpiffeID(of: call) { String(decoding: $0, as: UTF8.self) }
    }

    /// Lends the id's bytes to `body` (valid only during it), without making a `String`.
    static func withSpiffeID<Result>(of call: OpaquePointer, _ body: (UnsafeRawBufferPointer) -> Result) -> Result? {
        // Ownership: grpc_call_auth_context returns a new reference, released here.
        guard let context = grpc_call_auth_context(call) else { return nil }
        defer { grpc_auth_context_release(context) }
        guard grpc_auth_context_peer_is_authenticated(context) != 0 else { return nil }
        guard let id = first(in: context, property: GRPC_PEER_SPIFFE_ID_PROPERTY_NAME)
                ?? first(in: context, property: GRPC_PEER_URI_PROPERTY_NAME)
                ?? first(in: context, property: GRPC_X509_SAN_PROPERTY_NAME)
        else { return nil }
        return body(id)
    }

    /// The first value of `property` that starts with `spiffe://`; it belongs
    /// to the auth context, valid while the context is.
    private static func first(in context: OpaquePointer, property: String) -> UnsafeRawBufferPointer? {
        // The iterator keeps a pointer to the name: it must outlive the iteration.
        property.withCString { name in
            var iterator = grpc_auth_context_find_properties_by_name(context, name)
            while let found = grpc_auth_property_iterator_next(&iterator) {
                guard let value = found.pointee.value else { continue }
                let bytes = UnsafeRawBufferPointer(start: value, count: found.pointee.value_length)
                if bytes.starts(with: spiffePrefix) { return bytes }
            }
            return nil
        }
    }

    private static let spiffePrefix = Array("spiffe://".utf8)
}
