/// What a command was told to connect to: a service of the running suite by
/// name (looked up in `.run/endpoints.tsv`) or an address.
enum CallTarget {
    /// `host:port`, `[v6]:port`, or a target the core resolves (`dns:///host:port`, `unix:path`).
    static func isAddress(_ text: String) -> Bool { text.contains(":") || text.contains("/") }

    /// The endpoint for a name or address.
    static func resolve(_ text: String, runFolder: RunFolder?) throws(CommandFailure) -> Endpoint {
        if isAddress(text) { return Endpoint(name: text, address: text) }
        guard let runFolder else {
            throw CommandFailure("no .run folder found to look up \"\(text)\" (set \(RunFolder.environmentVariable), "
                                 + "run inside the checkout, or give host:port)")
        }
        let endpoints = try runFolder.endpoints()
        guard let endpoint = endpoints.first(where: { $0.name == text }) else {
            let known = endpoints.map(\.name).joined(separator: ", ")
            throw CommandFailure("unknown service \"\(text)\" in \(runFolder.endpointsPath)"
                                 + (known.isEmpty ? "" : " (known: \(known))"))
        }
        return endpoint
    }
}
