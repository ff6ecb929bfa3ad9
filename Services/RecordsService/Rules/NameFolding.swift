import Foundation

/// The search form of a name: Vietnamese tone and vowel marks removed, đ/Đ
/// written D, upper case, punctuation as in a machine-readable zone, spaces
/// collapsed; so `NGUYEN VAN A`, `nguyen van a` and `Nguyễn Văn A` (composed
/// or decomposed) fold alike. Names keep their diacritics as written in the
/// travel document (D77 Art 4.1b); only the search index uses this form.
enum NameFolding {
    /// Letters that carry no combining mark to strip but still fold
    /// (ICAO 9303 Part 3 transliteration of Latin letters; đ for Vietnamese).
    private static let letters: [Unicode.Scalar: String] = [
        "\u{0111}": "D", "\u{0110}": "D",   // đ Đ
        "\u{00F0}": "D", "\u{00D0}": "D",   // ð Ð
        "\u{00F8}": "O", "\u{00D8}": "O",   // ø Ø
        "\u{00E6}": "AE", "\u{00C6}": "AE", // æ Æ
        "\u{0153}": "OE", "\u{0152}": "OE", // œ Œ
        "\u{0142}": "L", "\u{0141}": "L",   // ł Ł
        "\u{00DF}": "SS",                   // ß
        "\u{0131}": "I",                    // dotless ı
        "\u{00FE}": "TH", "\u{00DE}": "TH", // þ Þ
    ]

    /// Apostrophes are dropped (ICAO 9303 Part 3: O'BRIEN -> OBRIEN).
    private static let dropped: Set<Unicode.Scalar> = ["'", "\u{2019}", "\u{2018}", "\u{02BC}", "`"]

    /// Hyphens, dots and commas separate words (ICAO 9303 Part 3: filler).
    private static let separators: Set<Unicode.Scalar> = ["-", "\u{2010}", "\u{2011}", "\u{2013}", "\u{2014}", ".", ",", "<"]

    /// Folds one piece of text.
    static func fold(_ text: String) -> String {
        foldASCII(text) ?? foldUnicode(text)
    }

    /// The same folding for text that is all ASCII (most foreign names), in
    /// one pass over its bytes: no normalisation, no per-letter strings; nil
    /// when the text has any other character.
    static func foldASCII(_ text: String) -> String? {
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count)
        var pendingSpace = false
        for byte in text.utf8 {
            switch byte {
            case 0x80...:
                return nil
            case UInt8(ascii: "'"), UInt8(ascii: "`"):
                continue
            case 0x00...0x20, 0x7F, UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: ","), UInt8(ascii: "<"):
                // Controls, white space and separators, as in foldUnicode.
                pendingSpace = !out.isEmpty
                continue
            default:
                if pendingSpace { out.append(UInt8(ascii: " ")); pendingSpace = false }
                out.append(byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z") ? byte - 0x20 : byte)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Folds any text: canonical decomposition, marks removed, letters mapped.
    static func foldUnicode(_ text: String) -> String {
        var out = String.UnicodeScalarView()
        var pendingSpace = false
        // NFD first, so that composed (ễ) and decomposed (e + ̂ + ̃) input are
        // the same sequence of base letter and marks.
        for scalar in text.decomposedStringWithCanonicalMapping.unicodeScalars {
            switch scalar.properties.generalCategory {
            case .nonspacingMark, .spacingMark, .enclosingMark:
                continue
            default:
                break
            }
            if dropped.contains(scalar) { continue }
            if scalar.properties.isWhitespace || separators.contains(scalar) || scalar.properties.generalCategory == .control {
                pendingSpace = !out.isEmpty
                continue
            }
            if pendingSpace { out.append(" "); pendingSpace = false }
            if scalar.isASCII {
                // Most scalars after NFD (a Vietnamese letter is an ASCII base and marks).
                let byte = UInt8(scalar.value)
                out.append(Unicode.Scalar(byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z") ? byte - 0x20 : byte))
            } else if let replacement = letters[scalar] {
                out.append(contentsOf: replacement.unicodeScalars)
            } else {
                out.append(contentsOf: String(scalar).uppercased().unicodeScalars)
            }
        }
        return String(out)
    }

    /// Folds a full name in the order family, middle, given, the order the
    /// prefix search uses; empty parts are skipped.
    static func fold(family: String, middle: String, given: String) -> String {
        [family, middle, given].map(fold).filter { !$0.isEmpty }.joined(separator: " ")
    }

    /// Whether `name` starts with `prefix`, both folded.
    static func matches(name: String, prefix: String) -> Bool {
        fold(name).hasPrefix(fold(prefix))
    }
}
