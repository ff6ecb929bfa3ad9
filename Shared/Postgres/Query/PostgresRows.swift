import CLibPQ
import Synchronization

/// The rows a statement returned, read straight from libpq's result (no copy).
///
/// Immutable and safe to share between tasks; the result is freed when the last
/// reference goes.
public struct PostgresRows: Sendable, RandomAccessCollection {
    let result: PostgresResult

    public var startIndex: Int { 0 }
    public var endIndex: Int { result.rowCount }
    public subscript(position: Int) -> PostgresRow { PostgresRow(result: result, index: position) }

    /// Column names, in order.
    public var columns: [String] { result.columnNames }

    /// Rows inserted, updated, deleted, copied or selected (`PQcmdTuples`); 0 for other commands.
    public var affectedRows: Int { result.affectedRows }

    /// Decodes the first column of the first row, or nil when there is no row.
    public func scalar<T: PostgresDecodable>(_ type: T.Type) throws -> T? {
        guard let first else { return nil }
        return try first.decode(T.self, column: 0)
    }
}

/// One row; decode columns by position or name.
public struct PostgresRow: Sendable {
    let result: PostgresResult
    let index: Int

    public var columnCount: Int { result.columnCount }

    public func decode<T: PostgresDecodable>(_ type: T.Type, column: Int) throws(PostgresDecodingError) -> T {
        guard column >= 0, column < result.columnCount else {
            throw PostgresDecodingError(.noSuchColumn, swiftType: String(describing: T.self),
                                        postgresType: .unknown, column: String(column))
        }
        let columnType = result.columnType(column)
        do {
            return try T.decode(from: result.value(row: index, column: column), type: columnType)
        } catch {
            var error = error
            error.column = result.columnName(column)
            throw error
        }
    }

    public func decode<T: PostgresDecodable>(_ type: T.Type, column name: String) throws(PostgresDecodingError) -> T {
        guard let column = result.columnIndex(named: name) else {
            throw PostgresDecodingError(.noSuchColumn, swiftType: String(describing: T.self),
                                        postgresType: .unknown, column: name)
        }
        return try decode(T.self, column: column)
    }

    /// Decodes the leading columns as a tuple: `try row.decode((UUID, String, Int32?).self)`.
    public func decode<each T: PostgresDecodable>(_ types: (repeat each T).Type) throws(PostgresDecodingError)
        -> (repeat each T) {
        var column = 0
        func next<Value: PostgresDecodable>(_ type: Value.Type) throws(PostgresDecodingError) -> Value {
            defer { column += 1 }
            return try decode(Value.self, column: column)
        }
        return (repeat try next((each T).self))
    }
}

/// Owns a `PGresult` and frees it once.
///
/// Only the counts are read up front: column names, types and the command tag are
/// read from the result when asked (libpq keeps them), so a statement whose rows
/// are not looked at (an insert) costs no allocation here.
final class PostgresResult: @unchecked Sendable {
    // Immutable after creation; libpq allows reading a PGresult from any thread.
    let handle: OpaquePointer
    let rowCount: Int
    let columnCount: Int

    init(_ handle: OpaquePointer) {
        self.handle = handle
        rowCount = Int(PQntuples(handle))
        columnCount = Int(PQnfields(handle))
    }

    deinit { PQclear(handle) }

    var columnNames: [String] {
        (0..<columnCount).map { PQfname(handle, Int32($0)).map { String(cString: $0) } ?? "" }
    }

    func columnName(_ column: Int) -> String {
        PQfname(handle, Int32(column)).map { String(cString: $0) } ?? ""
    }

    /// The position of the column called `name` (exact, case-sensitive match; the
    /// first such column when several share it), if any. The names are read from
    /// libpq once per result, on the first lookup by name, not once per lookup.
    func columnIndex(named name: String) -> Int? {
        if let known = columnPositions.load() { return known.positions[name] }
        return columnPositions.storeIfNil(ColumnPositions(self)).positions[name]
    }

    /// Filled by the first lookup by name (several tasks may race to fill it; one wins).
    private let columnPositions = AtomicLazyReference<ColumnPositions>()

    var affectedRows: Int { Int(String(cString: PQcmdTuples(handle))) ?? 0 }

    var commandStatus: String { String(cString: PQcmdStatus(handle)) }

    func columnType(_ column: Int) -> PostgresType { PostgresType(PQftype(handle, Int32(column))) }

    func value(row: Int, column: Int) -> UnsafeRawBufferPointer? {
        if PQgetisnull(handle, Int32(row), Int32(column)) == 1 { return nil }
        let length = Int(PQgetlength(handle, Int32(row), Int32(column)))
        guard let start = PQgetvalue(handle, Int32(row), Int32(column)) else { return nil }
        return UnsafeRawBufferPointer(start: start, count: length)
    }
}

/// A result's column names to their positions, built once per result.
final class ColumnPositions: Sendable {
    let positions: [String: Int]

    init(_ result: PostgresResult) {
        var positions: [String: Int] = [:]
        positions.reserveCapacity(result.columnCount)
        for column in 0..<result.columnCount {
            let name = result.columnName(column)
            if positions[name] == nil { positions[name] = column }
        }
        self.positions = positions
    }
}
