/// A document's status in the database (D77 Art 6.2: issuance, revocation,
/// cancellation, restoration and control); mirrors common.v1.DocumentStatus.
/// Which status may follow which is `DocumentLifecycle`.
enum DocumentStatus: String, Hashable, Sendable, CaseIterable {
    /// Issued and valid ("cấp").
    case issued
    /// Revoked, taken back by the authority ("thu hồi", Law 49/2019 Art 27).
    case revoked
    /// Validity cancelled for good ("hủy giá trị sử dụng", Law 49/2019 Art 27).
    case cancelled
    /// Validity restored after a loss report ("khôi phục giá trị sử dụng").
    case restored
    /// Reported lost: its validity is cancelled because of the loss
    /// (Law 49/2019 Art 27.1, 28), the one cancellation the law lets be
    /// undone (Art 32.1: restoration).
    case reportedLost = "reported_lost"
    /// Its term has ended.
    case expired
    /// A Q679 entry and exit permit withdrawn on an exit ban (Q679 Art 7).
    case withdrawn

    /// Whether a document in this status may be used to cross.
    var isUsable: Bool { self == .issued || self == .restored }
}
