import Foundation
import Postgres

/// The `person_revisions.details` of a person created by bulk intake's
/// direct path, built in Swift with the keys and values `to_jsonb(persons)`
/// gives for the same row (the staging path and the RPCs write it that way;
/// `jsonb_populate_record` reads either back: `PersonStore.history`).
enum PersonRevisionJSON {
    static func firstVersion(personID: UUID, details d: PersonDetails, intakeReference: String, source: String, unit: String,
                             actor: String, at now: String) -> PostgresJSON {
        var json = JSONObject()
        json.add("person_id", string: personID.text)
        json.add("citizen_id", string: d.citizenID?.digits)
        json.add("family_name", string: d.name.family)
        json.add("middle_name", string: d.name.middle)
        json.add("given_name", string: d.name.given)
        json.add("folded_name", string: d.foldedName)
        json.add("birth_year", number: d.dateOfBirth.year)
        json.add("birth_month", number: d.dateOfBirth.month)
        json.add("birth_day", number: d.dateOfBirth.day)
        json.add("sex", string: d.sex.rawValue)
        json.add("nationalities", strings: d.nationalities)
        json.add("residence_address", string: d.residenceAddress)
        json.add("residence_province", string: d.residenceProvince)
        json.add("residence_since_year", number: d.residenceSince?.year)
        json.add("residence_since_month", number: d.residenceSince?.month)
        json.add("residence_since_day", number: d.residenceSince?.day)
        json.add("biometric_subject_id", string: d.biometricSubjectID)
        json.add("remarks", string: d.remarks)
        json.add("intake_reference", string: intakeReference)
        json.add("version", number: 1)
        for prefix in ["created", "updated"] {
            json.add("\(prefix)_source", string: source)
            json.add("\(prefix)_unit_code", string: unit)
            json.add("\(prefix)_actor_id", string: actor)
            json.add("\(prefix)_at", string: now)
        }
        return PostgresJSON(bytes: json.finished())
    }
}

/// A JSON object written key by key (keys are plain ASCII names).
private struct JSONObject {
    private var bytes: [UInt8] = [0x7B]   // {

    mutating func add(_ key: String, string value: String?) {
        self.key(key)
        if let value { Self.append(string: value, to: &bytes) } else { bytes.append(contentsOf: "null".utf8) }
    }

    mutating func add(_ key: String, number value: Int?) {
        self.key(key)
        bytes.append(contentsOf: (value.map(String.init) ?? "null").utf8)
    }

    mutating func add(_ key: String, strings values: [String]) {
        self.key(key)
        bytes.append(0x5B)   // [
        for (index, value) in values.enumerated() {
            if index > 0 { bytes.append(0x2C) }
            Self.append(string: value, to: &bytes)
        }
        bytes.append(0x5D)   // ]
    }

    func finished() -> [UInt8] { bytes + [0x7D] }

    private mutating func key(_ key: String) {
        if bytes.count > 1 { bytes.append(0x2C) }
        Self.append(string: key, to: &bytes)
        bytes.append(0x3A)
    }

    /// A JSON string: quotes, backslashes and control characters escaped.
    private static func append(string: String, to bytes: inout [UInt8]) {
        bytes.append(0x22)
        for byte in string.utf8 {
            switch byte {
            case 0x22: bytes.append(contentsOf: [0x5C, 0x22])
            case 0x5C: bytes.append(contentsOf: [0x5C, 0x5C])
            case 0x0A: bytes.append(contentsOf: [0x5C, 0x6E])
            case 0x0D: bytes.append(contentsOf: [0x5C, 0x72])
            case 0x09: bytes.append(contentsOf: [0x5C, 0x74])
            case 0..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                bytes.append(contentsOf: [0x5C, 0x75, 0x30, 0x30, hex[Int(byte >> 4)], hex[Int(byte & 0xF)]])
            default: bytes.append(byte)
            }
        }
        bytes.append(0x22)
    }
}
