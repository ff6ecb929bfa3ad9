/// The single "can this person cross now" answer the gates and control
/// units use: every reason that applies, none meaning allowed. A refusal is
/// an answer, not an error (brief, reading 8). D77 Art 3.3 and 11.1: the gate
/// and the control unit check the document against the national database.
enum CrossingEligibility {
    /// The document presented, as the database holds it.
    struct DocumentFacts: Hashable, Sendable {
        var kind: DocumentKind
        var status: DocumentStatus
        var validFrom: CalendarDay
        var validUntil: CalendarDay
    }

    /// An exit ban of the holder.
    struct BanFacts: Hashable, Sendable {
        var exitBanID: String
        var term: ExitBanTerm
    }

    /// Whether the traveller enters or leaves Vietnam.
    enum Direction: String, Hashable, Sendable { case entry, exit }

    /// Why a crossing is refused.
    enum Reason: Hashable, Sendable {
        /// The database holds no such document.
        case documentUnknown
        /// Revoked, cancelled, reported lost, expired or withdrawn (D77 Art 6.2).
        case documentStatus(DocumentStatus)
        /// The crossing day is after the last day of validity.
        case documentExpired(validUntil: CalendarDay)
        /// The crossing day is before the first day of validity.
        case documentNotYetValid(validFrom: CalendarDay)
        /// A visa or residence card is not a travel document.
        case notATravelDocument(DocumentKind)
        /// An exit ban applies on the crossing day (exit only).
        case exitBan(exitBanID: String)
        /// A laissez-passer is for land border checkpoints.
        case laissezPasserLandOnly
    }

    /// Evaluates a crossing on `day` (Vietnam time) in `direction`, at a
    /// checkpoint of `checkpointKind` when known.
    static func reasons(document: DocumentFacts?, direction: Direction, checkpointKind: CheckpointKind?,
                        day: CalendarDay, exitBans: [BanFacts]) -> [Reason] {
        var reasons: [Reason] = []
        if let document {
            // Only a travel document opens a border (Q679 Art 3.3; Law 49/2019 Art 6).
            if !document.kind.isTravelDocument {
                reasons.append(.notATravelDocument(document.kind))
            }
            // D77 Art 6.2: revocation, cancellation and restoration decide
            // whether a document is valid; see DocumentStatus.isUsable.
            if !document.status.isUsable {
                reasons.append(.documentStatus(document.status))
            }
            // A document is valid through its last day, in Vietnam time.
            if day > document.validUntil, document.status != .expired {
                reasons.append(.documentExpired(validUntil: document.validUntil))
            }
            if day < document.validFrom {
                reasons.append(.documentNotYetValid(validFrom: document.validFrom))
            }
            // Law 49/2019 Art 2.5: a laissez-passer crosses the border with
            // the neighbouring country; D77 Art 10.3b, brief reading 10.
            if document.kind == .laissezPasser, let checkpointKind, checkpointKind != .land {
                reasons.append(.laissezPasserLandOnly)
            }
        } else {
            reasons.append(.documentUnknown)
        }
        // DESIGN.md: an exit ban blocks exit; it never blocks entry.
        if direction == .exit {
            for ban in exitBans where ban.term.isActive(on: day) {
                reasons.append(.exitBan(exitBanID: ban.exitBanID))
            }
        }
        return reasons
    }
}
