import GRPCRuntime

extension InteropArguments {
    /// The channel's security as the flags ask: plaintext, TLS, or mutual TLS
    /// when a client certificate is given.
    var channelSecurity: ChannelSecurity {
        guard useTLS else { return .plaintext }
        if let certFile, let keyFile {
            return .mutualTLS(certificateChainPath: certFile, privateKeyPath: keyFile, trustRootsPath: caFile,
                              serverNameOverride: serverHostOverride)
        }
        return .tls(trustRootsPath: caFile, serverNameOverride: serverHostOverride)
    }
}
