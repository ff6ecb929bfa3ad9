/// A nationality as an ISO 3166-1 alpha-3 code, as in a machine-readable
/// zone (D77 Art 4.1b: nationality). A person may hold several. The list is
/// data: ISO 3166-1 alpha-3 plus the codes ICAO 9303 Part 3 adds for
/// travellers without a usual nationality.
enum NationalityCode {
    /// ISO 3166-1 alpha-3, officially assigned codes.
    static let iso3166Alpha3: Set<String> = Set("""
    AFG ALA ALB DZA ASM AND AGO AIA ATA ATG ARG ARM ABW AUS AUT AZE BHS BHR BGD BRB BLR BEL BLZ BEN BMU
    BTN BOL BES BIH BWA BVT BRA IOT BRN BGR BFA BDI CPV KHM CMR CAN CYM CAF TCD CHL CHN CXR CCK COL COM
    COG COD COK CRI CIV HRV CUB CUW CYP CZE DNK DJI DMA DOM ECU EGY SLV GNQ ERI EST SWZ ETH FLK FRO FJI
    FIN FRA GUF PYF ATF GAB GMB GEO DEU GHA GIB GRC GRL GRD GLP GUM GTM GGY GIN GNB GUY HTI HMD VAT HND
    HKG HUN ISL IND IDN IRN IRQ IRL IMN ISR ITA JAM JPN JEY JOR KAZ KEN KIR PRK KOR KWT KGZ LAO LVA LBN
    LSO LBR LBY LIE LTU LUX MAC MDG MWI MYS MDV MLI MLT MHL MTQ MRT MUS MYT MEX FSM MDA MCO MNG MNE MSR
    MAR MOZ MMR NAM NRU NPL NLD NCL NZL NIC NER NGA NIU NFK MKD MNP NOR OMN PAK PLW PSE PAN PNG PRY PER
    PHL PCN POL PRT PRI QAT REU ROU RUS RWA BLM SHN KNA LCA MAF SPM VCT WSM SMR STP SAU SEN SRB SYC SLE
    SGP SXM SVK SVN SLB SOM ZAF SGS SSD ESP LKA SDN SUR SJM SWE CHE SYR TWN TJK TZA THA TLS TGO TKL TON
    TTO TUN TUR TKM TCA TUV UGA UKR ARE GBR USA UMI URY UZB VUT VEN VNM VGB VIR WLF ESH YEM ZMB ZWE
    """.split(whereSeparator: { $0 == " " || $0 == "\n" }).map(String.init))

    /// ICAO 9303 Part 3 codes: stateless (XXA), refugees (XXB, XXC),
    /// unspecified (XXX), United Nations (UNO, UNA, UNK), the EU (EUE),
    /// British nationality categories (GBD, GBN, GBO, GBP, GBS) and Kosovo (RKS).
    static let icaoAdditions: Set<String> = [
        "XXA", "XXB", "XXC", "XXX", "UNO", "UNA", "UNK", "EUE", "GBD", "GBN", "GBO", "GBP", "GBS", "RKS",
    ]

    /// Every accepted code.
    static let accepted: Set<String> = iso3166Alpha3.union(icaoAdditions)

    /// Vietnam.
    static let vietnam = "VNM"

    /// Checks one code: three upper-case letters from the list.
    static func validated(_ code: String, field: String) throws(ValidationError) -> String {
        guard accepted.contains(code) else {
            throw ValidationError(field: field, rule: "iso3166_alpha3", "not an ISO 3166-1 alpha-3 (or ICAO 9303) code")
        }
        return code
    }

    /// Checks a person's nationalities: at least one (XXA for a stateless
    /// person), each from the list, none twice.
    static func validatedList(_ codes: [String], field: String) throws(ValidationError) -> [String] {
        guard !codes.isEmpty else {
            throw ValidationError(field: field, rule: "required", "at least one nationality (XXA for a stateless person)")
        }
        var seen = Set<String>()
        for (index, code) in codes.enumerated() {
            _ = try validated(code, field: "\(field)[\(index)]")
            guard seen.insert(code).inserted else {
                throw ValidationError(field: "\(field)[\(index)]", rule: "no_duplicates", "the same nationality twice")
            }
        }
        return codes
    }
}
