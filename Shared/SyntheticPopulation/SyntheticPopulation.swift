/// A seeded, deterministic population of synthetic persons with their
/// documents and crossings, for demo data, tests and benchmarks. Person i is
/// computed from the seed and i alone, so any slice can be made without the
/// rest, in any order, on any thread; the same seed always gives the same
/// data. Nothing in it is a real person.
public struct SyntheticPopulation: Sendable {
    /// The seed every value derives from.
    public let seed: UInt64
    /// The day the data is "as of": no date of birth or issue after it;
    /// documents whose term ended before it are expired.
    public let referenceDate: SyntheticDate
    /// Percentage of persons who are Vietnamese citizens.
    public let citizenPercent: Double

    public init(seed: UInt64, referenceDate: SyntheticDate = SyntheticDate(year: 2026, month: 1, day: 1),
                citizenPercent: Double = 80) {
        self.seed = seed
        self.referenceDate = referenceDate
        self.citizenPercent = citizenPercent
    }

    enum Stream: UInt64 { case person = 1, documents = 2, crossings = 3 }

    func random(_ index: Int, _ stream: Stream) -> SplitMix64 {
        SplitMix64.forItem(seed: seed, index: UInt64(index), stream: stream.rawValue)
    }

    /// Person `index` (0-based).
    public func person(_ index: Int) -> SyntheticPerson {
        var rng = random(index, .person)
        let sex: SyntheticSex = rng.pick(weighted: [(.female, 495), (.male, 495), (.x, 10)])
        let isCitizen = rng.chance(citizenPercent)
        // Born between 1940 and 2020, never after the reference date.
        let birthYear = rng.inRange(1940...min(2020, referenceDate.year - 1))
        let birthMonth = rng.inRange(1...12)
        let birthDay = rng.inRange(1...SyntheticDate.daysIn(month: birthMonth, year: birthYear))
        // Brief, reading 11: some dates of birth are known only in part.
        let precision = rng.pick(weighted: [(2, 85), (1, 10), (0, 5)])
        var person = SyntheticPerson(
            index: index, sourceKey: "P\(index)", citizenID: nil, familyName: "", middleName: "", givenName: "",
            birthYear: birthYear, birthMonth: precision >= 1 ? birthMonth : 0, birthDay: precision == 2 ? birthDay : 0,
            sex: sex, nationalities: [], residenceAddress: "", residenceProvince: "")
        if isCitizen {
            fillCitizen(&person, &rng)
        } else {
            fillForeigner(&person, &rng)
        }
        return person
    }

    private func fillCitizen(_ person: inout SyntheticPerson, _ rng: inout SplitMix64) {
        let female = person.sex == .female || (person.sex == .x && rng.chance(50))
        person.familyName = rng.pick(weighted: VietnameseNames.family)
        person.middleName = rng.pick(female ? VietnameseNames.middleFemale : VietnameseNames.middleMale)
        person.givenName = rng.pick(female ? VietnameseNames.givenFemale : VietnameseNames.givenMale)
        if rng.chance(8) { person.middleName += " " + rng.pick(female ? VietnameseNames.middleFemale : VietnameseNames.middleMale) }
        person.nationalities = rng.chance(2) ? ["VNM", rng.pick(["USA", "FRA", "AUS", "CAN", "DEU"])] : ["VNM"]
        let province = rng.pick(VietnameseNames.provinces)
        person.citizenID = Self.citizenID(province: province.code, birthYear: person.birthYear, female: female, index: person.index)
        let home = rng.pick(VietnameseNames.provinces)
        person.residenceProvince = home.name
        person.residenceAddress = "\(rng.inRange(1...300)) \(rng.pick(VietnameseNames.streets)), \(home.name)"
    }

    private func fillForeigner(_ person: inout SyntheticPerson, _ rng: inout SplitMix64) {
        let pool = rng.pick(weighted: ForeignNames.pools.map { ($0, $0.weight) })
        let female = person.sex == .female || (person.sex == .x && rng.chance(50))
        person.familyName = rng.pick(pool.family)
        person.givenName = rng.pick(female ? pool.givenFemale : pool.givenMale)
        // Q679: a few foreign residents are stateless and hold no passport.
        if isStateless(person.index) {
            person.nationalities = ["XXA"]
        } else {
            person.nationalities = rng.chance(3) ? [pool.nationality, rng.pick(["GBR", "CAN", "SGP", "NZL"])] : [pool.nationality]
            if person.nationalities.count == 2 && person.nationalities[0] == person.nationalities[1] {
                person.nationalities.removeLast()
            }
        }
        if hasResidenceCard(person.index) {
            let city = rng.pick([("Hà Nội", "Hoàn Kiếm"), ("Hồ Chí Minh", "Quận 1"), ("Đà Nẵng", "Hải Châu")])
            person.residenceProvince = city.0
            person.residenceAddress = "\(rng.inRange(1...300)) \(rng.pick(VietnameseNames.streets)), \(city.1)"
        }
    }

    func isStateless(_ index: Int) -> Bool {
        var rng = random(index, .documents)
        _ = rng.next()
        return rng.chance(1.5)
    }

    func hasResidenceCard(_ index: Int) -> Bool {
        var rng = random(index, .documents)
        _ = rng.next(); _ = rng.next()
        return isStateless(index) || rng.chance(18)
    }

    /// A citizen ID number that passes the structure rules (Decree
    /// 137/2015/ND-CP Art 13; Circular 59/2021/TT-BCA Art 7): province code,
    /// century-and-sex code, year of birth, six digits. The six digits are a
    /// bijection of the index below 1,000,000, so numbers never repeat within
    /// the first million persons.
    static func citizenID(province: String, birthYear: Int, female: Bool, index: Int) -> String {
        let centuryCode = ((birthYear - 1900) / 100) * 2 + (female ? 1 : 0)
        let yy = birthYear % 100
        let serial = (index % 1_000_000) &* 817_337 % 1_000_000
        return province + String(centuryCode) + pad(yy, 2) + pad(serial, 6)
    }

    static func pad(_ value: Int, _ width: Int) -> String {
        let text = String(value)
        return String(repeating: "0", count: max(0, width - text.count)) + text
    }

    /// The first `count` persons.
    public func persons(_ count: Int) -> [SyntheticPerson] { (0..<count).map(person) }
}

extension SyntheticPopulation {
    /// The citizen ID number the generator would give (for tests of its
    /// uniqueness).
    public static func citizenIDForTesting(province: String, birthYear: Int, female: Bool, index: Int) -> String {
        citizenID(province: province, birthYear: birthYear, female: female, index: index)
    }
}
