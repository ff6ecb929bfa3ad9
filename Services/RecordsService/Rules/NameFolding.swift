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

    /// What folding makes of one scalar (after NFD): the rules above, in one place.
    private enum ScalarFold {
        /// A mark or a dropped character: nothing.
        case skipped
        /// White space, a control or a separator: at most one space between words.
        case separator
        /// The scalar's letters in the search form.
        case letters([Unicode.Scalar])
    }

    private static func fold(scalar: Unicode.Scalar) -> ScalarFold {
        switch scalar.properties.generalCategory {
        case .nonspacingMark, .spacingMark, .enclosingMark:
            return .skipped
        default:
            break
        }
        if dropped.contains(scalar) { return .skipped }
        if scalar.properties.isWhitespace || separators.contains(scalar) || scalar.properties.generalCategory == .control {
            return .separator
        }
        if let replacement = letters[scalar] { return .letters(Array(replacement.unicodeScalars)) }
        return .letters(Array(String(scalar).uppercased().unicodeScalars))
    }

    /// `fold(scalar:)` of every ASCII scalar, worked out once: the upper-case
    /// byte, or `skippedByte` / `separatorByte` (both controls, which fold to
    /// a separator, so no letter takes their value).
    private static let asciiFolds: [UInt8] = (0..<128).map { byte in
        switch fold(scalar: Unicode.Scalar(UInt8(byte))) {
        case .skipped: skippedByte
        case .separator: separatorByte
        case .letters(let letters): UInt8(letters[0].value)  // ASCII upper-cases to one ASCII letter
        }
    }
    private static let skippedByte: UInt8 = 0
    private static let separatorByte: UInt8 = 1

    /// The same folding for text that is all ASCII (most foreign names), in
    /// one pass over its bytes through `asciiFolds`: no normalisation, no
    /// per-letter strings; nil when the text has any other character.
    static func foldASCII(_ text: String) -> String? {
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count)
        var pendingSpace = false
        for byte in text.utf8 {
            guard byte < 0x80 else { return nil }
            switch asciiFolds[Int(byte)] {
            case skippedByte:
                continue
            case separatorByte:
                pendingSpace = !out.isEmpty
            case let letter:
                if pendingSpace { out.append(UInt8(ascii: " ")); pendingSpace = false }
                out.append(letter)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Folds any text: canonical decomposition, then each scalar by
    /// `fold(scalar:)` (ASCII ones, most after NFD, through `asciiFolds`).
    static func foldUnicode(_ text: String) -> String {
        var out = String.UnicodeScalarView()
        var pendingSpace = false
        // NFD first, so that composed (ễ) and decomposed (e + ̂ + ̃) input are
        // the same sequence of base letter and marks.
        for scalar in text.decomposedStringWithCanonicalMapping.unicodeScalars {
            let folded: ScalarFold
            if scalar.isASCII {
                switch asciiFolds[Int(scalar.value)] {
                case skippedByte: folded = .skipped
                case separatorByte: folded = .separator
                case let letter: folded = .letters([Unicode.Scalar(letter)])
                }
            } else {
                folded = fold(scalar: scalar)
            }
            switch folded {
            case .skipped:
                continue
            case .separator:
                pendingSpace = !out.isEmpty
            case .letters(let letters):
                if pendingSpace { out.append(" "); pendingSpace = false }
                out.append(contentsOf: letters)
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
