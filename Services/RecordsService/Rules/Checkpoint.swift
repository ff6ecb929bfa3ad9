/// The kind of a border checkpoint; mirrors common.v1.CheckpointKind.
enum CheckpointKind: String, Hashable, Sendable, CaseIterable { case air, land, sea }

/// The ministry whose units control a checkpoint; mirrors common.v1.Ministry.
enum Ministry: String, Hashable, Sendable, CaseIterable {
    case publicSecurity = "public_security"
    case nationalDefence = "national_defence"
    case foreignAffairs = "foreign_affairs"
}

/// A border checkpoint as reference data: a code, a name, air/land/sea and
/// the ministry that controls it (DESIGN.md: "air/land/sea; MPS or MND").
struct CheckpointRecord: Hashable, Sendable {
    var code: String
    var name: String
    var kind: CheckpointKind
    var ministry: Ministry
    /// For a land checkpoint, the neighbouring country.
    var borderCountry: String?
    /// Closed: no crossing may be recorded there.
    var retired: Bool

    /// Vietnam's land neighbours: China, Laos, Cambodia.
    static let landNeighbours: Set<String> = ["CHN", "LAO", "KHM"]

    /// Checks a checkpoint written by operators: a code of 2 to 12 upper-case
    /// letters, digits or hyphens; a name; a kind; a ministry that runs
    /// checkpoints (D77 Art 12.3 and 14.2: checkpoints are managed by the
    /// Ministry of Public Security or of National Defence; MFA manages none); a
    /// neighbouring country for land
    /// checkpoints and none for air and sea.
    static func validated(code: String, name: String, kind: CheckpointKind?, ministry: Ministry?,
                          borderCountry: String, retired: Bool, field: String) throws(ValidationErrors) -> CheckpointRecord {
        var report = ValidationReport()
        if !(2...12).contains(code.utf8.count)
            || !code.utf8.allSatisfy({ (0x30...0x39).contains($0) || (0x41...0x5A).contains($0) || $0 == 0x2D }) {
            report.add(ValidationError(field: "\(field).code", rule: "checkpoint_code", "2 to 12 letters A-Z, digits or hyphens"))
        }
        if name.trimmed.isEmpty {
            report.add(ValidationError(field: "\(field).name", rule: "required", "a name is required"))
        }
        if kind == nil {
            report.add(ValidationError(field: "\(field).kind", rule: "required", "air, land or sea"))
        }
        switch ministry {
        case nil:
            report.add(ValidationError(field: "\(field).ministry", rule: "required", "the controlling ministry is required"))
        case .foreignAffairs?:
            report.add(ValidationError(field: "\(field).ministry", rule: "controls_checkpoints", "checkpoints are controlled by MPS or MND"))
        default:
            break
        }
        if kind == .land {
            if !landNeighbours.contains(borderCountry) {
                report.add(ValidationError(field: "\(field).border_country", rule: "land_neighbour", "CHN, LAO or KHM for a land checkpoint"))
            }
        } else if !borderCountry.isEmpty {
            report.add(ValidationError(field: "\(field).border_country", rule: "land_only", "only land checkpoints have a border country"))
        }
        try report.throwIfAny()
        return CheckpointRecord(code: code, name: name, kind: kind!, ministry: ministry!,
                                borderCountry: kind == .land ? borderCountry : nil, retired: retired)
    }
}
