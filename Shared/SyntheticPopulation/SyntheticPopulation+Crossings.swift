extension SyntheticPopulation {
    /// The crossings of `person` with `documents` (from `documents(of:)`),
    /// oldest first: trips out and back (citizens) or in and out (foreigners),
    /// about five crossings per person on average, each with the travel
    /// document valid on that day and a checkpoint it may be used at.
    public func crossings(of person: SyntheticPerson, documents: [SyntheticDocument]) -> [SyntheticCrossing] {
        var rng = random(person.index, .crossings)
        let travel = documents.filter {
            switch $0.kind {
            case .ordinaryPassport, .officialPassport, .diplomaticPassport, .laissezPasser, .entryExitPermit: return true
            default: return false
            }
        }
        guard !travel.isEmpty else { return [] }
        let trips = rng.pick(weighted: [(0, 8), (1, 12), (2, 16), (3, 15), (4, 13), (5, 11), (7, 11), (10, 9), (15, 5)])
        let citizen = person.citizenID != nil
        var crossings: [SyntheticCrossing] = []
        let end = epochDays(referenceDate)
        // Trips spread over the last six years: a traveller's first trip
        // starts anywhere that leaves room for the rest (about 120 days each).
        var day = end - 6 * 365 + rng.below(max(1, 6 * 365 - trips * 120))
        for _ in 0..<trips {
            day += 5 + rng.below(200)
            let length = 2 + rng.below(25)
            guard day + length < end else { break }
            guard let document = travel.last(where: { epochDays($0.issuedOn) <= day && day + length <= epochDays($0.validUntil) })
            else { continue }
            let checkpoint = pickCheckpoint(&rng, for: document.kind)
            let back = document.kind == .laissezPasser ? checkpoint : pickCheckpoint(&rng, for: document.kind)
            for (leg, at) in [(0, day), (1, day + length)] {
                let point = leg == 0 ? checkpoint : back
                let isEntry = citizen ? leg == 1 : leg == 0
                let abc = point.abcGates > 0 && document.hasChip && rng.chance(45)
                let seconds = Int64(at) * 86_400 + Int64(rng.below(86_400)) - 7 * 3600
                let sequence = crossings.count
                crossings.append(SyntheticCrossing(
                    personIndex: person.index, documentSlot: document.slot, isEntry: isEntry, checkpointCode: point.code,
                    crossedAtEpochSeconds: seconds, abcGate: abc,
                    gateID: abc ? "\(point.code)-ABC-\(Self.pad(1 + rng.below(point.abcGates), 2))" : "",
                    requestID: requestID(person: person.index, sequence: sequence)))
            }
            day += length
        }
        return crossings
    }

    private func pickCheckpoint(_ rng: inout SplitMix64, for kind: SyntheticDocumentKind) -> SyntheticCheckpoint {
        if kind == .laissezPasser {
            // Law 49/2019 Art 2.5: a laissez-passer crosses land borders only.
            return SyntheticCheckpoints.all[rng.pick(SyntheticCheckpoints.landIndexes)]
        }
        let cumulative = SyntheticCheckpoints.cumulativeTraffic
        let roll = rng.below(cumulative[cumulative.count - 1])
        var index = 0
        while cumulative[index] <= roll { index += 1 }
        return SyntheticCheckpoints.all[index]
    }

    static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

    /// A stable UUID (version 4 layout) for a crossing's request id.
    func requestID(person: Int, sequence: Int) -> String {
        var rng = SplitMix64.forItem(seed: seed, index: UInt64(person) << 16 | UInt64(sequence), stream: 4)
        let high = (rng.next() & 0xFFFF_FFFF_FFFF_0FFF) | 0x0000_0000_0000_4000
        let low = (rng.next() & 0x3FFF_FFFF_FFFF_FFFF) | 0x8000_0000_0000_0000
        var bytes = [UInt8](repeating: UInt8(ascii: "-"), count: 36)
        var position = 0
        for word in [high, low] {
            for nibble in 0..<16 {
                if position == 8 || position == 13 || position == 18 || position == 23 { position += 1 }
                bytes[position] = Self.hexDigits[Int((word >> UInt64(60 - 4 * nibble)) & 0xF)]
                position += 1
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Days since 1970-01-01 of a date (days_from_civil).
    func epochDays(_ date: SyntheticDate) -> Int {
        let y = date.month <= 2 ? date.year - 1 : date.year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = date.month > 2 ? date.month - 3 : date.month + 9
        let doy = (153 * mp + 2) / 5 + date.day - 1
        return era * 146_097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719_468
    }
}
