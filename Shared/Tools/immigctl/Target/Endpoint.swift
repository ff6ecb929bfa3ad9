/// One service of the running suite: its name and where it listens, as the
/// runner writes them to `.run/endpoints.tsv`.
///
/// Format: one service a line, `name<TAB>address` (`records	127.0.0.1:50051`);
/// further tab-separated columns are allowed and ignored (reserved for the
/// runner); blank lines and lines starting with `#` are skipped.
struct Endpoint: Equatable {
    var name: String
    var address: String

    static func parseTable(_ text: String, source: String) throws(CommandFailure) -> [Endpoint] {
        var endpoints: [Endpoint] = []
        for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = rawLine.hasSuffix("\r") ? rawLine.dropLast() : rawLine[...]
            if line.allSatisfy({ $0 == " " || $0 == "\t" }) || line.hasPrefix("#") { continue }
            let columns = line.split(separator: "\t", omittingEmptySubsequences: false)
                .map { $0.trimmingSpaces() }
            guard columns.count >= 2, !columns[0].isEmpty, !columns[1].isEmpty else {
                throw CommandFailure("\(source):\(index + 1): expected name<TAB>address")
            }
            endpoints.append(Endpoint(name: columns[0], address: columns[1]))
        }
        return endpoints
    }
}

extension Substring {
    func trimmingSpaces() -> String {
        var text = self
        while text.first == " " { text = text.dropFirst() }
        while text.last == " " { text = text.dropLast() }
        return String(text)
    }
}
