// Writes SyntheticPopulation data as CSV files for load-synthetic.sql, so that
// check.sh can prove the generator's data satisfies every key, check and
// foreign key of the schema. Compiled by check.sh with swiftc together with
// Shared/SyntheticPopulation (one module); not part of any target.
// Usage: csv <persons> <output folder>
import Foundation

let count = Int(CommandLine.arguments[1])!
let out = CommandLine.arguments[2]
let population = SyntheticPopulation(seed: 20_260_101)
func uuid(_ kind: Int, _ n: Int) -> String {
    let hex = String(n, radix: 16)
    return "\(kind)0000000-0000-4000-8000-" + String(repeating: "0", count: 12 - hex.count) + hex
}
func q(_ s: String) -> String { "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }
var persons = "", documents = "", numbers = "", crossings = "", citizens = ""
persons.reserveCapacity(count * 200)
let start = Date()
var nDocs = 0, nCross = 0
for i in 0..<count {
    let p = population.person(i)
    let folded = [p.familyName, p.middleName, p.givenName].joined(separator: " ")
    persons += [uuid(1, i), p.citizenID ?? "", q(p.familyName), q(p.middleName), q(p.givenName), q(folded),
                String(p.birthYear), p.birthMonth == 0 ? "" : String(p.birthMonth), p.birthDay == 0 ? "" : String(p.birthDay),
                p.sex.rawValue, q("{" + p.nationalities.joined(separator: ",") + "}"), q(p.residenceAddress), q(p.residenceProvince)].joined(separator: ",") + "\n"
    if let c = p.citizenID { citizens += "\(c),\(uuid(1, i))\n" }
    let docs = population.documents(of: p)
    for d in docs {
        let did = uuid(2, i * 8 + d.slot)
        documents += [uuid(1, i), did, d.kind.rawValue, d.number, d.issuingState, q(d.symbol), d.hasChip ? "t" : "f", q(d.issuingAuthority),
                      d.issuedOn.description, d.issuedOn.description, d.validUntil.description, d.status.rawValue].joined(separator: ",") + "\n"
        numbers += "\(d.number),\(d.issuingState),\(d.kind.rawValue),\(uuid(1, i)),\(did)\n"
        nDocs += 1
    }
    for (k, c) in population.crossings(of: p, documents: docs).enumerated() {
        let ts = Date(timeIntervalSince1970: TimeInterval(c.crossedAtEpochSeconds)).ISO8601Format()
        crossings += [uuid(1, i), uuid(3, i * 64 + k), c.requestID, uuid(2, i * 8 + c.documentSlot), c.isEntry ? "entry" : "exit",
                      c.checkpointCode, ts, c.abcGate ? "abc_gate" : "manual", c.gateID, p.nationalities[0]].joined(separator: ",") + "\n"
        nCross += 1
    }
}
let elapsed = Date().timeIntervalSince(start)
var checkpoints = ""
for c in SyntheticCheckpoints.all {
    checkpoints += [c.code, q(c.name), c.kind.rawValue, c.ministry.rawValue, c.borderCountry].joined(separator: ",") + "\n"
}
for (name, text) in [("persons", persons), ("citizen_ids", citizens), ("documents", documents), ("document_numbers", numbers),
                     ("crossings", crossings), ("checkpoints", checkpoints)] {
    try! text.write(toFile: "\(out)/\(name).csv", atomically: true, encoding: .utf8)
}
print("persons \(count) documents \(nDocs) crossings \(nCross) generated in \(String(format: "%.2f", elapsed)) s")
