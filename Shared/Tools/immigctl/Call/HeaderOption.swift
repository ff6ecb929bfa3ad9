import ArgumentParser
import Foundation
import GRPCRuntime

/// One `-H key:value` request header. Keys ending in `-bin` take base64 values,
/// sent as bytes (the core encodes them again on the wire).
struct HeaderOption: ExpressibleByArgument {
    var key: String
    var value: Metadata.Value

    init?(argument: String) {
        guard let colon = argument.firstIndex(of: ":") else { return nil }
        let key = argument[..<colon].trimmingSpaces().lowercased()
        let text = argument[argument.index(after: colon)...].trimmingSpaces()
        guard !key.isEmpty, key.allSatisfy({ $0.isLetter || $0.isNumber || "-_.".contains($0) }),
              key.allSatisfy(\.isASCII) else { return nil }
        if Metadata.isBinaryKey(key) {
            guard let bytes = Data(base64Encoded: text) else { return nil }
            value = .binary(Array(bytes))
        } else {
            value = .string(text)
        }
        self.key = key
    }

    static var defaultCompletionKind: CompletionKind { .default }
}

/// A `--timeout`: `500ms`, `5s`, `1.5s`, `2m`, or bare seconds (`10`).
struct TimeoutOption: ExpressibleByArgument {
    var duration: Duration
    /// As given, for help texts.
    var text: String

    var defaultValueDescription: String { text }

    init?(argument: String) {
        let units: [(suffix: String, nanoseconds: Double)] = [("ms", 1e6), ("s", 1e9), ("m", 60e9), ("h", 3600e9)]
        var number = Substring(argument)
        var scale = 1e9
        for unit in units where argument.hasSuffix(unit.suffix) {
            number = argument.dropLast(unit.suffix.count)
            scale = unit.nanoseconds
            break
        }
        guard let value = Double(number), value.isFinite, value > 0, value * scale < 1e18 else { return nil }
        duration = .nanoseconds(Int64(value * scale))
        text = argument
    }
}
