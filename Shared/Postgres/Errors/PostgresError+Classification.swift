extension PostgresError {
    /// What kind of failure this is, for callers that decide a status or a retry.
    /// Complete: every SQLSTATE lands in exactly one category (`other` last).
    public enum Category: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
        /// 23505: a row with the same key exists.
        case uniqueViolation
        /// 23514: a CHECK constraint rejected the row.
        case checkViolation
        /// 23503 (and 23001): a referenced row is missing, or a referencing row exists.
        case foreignKeyViolation
        /// 23502.
        case notNullViolation
        /// 23P01.
        case exclusionViolation
        /// Class 22: the input could not be converted or is out of range.
        case invalidInput
        /// 40001: retry the whole transaction.
        case serializationFailure
        /// 40P01: retry the whole transaction.
        case deadlock
        /// The server cannot be reached or went away (class 08, 57P01–57P03,
        /// 53300, 57P05): the caller should try again later (gRPC UNAVAILABLE).
        case unavailable
        /// 57014: the statement timeout or a cancel request stopped the statement.
        case statementTimeout
        /// 55P03: lock_timeout or NOWAIT.
        case lockNotAvailable
        /// 42501 (and 28xxx): the role lacks the right.
        case insufficientPrivilege
        /// 25006: a write in a read-only transaction (a hot standby, for instance).
        case readOnly
        /// Class 53 other than 53300, and 54: the server ran out of something.
        case resourceExhausted
        /// Class 42 other than 42501, 0A, 26, 25 other than 25006: the SQL itself is
        /// wrong for this schema (a programming or migration error).
        case invalidStatement
        /// Everything else: internal errors, corruption, unknown codes.
        case other

        public var description: String { rawValue }
    }

    public var category: Category {
        switch code {
        case .uniqueViolation: return .uniqueViolation
        case .checkViolation: return .checkViolation
        case .foreignKeyViolation, .restrictViolation: return .foreignKeyViolation
        case .notNullViolation: return .notNullViolation
        case .exclusionViolation: return .exclusionViolation
        case .serializationFailure: return .serializationFailure
        case .deadlockDetected: return .deadlock
        case .adminShutdown, .crashShutdown, .cannotConnectNow, .tooManyConnections, .idleSessionTimeout,
             .databaseDropped:
            return .unavailable
        case .queryCanceled: return .statementTimeout
        case .lockNotAvailable: return .lockNotAvailable
        case .insufficientPrivilege: return .insufficientPrivilege
        case .readOnlySQLTransaction: return .readOnly
        default: break
        }
        switch code.codeClass {
        case "08": return .unavailable
        case "22": return .invalidInput
        case "28": return .insufficientPrivilege
        case "53", "54": return .resourceExhausted
        case "42", "0A", "26", "25", "3D", "3F", "2B", "34": return .invalidStatement
        case "23": return .checkViolation
        default: return .other
        }
    }

    public var isUniqueViolation: Bool { code == .uniqueViolation }
    public var isCheckViolation: Bool { code == .checkViolation }
    public var isForeignKeyViolation: Bool { category == .foreignKeyViolation }
    public var isSerializationFailure: Bool { code == .serializationFailure }
    public var isDeadlock: Bool { code == .deadlockDetected }
    /// Whether re-running the whole transaction may succeed (40001, 40P01).
    public var isRetryableTransactionFailure: Bool { isSerializationFailure || isDeadlock }
    /// Whether the database is down or unreachable (gRPC UNAVAILABLE).
    public var isUnavailable: Bool { category == .unavailable }
    /// Whether the connection that saw this error can no longer be used.
    public var isConnectionFatal: Bool {
        code.codeClass == "08" || [.adminShutdown, .crashShutdown, .cannotConnectNow, .idleSessionTimeout,
                                   .databaseDropped].contains(code)
    }
}
