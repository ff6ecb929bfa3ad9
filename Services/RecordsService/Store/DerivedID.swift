import COpenSSL
import Foundation

/// Ids the store derives from a request rather than draws at random, so that
/// a retry lands on the same row (docs/records.md, "Idempotency"): a name-based
/// UUID (RFC 9562 version 8, SHA-256 of a namespace and the name, version and
/// variant bits set) — the SHA-256 counterpart of UUIDv5.
enum DerivedID {
    static func uuid(namespace: String, name: String) -> UUID {
        let input = Array("\(namespace)\u{0}\(name)".utf8)
        var digest = [UInt8](repeating: 0, count: Int(SHA256_DIGEST_LENGTH))
        _ = input.withUnsafeBufferPointer { SHA256($0.baseAddress, $0.count, &digest) }
        digest[6] = (digest[6] & 0x0F) | 0x80
        digest[8] = (digest[8] & 0x3F) | 0x80
        return UUID(uuid: (digest[0], digest[1], digest[2], digest[3], digest[4], digest[5], digest[6], digest[7],
                           digest[8], digest[9], digest[10], digest[11], digest[12], digest[13], digest[14], digest[15]))
    }

    /// The person a CreatePerson request creates.
    static func person(requestID: UUID) -> UUID {
        uuid(namespace: "immigration.records.person", name: requestID.uuidString.lowercased())
    }

    /// The person an intake row describes.
    static func intakePerson(sourceSystem: String, sourceKey: String) -> UUID {
        uuid(namespace: "immigration.records.intake-person", name: "\(sourceSystem):\(sourceKey)")
    }
}

extension UUID {
    /// The lower-case text form the contract uses.
    var text: String { uuidString.lowercased() }
}
