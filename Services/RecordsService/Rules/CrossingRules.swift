import Foundation

/// The rules of a crossing record (D77 Art 4.1b: "process of entry and exit";
/// Art 4.2a: collected during entry/exit control).
enum CrossingRules {
    /// How a traveller was processed; mirrors records.v1.CrossingLane.
    enum Lane: String, Hashable, Sendable { case manual, abcGate = "abc_gate" }

    /// How far ahead of the server's clock a crossing instant may be: gate
    /// clocks drift, but a crossing is recorded when it happens (D77 Art 4.3a;
    /// brief, reading 1: "ngay").
    static let allowedClockSkew: TimeInterval = 300

    /// Checks the lane, the gate id and the instant: an ABC gate crossing
    /// names its gate (D77 Art 3.3), a manual one names none; the instant is
    /// not more than five minutes ahead of `now`.
    static func validate(lane: Lane?, gateID: String, crossedAt: Date?, now: Date) throws(ValidationErrors) {
        var report = ValidationReport()
        switch lane {
        case nil:
            report.add(ValidationError(field: "lane", rule: "required", "manual or ABC gate"))
        case .abcGate?:
            if gateID.trimmed.isEmpty || gateID.count > 64 {
                report.add(ValidationError(field: "gate_id", rule: "required_for_abc_gate", "an ABC gate crossing names its gate"))
            }
        case .manual?:
            if !gateID.isEmpty {
                report.add(ValidationError(field: "gate_id", rule: "only_for_abc_gate", "a manual crossing has no gate id"))
            }
        }
        if let crossedAt {
            if crossedAt.timeIntervalSince(now) > allowedClockSkew {
                report.add(ValidationError(field: "crossed_at", rule: "not_in_future", "the crossing instant is in the future"))
            }
        } else {
            report.add(ValidationError(field: "crossed_at", rule: "required", "the crossing instant is required"))
        }
        try report.throwIfAny()
    }
}
