import CLibPQ

/// The two COPY formats: binary (the bind encoding of each value, the faster
/// one) and text (tab-separated, `\N` for NULL).
public enum PostgresCopyFormat: Sendable {
    case binary
    case text
}

extension PostgresConnection {
    /// Bulk-loads rows with `COPY … FROM STDIN`: `write` appends rows to the
    /// writer, which sends them in chunks of about 256 KiB as it goes. Returns
    /// the number of rows the server stored. When `write` throws, the COPY is
    /// aborted and nothing of it is stored (inside a transaction, the whole
    /// transaction fails).
    ///
    ///     try await connection.copyFrom(table: "crossings", columns: ["id", "at"]) { writer in
    ///         for crossing in batch { try await writer.appendRow(crossing.id, crossing.at) }
    ///     }
    @discardableResult
    public func copyFrom(table: String, schema: String? = nil, columns: [String],
                         format: PostgresCopyFormat = .binary,
                         _ write: (PostgresCopyWriter) async throws -> Void) async throws -> Int {
        let target = (schema.map { quoteIdentifier($0) + "." } ?? "") + quoteIdentifier(table)
        let columnList = columns.map(quoteIdentifier).joined(separator: ", ")
        let sql = "COPY \(target) (\(columnList)) FROM STDIN WITH (FORMAT \(format == .binary ? "binary" : "text"))"
        try await onThread { session in try session.beginCopy(sql) }
        let writer = PostgresCopyWriter(connection: self, format: format)
        do {
            try await write(writer)
            try await writer.flush(final: true)
        } catch {
            _ = try? await onThread { session in try session.endCopy(abortReason: "aborted by the client") }
            throw error
        }
        return try await onThread { session in try session.endCopy(abortReason: nil) }
    }
}

/// Collects COPY rows and sends them to the server in chunks.
/// Used only inside the `copyFrom` closure it was handed to.
public final class PostgresCopyWriter {
    private let connection: PostgresConnection
    private let format: PostgresCopyFormat
    private var buffer: [UInt8] = []
    private var field: [UInt8] = []
    private var started = false
    static let chunkSize = 256 * 1024

    init(connection: PostgresConnection, format: PostgresCopyFormat) {
        self.connection = connection
        self.format = format
        buffer.reserveCapacity(PostgresCopyWriter.chunkSize + 4096)
        if format == .binary {
            // Signature, flags, header extension length.
            buffer.append(contentsOf: Array("PGCOPY\n".utf8) + [0xFF, 0x0D, 0x0A, 0x00])
            buffer.appendBigEndian(Int32(0))
            buffer.appendBigEndian(Int32(0))
        }
    }

    /// Appends one row in binary format, values in column order
    /// (`Optional.none` is NULL).
    public func appendRow<each Value: PostgresEncodable>(_ values: repeat each Value) async throws {
        precondition(format == .binary, "appendRow needs FORMAT binary; use appendTextRow")
        var count: Int16 = 0
        for _ in repeat (each Value).self { count += 1 }
        buffer.appendBigEndian(count)
        for value in repeat each values {
            if value.isPostgresNull {
                buffer.appendBigEndian(Int32(-1))
            } else {
                field.removeAll(keepingCapacity: true)
                value.encode(into: &field)
                buffer.appendBigEndian(Int32(field.count))
                buffer.append(contentsOf: field)
            }
        }
        try await flush(final: false)
    }

    /// Appends one row in text format; nil is NULL. Tabs, newlines and
    /// backslashes in the values are escaped.
    public func appendTextRow(_ fields: [String?]) async throws {
        precondition(format == .text, "appendTextRow needs FORMAT text; use appendRow")
        for (index, value) in fields.enumerated() {
            if index > 0 { buffer.append(0x09) }
            guard let value else {
                buffer.append(contentsOf: [0x5C, 0x4E])   // \N
                continue
            }
            for byte in value.utf8 {
                switch byte {
                case 0x5C: buffer.append(contentsOf: [0x5C, 0x5C])
                case 0x09: buffer.append(contentsOf: [0x5C, 0x74])
                case 0x0A: buffer.append(contentsOf: [0x5C, 0x6E])
                case 0x0D: buffer.append(contentsOf: [0x5C, 0x72])
                default: buffer.append(byte)
                }
            }
        }
        buffer.append(0x0A)
        try await flush(final: false)
    }

    func flush(final: Bool) async throws {
        if final && format == .binary { buffer.appendBigEndian(Int16(-1)) }
        guard final || buffer.count >= PostgresCopyWriter.chunkSize else { return }
        guard !buffer.isEmpty else { return }
        let chunk = buffer
        buffer.removeAll(keepingCapacity: true)
        try await connection.onThread { session in try session.sendCopyData(chunk) }
    }
}

extension LibPQConnection {
    func beginCopy(_ sql: String) throws(PostgresError) {
        let rows = try check(PQexec(handle, sql))
        guard PQresultStatus(rows.result.handle) == PGRES_COPY_IN else {
            throw .protocolViolation("COPY did not enter COPY IN state")
        }
    }

    func sendCopyData(_ chunk: [UInt8]) throws(PostgresError) {
        let status = chunk.withUnsafeBufferPointer { bytes in
            bytes.withMemoryRebound(to: CChar.self) { PQputCopyData(handle, $0.baseAddress, Int32($0.count)) }
        }
        if status != 1 { throw error(from: nil) }
    }

    /// Ends the COPY (or aborts it with `abortReason`) and returns the rows stored.
    func endCopy(abortReason: String?) throws(PostgresError) -> Int {
        if PQputCopyEnd(handle, abortReason) != 1 { throw error(from: nil) }
        var stored = 0
        var failure: PostgresError?
        while let result = PQgetResult(handle) {
            do {
                stored = try check(result).affectedRows
            } catch {
                if failure == nil { failure = error }
            }
        }
        if let failure { throw failure }
        return stored
    }
}
