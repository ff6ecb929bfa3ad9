/// Reads JSON number literals (and numbers written as strings) exactly, so that
/// 64-bit integers never pass through a `Double` and lose digits.
enum JSONNumber {
    enum IntegerProblem: Error {
        case notANumber, notAnInteger, outOfRange
    }

    /// Whether `text` follows JSON's number grammar: -?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?
    static func isValidLiteral(_ text: Substring.UTF8View) -> Bool {
        var i = text.startIndex
        func digit(_ j: Substring.UTF8View.Index) -> Bool {
            j < text.endIndex && text[j] >= UInt8(ascii: "0") && text[j] <= UInt8(ascii: "9")
        }
        if i < text.endIndex && text[i] == UInt8(ascii: "-") { i = text.index(after: i) }
        guard digit(i) else { return false }
        if text[i] == UInt8(ascii: "0") {
            i = text.index(after: i)
        } else {
            while digit(i) { i = text.index(after: i) }
        }
        if i < text.endIndex && text[i] == UInt8(ascii: ".") {
            i = text.index(after: i)
            guard digit(i) else { return false }
            while digit(i) { i = text.index(after: i) }
        }
        if i < text.endIndex && (text[i] == UInt8(ascii: "e") || text[i] == UInt8(ascii: "E")) {
            i = text.index(after: i)
            if i < text.endIndex && (text[i] == UInt8(ascii: "+") || text[i] == UInt8(ascii: "-")) {
                i = text.index(after: i)
            }
            guard digit(i) else { return false }
            while digit(i) { i = text.index(after: i) }
        }
        return i == text.endIndex
    }

    /// The integer a literal denotes, as sign and magnitude. `1.0`, `1e3` and
    /// `1500e-3` are integers; `1.5` is not.
    static func integer(_ text: String) throws(IntegerProblem) -> (negative: Bool, magnitude: UInt64) {
        let utf8 = Substring(text).utf8
        guard isValidLiteral(utf8) else { throw .notANumber }
        var bytes = Array(text.utf8)
        let negative = bytes.first == UInt8(ascii: "-")
        if negative { bytes.removeFirst() }
        var exponent = 0
        if let e = bytes.firstIndex(where: { $0 == UInt8(ascii: "e") || $0 == UInt8(ascii: "E") }) {
            var exponentDigits = bytes[(e + 1)...]
            var exponentNegative = false
            if let sign = exponentDigits.first, sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") {
                exponentNegative = sign == UInt8(ascii: "-")
                exponentDigits = exponentDigits.dropFirst()
            }
            for d in exponentDigits {
                exponent = exponent * 10 + Int(d - UInt8(ascii: "0"))
                if exponent > 1000 { exponent = 1000 }  // far past any 64-bit value
            }
            if exponentNegative { exponent = -exponent }
            bytes.removeSubrange(e...)
        }
        var digits = bytes
        if let point = digits.firstIndex(of: UInt8(ascii: ".")) {
            exponent -= digits.count - point - 1
            digits.remove(at: point)
        }
        // Drop leading zeros; the value is digits × 10^exponent.
        if let firstNonZero = digits.firstIndex(where: { $0 != UInt8(ascii: "0") }) {
            digits.removeSubrange(..<firstNonZero)
        } else {
            return (false, 0)
        }
        while exponent < 0 {
            guard digits.last == UInt8(ascii: "0") else { throw .notAnInteger }
            digits.removeLast()
            exponent += 1
        }
        guard digits.count + exponent <= 20 else { throw .outOfRange }
        var magnitude: UInt64 = 0
        for d in digits {
            let (times10, o1) = magnitude.multipliedReportingOverflow(by: 10)
            let (sum, o2) = times10.addingReportingOverflow(UInt64(d - UInt8(ascii: "0")))
            guard !o1, !o2 else { throw .outOfRange }
            magnitude = sum
        }
        for _ in 0..<exponent {
            let (times10, overflow) = magnitude.multipliedReportingOverflow(by: 10)
            guard !overflow else { throw .outOfRange }
            magnitude = times10
        }
        return (negative, magnitude)
    }

    static func int64(_ text: String) throws(IntegerProblem) -> Int64 {
        let (negative, magnitude) = try integer(text)
        if negative {
            guard magnitude <= UInt64(Int64.max) + 1 else { throw .outOfRange }
            return magnitude == UInt64(Int64.max) + 1 ? Int64.min : -Int64(magnitude)
        }
        guard magnitude <= UInt64(Int64.max) else { throw .outOfRange }
        return Int64(magnitude)
    }

    static func uint64(_ text: String) throws(IntegerProblem) -> UInt64 {
        let (negative, magnitude) = try integer(text)
        guard !negative || magnitude == 0 else { throw .outOfRange }
        return magnitude
    }

    /// Shortest text that reads back as the same `Double`; NaN and infinities
    /// are the caller's business.
    static func format(_ value: Double) -> String {
        value.description
    }

    static func format(_ value: Float) -> String {
        value.description
    }
}
