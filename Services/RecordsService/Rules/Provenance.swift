/// Where a write's information came from (D77 Art 4.2); mirrors
/// common.v1.InformationSource.
enum InformationSource: String, Hashable, Sendable, CaseIterable {
    /// D77 Art 4.2a: declarations, forms, procedures, entry/exit control.
    case procedure
    /// D77 Art 4.2b: converted immigration dossiers and databases.
    case convertedDatabase = "converted_database"
    /// D77 Art 4.2b: the national population / citizen identity database.
    case nationalPopulationDatabase = "national_population_database"
    /// D77 Art 4.2b: other national and specialised databases.
    case otherNationalDatabase = "other_national_database"
    /// D77 Art 4.2c: provided by individuals, organisations, authorities.
    case provided

    /// The sources a bulk intake may declare (D77 Art 4.2b).
    var isDatabase: Bool {
        self == .convertedDatabase || self == .nationalPopulationDatabase || self == .otherNationalDatabase
    }
}

/// Who wrote a piece of information, from which source (D77 Art 4.2). The
/// time is the server's, set when stored.
struct ProvenanceInput: Hashable, Sendable {
    var source: InformationSource
    var unitCode: String
    var actorID: String

    /// Checks the caller's provenance: source, unit and actor are required on
    /// every write (D77 Art 4.2); unit up to 64 and actor up to 128 characters.
    static func validated(source: InformationSource?, unitCode: String, actorID: String,
                          field: String) throws(ValidationErrors) -> ProvenanceInput {
        var report = ValidationReport()
        if source == nil {
            report.add(ValidationError(field: "\(field).source", rule: "required", "the source of the information is required (D77 Art 4.2)"))
        }
        if unitCode.trimmed.isEmpty || unitCode.count > 64 {
            report.add(ValidationError(field: "\(field).unit_code", rule: "required", "the writing unit's code, up to 64 characters"))
        }
        if actorID.trimmed.isEmpty || actorID.count > 128 {
            report.add(ValidationError(field: "\(field).actor_id", rule: "required", "the officer's or system's id, up to 128 characters"))
        }
        try report.throwIfAny()
        return ProvenanceInput(source: source!, unitCode: unitCode, actorID: actorID)
    }
}
