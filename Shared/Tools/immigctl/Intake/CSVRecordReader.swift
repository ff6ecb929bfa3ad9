/// Splits CSV text (RFC 4180: comma separated, fields in double quotes may
/// hold commas, quotes doubled, and line breaks) into records of fields. Fed
/// line by line; a record whose quoted field spans lines completes on a later line.
struct CSVRecordReader {
    /// A line that is not CSV.
    struct Malformed: Error, Hashable, Sendable {
        var reason: String
    }

    private var fields: [String] = []
    private var field: [UInt8] = []
    private var inQuotes = false
    private var afterQuote = false

    /// Whether a quoted field is open at the end of the lines fed so far.
    var isPending: Bool { inQuotes }

    /// Feeds one line; returns the record it completes, or nil when a quoted
    /// field continues on the next line.
    mutating func feed(_ line: [UInt8]) throws(Malformed) -> [String]? {
        if inQuotes { field.append(0x0a) }
        for byte in line {
            if inQuotes {
                if byte == 0x22 { inQuotes = false; afterQuote = true } else { field.append(byte) }
                continue
            }
            switch byte {
            case 0x22 where afterQuote:    // "" inside quotes: one quote
                field.append(0x22); inQuotes = true; afterQuote = false
            case 0x22 where field.isEmpty:
                inQuotes = true
            case 0x22:
                reset()
                throw Malformed(reason: "a quote inside an unquoted field")
            case 0x2c:
                fields.append(String(decoding: field, as: UTF8.self)); field = []; afterQuote = false
            default:
                if afterQuote { reset(); throw Malformed(reason: "text after a closing quote") }
                field.append(byte)
            }
        }
        if inQuotes { return nil }
        fields.append(String(decoding: field, as: UTF8.self))
        let record = fields
        reset()
        return record
    }

    private mutating func reset() {
        fields = []; field = []; inQuotes = false; afterQuote = false
    }
}
