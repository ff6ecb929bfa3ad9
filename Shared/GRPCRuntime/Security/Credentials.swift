import CGRPC

/// Builds the core's credential objects from PEM files.
///
/// Ownership: each function returns a new reference that the caller releases
/// (`grpc_server_credentials_release` / `grpc_channel_credentials_release`)
/// once the port or channel using it has been created; those keep their own.
enum Credentials {
    static func server(_ security: ServerSecurity) throws -> OpaquePointer {
        switch security {
        case .plaintextForDevelopment:
            return grpc_insecure_server_credentials_create()
        case .tls(let chainPath, let keyPath):
            return try serverTLS(chain: PEMFile.read(chainPath), key: PEMFile.read(keyPath), clientRoots: nil)
        case .mutualTLS(let chainPath, let keyPath, let rootsPath):
            return try serverTLS(chain: PEMFile.read(chainPath), key: PEMFile.read(keyPath),
                                 clientRoots: PEMFile.read(rootsPath))
        }
    }

    private static func serverTLS(chain: String, key: String, clientRoots: String?) throws -> OpaquePointer {
        let request = clientRoots == nil
            ? GRPC_SSL_DONT_REQUEST_CLIENT_CERTIFICATE
            : GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY
        let credentials = key.withCString { key in
            chain.withCString { chain in
                withOptionalCString(clientRoots) { roots in
                    var pair = grpc_ssl_pem_key_cert_pair(private_key: key, cert_chain: chain)
                    return grpc_ssl_server_credentials_create_ex(roots, &pair, 1, request, nil)
                }
            }
        }
        guard let credentials else { throw RuntimeError("the core rejected the server TLS credentials") }
        return credentials
    }

    static func channel(_ security: ChannelSecurity) throws -> OpaquePointer {
        switch security {
        case .plaintext:
            return grpc_insecure_credentials_create()
        case .tls(let rootsPath, _):
            return try channelTLS(roots: rootsPath.map(PEMFile.read), chain: nil, key: nil)
        case .mutualTLS(let chainPath, let keyPath, let rootsPath, _):
            return try channelTLS(roots: rootsPath.map(PEMFile.read), chain: PEMFile.read(chainPath),
                                  key: PEMFile.read(keyPath))
        }
    }

    private static func channelTLS(roots: String?, chain: String?, key: String?) throws -> OpaquePointer {
        let credentials = withOptionalCString(roots) { roots in
            withOptionalCString(chain) { chain in
                withOptionalCString(key) { key -> OpaquePointer? in
                    if let chain, let key {
                        var pair = grpc_ssl_pem_key_cert_pair(private_key: key, cert_chain: chain)
                        return grpc_ssl_credentials_create(roots, &pair, nil, nil)
                    }
                    return grpc_ssl_credentials_create(roots, nil, nil, nil)
                }
            }
        }
        guard let credentials else { throw RuntimeError("the core rejected the channel TLS credentials") }
        return credentials
    }
}

func withOptionalCString<R>(_ string: String?, _ body: (UnsafePointer<CChar>?) throws -> R) rethrows -> R {
    guard let string else { return try body(nil) }
    return try string.withCString { try body($0) }
}
