/// The state table of a document's status: which change is allowed, which
/// is refused, and why. Refusals are FAILED_PRECONDITION (the request is
/// well-formed; the document's state forbids it). The table with its
/// articles is in docs/records.md; this is the one place that decides.
enum DocumentLifecycle {
    /// What the decision needs to know besides the two statuses.
    struct Facts: Sendable {
        /// The document's kind.
        var kind: DocumentKind
        /// The issuing state (alpha-3).
        var issuingState: String
        /// The last day of validity.
        var validUntil: CalendarDay
        /// Today, in Vietnam.
        var today: CalendarDay
        /// Whether the holder was issued a passport of the same kind after
        /// this one (then a lost one can no longer be restored).
        var supersededByNewerPassport: Bool
    }

    /// A change the table refuses.
    struct Refusal: Error, Hashable, Sendable {
        /// The rule's short name, such as `cancelled_is_final`.
        var rule: String
        /// A sentence citing the article.
        var message: String
    }

    /// The statuses that may follow each status, before the conditions on
    /// kind and dates that `check` adds.
    static let successors: [DocumentStatus: Set<DocumentStatus>] = [
        .issued: [.revoked, .cancelled, .reportedLost, .expired, .withdrawn],
        .restored: [.revoked, .cancelled, .reportedLost, .expired, .withdrawn],
        // Law 49/2019 Art 27.1, 28: a lost passport's validity is cancelled on
        // the loss report; Art 32.1: found again it may be restored; or the
        // cancellation is made final (a new passport replaced it).
        .reportedLost: [.restored, .cancelled],
        // Law 49/2019 Art 27: revocation ("thu hồi") goes with cancellation.
        .revoked: [.cancelled],
        .cancelled: [],
        .expired: [],
        // Brief, reading 7: lifting the ban does not restore a permit.
        .withdrawn: [],
    ]

    /// Decides whether a document may move from `from` to `to`.
    static func check(from: DocumentStatus, to: DocumentStatus, facts: Facts) throws(Refusal) {
        if from == to {
            throw Refusal(rule: "same_status", message: "the document is already \(to.rawValue)")
        }
        guard successors[from, default: []].contains(to) else {
            throw Refusal(rule: finalRule(from) ?? "transition_not_allowed",
                          message: "a document \(from.rawValue) cannot become \(to.rawValue)\(finalReason(from))")
        }
        switch to {
        case .withdrawn:
            // Q679 Art 7.1: withdrawal is of entry and exit permits.
            guard facts.kind == .entryExitPermit else {
                throw Refusal(rule: "withdrawal_only_for_permits",
                              message: "only entry and exit permits are withdrawn (Q679 Art 7)")
            }
        case .revoked:
            // Q679 Art 7: for permits the law's word is withdrawal.
            guard facts.kind != .entryExitPermit else {
                throw Refusal(rule: "permits_are_withdrawn",
                              message: "an entry and exit permit is withdrawn, not revoked (Q679 Art 7)")
            }
        case .expired:
            guard facts.today > facts.validUntil else {
                throw Refusal(rule: "term_not_ended", message: "the document's term has not ended")
            }
        case .restored:
            // Law 49/2019 Art 32.1 (as amended by Law 23/2023/QH15): an
            // ordinary passport whose validity was cancelled because it was
            // lost may be restored once found intact. The database checks what
            // it holds: a Vietnamese ordinary passport, its term not ended, no
            // new passport issued in its place. That it is intact is the
            // issuing authority's finding, recorded in the reason.
            guard facts.kind == .ordinaryPassport, facts.issuingState == NationalityCode.vietnam else {
                throw Refusal(rule: "restoration_only_for_ordinary_passports",
                              message: "only a Vietnamese ordinary passport reported lost can be restored (Law 49/2019 Art 32.1)")
            }
            guard facts.today <= facts.validUntil else {
                throw Refusal(rule: "restoration_after_term", message: "the passport's term has ended; it cannot be restored")
            }
            guard !facts.supersededByNewerPassport else {
                throw Refusal(rule: "restoration_after_replacement",
                              message: "a new passport was issued in its place; the lost one cannot be restored")
            }
        case .issued, .cancelled, .reportedLost:
            break
        }
    }

    private static func finalRule(_ status: DocumentStatus) -> String? {
        switch status {
        case .cancelled: return "cancelled_is_final"
        case .withdrawn: return "withdrawn_is_final"
        case .expired: return "expired_is_final"
        default: return nil
        }
    }

    private static func finalReason(_ status: DocumentStatus) -> String {
        switch status {
        case .cancelled: return ": a cancelled document can never be used again (Law 49/2019 Art 27)"
        case .withdrawn: return ": a withdrawn permit stays withdrawn; the holder applies for a re-grant (Q679 Art 7; brief, reading 7)"
        case .expired: return ": an expired document stays expired"
        default: return ""
        }
    }
}

extension DocumentLifecycle {
    /// Checks the target of a status change request: issuance is
    /// IssueDocument, so ISSUED is not a target (INVALID_ARGUMENT).
    static func validatedTarget(_ target: DocumentStatus?, field: String) throws(ValidationError) -> DocumentStatus {
        guard let target else {
            throw ValidationError(field: field, rule: "required", "a target status is required")
        }
        guard target != .issued else {
            throw ValidationError(field: field, rule: "not_a_target", "ISSUED is reached by IssueDocument only")
        }
        return target
    }
}
