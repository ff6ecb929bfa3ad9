/// `google.rpc.Status` with `google.rpc.BadRequest` details, encoded and
/// decoded by hand so that the runtime needs no generated contracts.
///
/// Wire shapes (field numbers from google/rpc/status.proto and error_details.proto):
/// Status { int32 code = 1; string message = 2; repeated Any details = 3; }
/// Any { string type_url = 1; bytes value = 2; }
/// BadRequest { repeated FieldViolation field_violations = 1; }
/// FieldViolation { string field = 1; string description = 2; }
enum StatusDetails {
    static let metadataKey = "grpc-status-details-bin"
    static let badRequestTypeURL = "type.googleapis.com/google.rpc.BadRequest"

    struct Decoded: Equatable {
        var code: Int32
        var message: String
        var fieldViolations: [FieldViolation]
    }

    /// The `grpc-status-details-bin` value for a status with field violations.
    static func encode(code: StatusCode, message: String, fieldViolations: [FieldViolation]) -> [UInt8] {
        var badRequest = ProtoWriter()
        for violation in fieldViolations {
            var entry = ProtoWriter()
            entry.string(1, violation.field)
            entry.string(2, violation.description)
            badRequest.bytes(1, entry.bytes)
        }
        var any = ProtoWriter()
        any.string(1, badRequestTypeURL)
        any.bytes(2, badRequest.bytes)
        var status = ProtoWriter()
        status.varint(1, UInt64(bitPattern: Int64(code.rawValue)))
        status.string(2, message)
        if !fieldViolations.isEmpty { status.bytes(3, any.bytes) }
        return status.bytes
    }

    /// Reads a `google.rpc.Status`; field violations are taken from every
    /// `BadRequest` detail. `nil` when the bytes are not a valid message.
    static func decode(_ bytes: [UInt8]) -> Decoded? {
        var decoded = Decoded(code: 0, message: "", fieldViolations: [])
        var reader = ProtoReader(bytes[...])
        do {
            while let (field, value) = try reader.next() {
                switch (field, value) {
                case (1, .varint(let code)): decoded.code = Int32(truncatingIfNeeded: code)
                case (2, .bytes(let text)): decoded.message = String(decoding: text, as: UTF8.self)
                case (3, .bytes(let any)): decoded.fieldViolations += try violations(inAny: any)
                default: continue
                }
            }
        } catch {
            return nil
        }
        return decoded
    }

    private static func violations(inAny any: ArraySlice<UInt8>) throws -> [FieldViolation] {
        var typeURL = ""
        var value = ArraySlice<UInt8>()
        var reader = ProtoReader(any)
        while let (field, item) = try reader.next() {
            if case .bytes(let bytes) = item {
                if field == 1 { typeURL = String(decoding: bytes, as: UTF8.self) }
                if field == 2 { value = bytes }
            }
        }
        guard typeURL == badRequestTypeURL else { return [] }
        var result: [FieldViolation] = []
        var badRequest = ProtoReader(value)
        while let (field, item) = try badRequest.next() {
            guard field == 1, case .bytes(let entry) = item else { continue }
            var violation = FieldViolation(field: "", description: "")
            var entryReader = ProtoReader(entry)
            while let (entryField, entryItem) = try entryReader.next() {
                guard case .bytes(let text) = entryItem else { continue }
                if entryField == 1 { violation.field = String(decoding: text, as: UTF8.self) }
                if entryField == 2 { violation.description = String(decoding: text, as: UTF8.self) }
            }
            result.append(violation)
        }
        return result
    }
}
