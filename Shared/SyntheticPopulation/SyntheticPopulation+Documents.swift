extension SyntheticPopulation {
    /// The documents of person `person`, oldest first; on average about 1.5
    /// per person. Numbers are unique per issuing state and kind.
    public func documents(of person: SyntheticPerson) -> [SyntheticDocument] {
        var rng = random(person.index, .documents)
        _ = rng.next(); _ = rng.next(); _ = rng.next()   // the draws isStateless / hasResidenceCard use
        var documents: [SyntheticDocument] = []
        // The 14th birthday; one born on 29 February turns 14 on the 28th.
        let adult = SyntheticDate(year: person.birthYear, month: max(person.birthMonth, 1), day: max(person.birthDay, 1))
            .adding(years: 14)
        func add(_ kind: SyntheticDocumentKind, state: String, authority: String, symbol: String = "", chip: Bool,
                 years: Int, issuedNoEarlierThan: SyntheticDate, status: SyntheticDocumentStatus = .issued) {
            let issued = issueDate(&rng, notBefore: max(issuedNoEarlierThan, adult))
            let until = issued.adding(years: years)
            var final = status
            if final == .issued && until < referenceDate { final = .expired }
            let slot = documents.count
            documents.append(SyntheticDocument(
                personIndex: person.index, slot: slot, kind: kind,
                number: number(kind: kind, state: state, person: person.index, slot: slot), issuingState: state,
                issuingAuthority: authority, symbol: symbol, hasChip: chip, issuedOn: issued, validUntil: until, status: final))
        }
        if person.citizenID != nil {
            let earliest = SyntheticDate(year: referenceDate.year - 12, month: 1, day: 1)
            if rng.chance(45) {
                // An older passport, now expired or cancelled on renewal.
                add(.ordinaryPassport, state: "VNM", authority: "Cục Quản lý xuất nhập cảnh", chip: false, years: 10,
                    issuedNoEarlierThan: SyntheticDate(year: referenceDate.year - 20, month: 1, day: 1),
                    status: rng.chance(30) ? .cancelled : .issued)
            }
            if rng.chance(85) {
                let status: SyntheticDocumentStatus = rng.pick(weighted: [(.issued, 970), (.reportedLost, 20), (.revoked, 10)])
                add(.ordinaryPassport, state: "VNM", authority: rng.pick(["Cục Quản lý xuất nhập cảnh", "Phòng QLXNC Công an Hà Nội",
                                                                          "Phòng QLXNC Công an TP Hồ Chí Minh"]),
                    chip: rng.chance(60), years: 10, issuedNoEarlierThan: earliest, status: status)
            }
            if rng.chance(2) {
                add(.officialPassport, state: "VNM", authority: "Cục Lãnh sự", chip: true, years: 5, issuedNoEarlierThan: earliest)
            }
            if rng.chance(0.5) {
                add(.diplomaticPassport, state: "VNM", authority: "Cục Lãnh sự", chip: true, years: 5, issuedNoEarlierThan: earliest)
            }
            if rng.chance(8) {
                add(.laissezPasser, state: "VNM", authority: "Phòng QLXNC Công an tỉnh Lạng Sơn", chip: false, years: 1,
                    issuedNoEarlierThan: SyntheticDate(year: referenceDate.year - 2, month: 1, day: 1))
            }
        } else {
            let stateless = person.nationalities == ["XXA"]
            let state = person.nationalities[0]
            let earliest = SyntheticDate(year: referenceDate.year - 9, month: 1, day: 1)
            if !stateless && rng.chance(30) {
                // An older passport of the same state, expired by now or soon.
                add(.ordinaryPassport, state: state, authority: "Passport authority of \(state)", chip: false,
                    years: 5, issuedNoEarlierThan: SyntheticDate(year: referenceDate.year - 14, month: 1, day: 1))
            }
            if !stateless {
                add(.ordinaryPassport, state: state, authority: "Passport authority of \(state)", chip: rng.chance(90),
                    years: 10, issuedNoEarlierThan: earliest)
            }
            if hasResidenceCard(person.index) {
                let permanent = !stateless && rng.chance(15)
                add(permanent ? .permanentResidenceCard : .temporaryResidenceCard, state: "VNM",
                    authority: "Cục Quản lý xuất nhập cảnh", chip: false, years: permanent ? 10 : 2,
                    issuedNoEarlierThan: SyntheticDate(year: referenceDate.year - 3, month: 1, day: 1))
                if stateless {
                    // Q679 Art 2-3: a permit, at most two years, with the card.
                    add(.entryExitPermit, state: "VNM", authority: "Cục Quản lý xuất nhập cảnh", chip: false, years: 2,
                        issuedNoEarlierThan: SyntheticDate(year: referenceDate.year - 2, month: 1, day: 1))
                }
            } else if !stateless && rng.chance(55) {
                add(.visa, state: "VNM", authority: "Cục Quản lý xuất nhập cảnh",
                    symbol: rng.pick(["DL", "DN1", "LĐ1", "EV", "TT"]), chip: false, years: 1,
                    issuedNoEarlierThan: SyntheticDate(year: referenceDate.year - 2, month: 1, day: 1))
            }
        }
        return documents
    }

    private func issueDate(_ rng: inout SplitMix64, notBefore: SyntheticDate) -> SyntheticDate {
        let lastYear = referenceDate.year - 1
        let firstYear = min(max(notBefore.year, 1960), lastYear)
        let year = rng.inRange(firstYear...lastYear)
        let month = rng.inRange(1...12)
        let day = rng.inRange(1...28)
        let date = SyntheticDate(year: year, month: month, day: day)
        return date < notBefore && notBefore < referenceDate ? notBefore : date
    }

    /// A plausible number for the kind and state, unique for (state, kind)
    /// as long as person * 8 + slot stays below 10^8 (12.5 million persons):
    /// serials are bijections of that global slot, scrambled so that numbers
    /// do not look sequential.
    func number(kind: SyntheticDocumentKind, state: String, person: Int, slot: Int) -> String {
        let global = person &* 8 &+ slot
        let block = global / 10_000_000
        let seven = Self.pad((global % 10_000_000) &* 4_827_137 % 10_000_000, 7)
        let serial8 = (global % 100_000_000) &* 48_271_397 % 100_000_000
        let eight = Self.pad(serial8, 8)
        let letters = ["C", "P", "N", "K", "H", "G", "E", "D", "M", "L"]
        let letter = letters[block % letters.count]
        switch (kind, state) {
        case (.ordinaryPassport, "VNM"): return letter + seven
        case (.officialPassport, _): return "B" + letter + seven
        case (.diplomaticPassport, _): return "A" + letter + seven
        case (.laissezPasser, _): return "GT" + letter + seven
        case (.entryExitPermit, _): return "XNC" + letter + seven
        case (.temporaryResidenceCard, _): return "TT" + eight
        case (.permanentResidenceCard, _): return "TR" + eight
        case (.visa, _): return "V" + eight
        case (.ordinaryPassport, "USA"), (.ordinaryPassport, "GBR"), (.ordinaryPassport, "AUS"): return "5" + eight
        case (.ordinaryPassport, "CHN"): return "E" + eight
        case (.ordinaryPassport, "KOR"): return "M" + eight
        case (.ordinaryPassport, "JPN"): return "T" + letter + seven
        case (.ordinaryPassport, "FRA"):
            return Self.pad(serial8 % 100, 2) + "FR" + Self.pad(serial8 / 100 % 100_000, 5) + String(serial8 / 10_000_000)
        case (.ordinaryPassport, _): return "N" + eight
        }
    }
}
