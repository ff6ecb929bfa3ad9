/// The number printed on a document, in the one form the database keys it
/// by: upper case, without spaces or hyphens (an MRZ document number has
/// neither), 4 to 20 letters and digits.
enum DocumentNumber {
    /// Normalises and checks a number.
    static func validated(_ raw: String, field: String) throws(ValidationError) -> String {
        let normalised = String(String.UnicodeScalarView(raw.unicodeScalars.filter {
            $0 != " " && $0 != "-" && $0 != "\t"
        })).uppercased()
        guard (4...20).contains(normalised.utf8.count),
              normalised.utf8.allSatisfy({ (0x30...0x39).contains($0) || (0x41...0x5A).contains($0) }) else {
            throw ValidationError(field: field, rule: "document_number", "4 to 20 letters A-Z and digits")
        }
        return normalised
    }
}
