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
