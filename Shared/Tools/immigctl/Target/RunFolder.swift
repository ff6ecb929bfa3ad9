import Foundation

/// The local runner's working folder (`.run/`): where it writes the services'
/// addresses (`endpoints.tsv`) and the development certificates (`certs/`).
///
/// Found from `IMMIGRATION_RUN_DIR`, else by walking up from the current
/// directory until a folder holds `.run/`, as git finds `.git`.
struct RunFolder {
    static let environmentVariable = "IMMIGRATION_RUN_DIR"

    let path: String

    var endpointsPath: String { path + "/endpoints.tsv" }
    var certificatesPath: String { path + "/certs" }

    /// The run folder, or `nil` when there is none.
    static func locate(environment: [String: String] = ProcessInfo.processInfo.environment,
                       currentDirectory: String = FileManager.default.currentDirectoryPath) -> RunFolder? {
        if let named = environment[environmentVariable], !named.isEmpty {
            return RunFolder(path: named)
        }
        var directory = URL(fileURLWithPath: currentDirectory).standardizedFileURL
        while true {
            let candidate = directory.appendingPathComponent(".run").path
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: candidate, isDirectory: &isDirectory), isDirectory.boolValue {
                return RunFolder(path: candidate)
            }
            let parent = directory.deletingLastPathComponent()
            if parent.path == directory.path { return nil }
            directory = parent
        }
    }

    /// The services in `endpoints.tsv`, in file order.
    func endpoints() throws(CommandFailure) -> [Endpoint] {
        guard let data = FileManager.default.contents(atPath: endpointsPath) else {
            throw CommandFailure("cannot read \(endpointsPath); start the suite (scripts/suite.sh up) or give host:port")
        }
        return try Endpoint.parseTable(String(decoding: data, as: UTF8.self), source: endpointsPath)
    }
}
