/// The number printed on a document, in the one form the database keys it
/// by: upper case, without spaces or hyphens (an MRZ document number has
/// neither), 4 to 20 letters and digits.
enum DocumentNumber {
    /// Normalises and checks a number.
    static func validated(_ raw: String, field: String) throws(ValidationError) -> String {
        // Already in the keyed form (as a gate sends what it read from the MRZ): nothing to rewrite.
        if (4...20).contains(raw.utf8.count), raw.utf8.allSatisfy(isKeyed) { return raw }
        let normalised = String(String.UnicodeScalarView(raw.unicodeScalars.filter {
            $0 != " " && $0 != "-" && $0 != "\t"
        })).uppercased()
        guard (4...20).contains(normalised.utf8.count),
              normalised.utf8.allSatisfy(isKeyed) else {
            throw ValidationError(field: field, rule: "document_number", "4 to 20 letters A-Z and digits")
        }
        return normalised
    }

    /// A byte of the keyed form: an ASCII digit or upper-case letter.
    private static func isKeyed(_ byte: UInt8) -> Bool { (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) }
}
