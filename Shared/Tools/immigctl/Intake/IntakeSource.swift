import Contracts
import Foundation
import ProtoJSON

/// The rows of an intake file, NDJSON or CSV, each numbered by the line of
/// the file it starts on (what a rejection names, so an operator finds it).
///
/// NDJSON: one `immigration.records.v1.IntakeRow` in proto3 JSON per line
/// (`{"person": {"sourceKey": "…", "details": {…}}}`); blank lines are skipped.
/// CSV: a header row naming fields (`CSVColumns`), then one row per record.
/// A line that cannot be read is still a row, sent without a record so that
/// the server rejects it (`record: required`) and the job's rejections stay
/// complete; its local reason is returned in `problem`.
final class IntakeSource {
    enum Format: String, CaseIterable, Sendable { case ndjson, csv }

    /// One source row.
    struct Row {
        var row: Immigration_Records_V1_IntakeRow
        /// Why the line could not be read (the row then has no record).
        var problem: String?
    }

    private let reader: LineReader
    private let format: Format
    private var csv = CSVRecordReader()
    private var columns: CSVColumns?
    private let rowType: MessageType

    var bytesRead: Int64 { reader.bytesRead }

    init(handle: FileHandle, format: Format) throws(CommandFailure) {
        reader = LineReader(handle: handle)
        self.format = format
        rowType = try MessageType(named: CSVColumns.rowType)
    }

    /// Reads the CSV header (no-op for NDJSON).
    func readHeader() throws(CommandFailure) {
        guard format == .csv else { return }
        var header: [String]?
        do {
            while header == nil, let line = try reader.next() {
                header = try csv.feed(line)
            }
        } catch let error as CSVRecordReader.Malformed {
            throw CommandFailure("CSV header: \(error.reason)")
        } catch {
            throw CommandFailure("reading the input: \(error)")
        }
        guard let header else { throw CommandFailure("the CSV file is empty: a header row naming fields is required") }
        columns = try CSVColumns(header: header)
    }

    /// The next row, or nil at the end. With `decode` false the row is only
    /// counted (a batch being skipped on resume): its record is left empty.
    func next(decode: Bool = true) throws(CommandFailure) -> Row? {
        do {
            while let line = try reader.next() {
                let number = Int64(reader.lineNumber)
                switch format {
                case .ndjson:
                    if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { continue }
                    return decode ? self.decode(json: line, number: number) : Row(row: .with { $0.rowNumber = number })
                case .csv:
                    let first = csv.isPending ? nil : number
                    let record: [String]?
                    do {
                        record = try csv.feed(line)
                    } catch let error {
                        return Row(row: .with { $0.rowNumber = number }, problem: "not CSV: \(error.reason)")
                    }
                    guard let record else { continue }
                    let rowNumber = first ?? number
                    if record == [""] { continue }
                    guard decode else { return Row(row: .with { $0.rowNumber = rowNumber }) }
                    do {
                        return self.decode(json: Array(try columns!.json(record).utf8), number: rowNumber)
                    } catch {
                        return Row(row: .with { $0.rowNumber = rowNumber }, problem: error.message)
                    }
                }
            }
        } catch let error as CommandFailure {
            throw error
        } catch {
            throw CommandFailure("reading the input: \(error)")
        }
        if csv.isPending { throw CommandFailure("the CSV input ends inside a quoted field") }
        return nil
    }

    private func decode(json: [UInt8], number: Int64) -> Row {
        do {
            let wire = try rowType.decode(json: json, ignoreUnknownFields: false)
            var row = try Immigration_Records_V1_IntakeRow(serializedBytes: wire.bytes)
            row.rowNumber = number
            return Row(row: row)
        } catch let error as ProtoJSONError {
            return Row(row: .with { $0.rowNumber = number }, problem: error.description)
        } catch {
            return Row(row: .with { $0.rowNumber = number }, problem: "\(error)")
        }
    }
}
