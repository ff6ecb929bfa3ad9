extension PostgresError {
    /// A SQLSTATE (five characters). Extensible: any code the server sends is kept,
    /// the named ones are those the suite classifies.
    public struct Code: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
        public var rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public init(_ rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// The first two characters: the class (`23` integrity constraint violation).
        public var codeClass: String { String(rawValue.prefix(2)) }

        // Class 08: connection exception.
        public static let connectionException = Code("08000")
        public static let connectionDoesNotExist = Code("08003")
        public static let connectionFailure = Code("08006")
        public static let sqlclientUnableToEstablishSQLConnection = Code("08001")
        public static let sqlserverRejectedEstablishmentOfSQLConnection = Code("08004")
        public static let protocolViolation = Code("08P01")
        // Class 0A, 22, 23.
        public static let featureNotSupported = Code("0A000")
        public static let dataException = Code("22000")
        public static let stringDataRightTruncation = Code("22001")
        public static let numericValueOutOfRange = Code("22003")
        public static let invalidDatetimeFormat = Code("22007")
        public static let datetimeFieldOverflow = Code("22008")
        public static let invalidTextRepresentation = Code("22P02")
        public static let invalidParameterValue = Code("22023")
        public static let integrityConstraintViolation = Code("23000")
        public static let restrictViolation = Code("23001")
        public static let notNullViolation = Code("23502")
        public static let foreignKeyViolation = Code("23503")
        public static let uniqueViolation = Code("23505")
        public static let checkViolation = Code("23514")
        public static let exclusionViolation = Code("23P01")
        // Class 25, 26, 28.
        public static let activeSQLTransaction = Code("25001")
        public static let readOnlySQLTransaction = Code("25006")
        public static let inFailedSQLTransaction = Code("25P02")
        public static let invalidSQLStatementName = Code("26000")
        public static let invalidAuthorizationSpecification = Code("28000")
        public static let invalidPassword = Code("28P01")
        // Class 40: transaction rollback.
        public static let transactionRollback = Code("40000")
        public static let serializationFailure = Code("40001")
        public static let deadlockDetected = Code("40P01")
        // Class 42: syntax error or access rule violation.
        public static let insufficientPrivilege = Code("42501")
        public static let syntaxError = Code("42601")
        public static let undefinedColumn = Code("42703")
        public static let undefinedTable = Code("42P01")
        public static let undefinedFunction = Code("42883")
        public static let duplicateTable = Code("42P07")
        public static let duplicateObject = Code("42710")
        // Class 53, 54, 55, 57, 58, XX.
        public static let insufficientResources = Code("53000")
        public static let diskFull = Code("53100")
        public static let outOfMemory = Code("53200")
        public static let tooManyConnections = Code("53300")
        public static let programLimitExceeded = Code("54000")
        public static let lockNotAvailable = Code("55P03")
        public static let objectInUse = Code("55006")
        public static let queryCanceled = Code("57014")
        public static let adminShutdown = Code("57P01")
        public static let crashShutdown = Code("57P02")
        public static let cannotConnectNow = Code("57P03")
        public static let databaseDropped = Code("57P04")
        public static let idleSessionTimeout = Code("57P05")
        public static let systemError = Code("58000")
        public static let ioError = Code("58030")
        public static let internalError = Code("XX000")
        public static let dataCorrupted = Code("XX001")
    }
}
