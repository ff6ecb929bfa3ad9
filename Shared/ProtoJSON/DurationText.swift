/// `google.protobuf.Duration` as proto3 JSON writes it: "1.5s", "-0.000001s".
enum DurationText {
    /// ±10,000 years, the range the Duration contract allows.
    static let maxSeconds: Int64 = 315_576_000_000

    static func format(seconds: Int64, nanos: Int32) -> String? {
        guard abs(seconds) <= maxSeconds, abs(nanos) <= 999_999_999,
              (seconds >= 0 && nanos >= 0) || (seconds <= 0 && nanos <= 0) else { return nil }
        let negative = seconds < 0 || nanos < 0
        return (negative ? "-" : "") + String(abs(seconds)) + CivilTime.fraction(abs(nanos)) + "s"
    }

    static func parse(_ text: String) -> (seconds: Int64, nanos: Int32)? {
        var b = Array(text.utf8)
        guard b.last == UInt8(ascii: "s") else { return nil }
        b.removeLast()
        let negative = b.first == UInt8(ascii: "-")
        if negative { b.removeFirst() }
        var seconds: Int64 = 0
        var i = 0
        while i < b.count, b[i] >= 48, b[i] <= 57 {
            seconds = seconds * 10 + Int64(b[i] - 48)
            guard seconds <= maxSeconds else { return nil }
            i += 1
        }
        guard i > 0 else { return nil }
        var nanos: Int64 = 0
        if i < b.count, b[i] == UInt8(ascii: ".") {
            i += 1
            var digits = 0
            while i < b.count, b[i] >= 48, b[i] <= 57 {
                guard digits < 9 else { return nil }
                nanos = nanos * 10 + Int64(b[i] - 48)
                digits += 1
                i += 1
            }
            guard digits > 0 else { return nil }
            for _ in digits..<9 { nanos *= 10 }
        }
        guard i == b.count else { return nil }
        return negative ? (-seconds, Int32(-nanos)) : (seconds, Int32(nanos))
    }
}
