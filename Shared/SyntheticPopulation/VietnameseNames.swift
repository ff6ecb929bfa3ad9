/// Vietnamese names with their diacritics, weighted roughly as they occur.
enum VietnameseNames {
    /// Family names ("họ") with weights in tenths of a percent.
    static let family: [(String, Int)] = [
        ("Nguyễn", 380), ("Trần", 110), ("Lê", 95), ("Phạm", 70), ("Hoàng", 30), ("Huỳnh", 21),
        ("Phan", 45), ("Vũ", 22), ("Võ", 17), ("Đặng", 21), ("Bùi", 20), ("Đỗ", 14), ("Hồ", 13),
        ("Ngô", 13), ("Dương", 10), ("Lý", 5), ("Đinh", 8), ("Trịnh", 6), ("Đoàn", 5), ("Lương", 4),
        ("Mai", 4), ("Tô", 3), ("Trương", 6), ("Lâm", 4), ("Hà", 4), ("Cao", 3), ("Tạ", 2), ("Quách", 2),
    ]
    /// Middle names ("chữ đệm") given to men.
    static let middleMale = ["Văn", "Hữu", "Đức", "Minh", "Quang", "Thành", "Công", "Xuân", "Ngọc", "Trọng", "Hoài", "Tuấn", "Gia"]
    /// Middle names given to women.
    static let middleFemale = ["Thị", "Ngọc", "Thu", "Thanh", "Kim", "Mai", "Phương", "Hồng", "Bích", "Diệu", "Khánh", "Thùy"]
    /// Given names ("tên") of men.
    static let givenMale = [
        "An", "Bảo", "Cường", "Dũng", "Đạt", "Hải", "Hiếu", "Hùng", "Huy", "Khánh", "Khoa", "Long",
        "Minh", "Nam", "Phong", "Phúc", "Quân", "Sơn", "Thắng", "Tuấn", "Việt", "Vinh", "Đức", "Trí",
        "Lộc", "Nghĩa", "Tùng", "Thịnh", "Hoàng", "Kiên",
    ]
    /// Given names of women.
    static let givenFemale = [
        "Anh", "Chi", "Dung", "Giang", "Hà", "Hạnh", "Hằng", "Hoa", "Hương", "Lan", "Linh", "Loan",
        "Mai", "My", "Nga", "Ngân", "Nhung", "Oanh", "Phương", "Quỳnh", "Thảo", "Trang", "Trinh",
        "Uyên", "Vân", "Yến", "Thủy", "Ngọc", "Huyền", "Tuyết",
    ]
    /// Province codes of birth registration (Circular 59/2021/TT-BCA annex)
    /// with the province's name, for citizen IDs and residences.
    static let provinces: [(code: String, name: String)] = [
        ("001", "Hà Nội"), ("002", "Hà Giang"), ("004", "Cao Bằng"), ("006", "Bắc Kạn"), ("008", "Tuyên Quang"),
        ("010", "Lào Cai"), ("011", "Điện Biên"), ("012", "Lai Châu"), ("014", "Sơn La"), ("015", "Yên Bái"),
        ("017", "Hòa Bình"), ("019", "Thái Nguyên"), ("020", "Lạng Sơn"), ("022", "Quảng Ninh"), ("024", "Bắc Giang"),
        ("025", "Phú Thọ"), ("026", "Vĩnh Phúc"), ("027", "Bắc Ninh"), ("030", "Hải Dương"), ("031", "Hải Phòng"),
        ("033", "Hưng Yên"), ("034", "Thái Bình"), ("035", "Hà Nam"), ("036", "Nam Định"), ("037", "Ninh Bình"),
        ("038", "Thanh Hóa"), ("040", "Nghệ An"), ("042", "Hà Tĩnh"), ("044", "Quảng Bình"), ("045", "Quảng Trị"),
        ("046", "Thừa Thiên Huế"), ("048", "Đà Nẵng"), ("049", "Quảng Nam"), ("051", "Quảng Ngãi"), ("052", "Bình Định"),
        ("054", "Phú Yên"), ("056", "Khánh Hòa"), ("058", "Ninh Thuận"), ("060", "Bình Thuận"), ("062", "Kon Tum"),
        ("064", "Gia Lai"), ("066", "Đắk Lắk"), ("067", "Đắk Nông"), ("068", "Lâm Đồng"), ("070", "Bình Phước"),
        ("072", "Tây Ninh"), ("074", "Bình Dương"), ("075", "Đồng Nai"), ("077", "Bà Rịa - Vũng Tàu"), ("079", "Hồ Chí Minh"),
        ("080", "Long An"), ("082", "Tiền Giang"), ("083", "Bến Tre"), ("084", "Trà Vinh"), ("086", "Vĩnh Long"),
        ("087", "Đồng Tháp"), ("089", "An Giang"), ("091", "Kiên Giang"), ("092", "Cần Thơ"), ("093", "Hậu Giang"),
        ("094", "Sóc Trăng"), ("095", "Bạc Liêu"), ("096", "Cà Mau"),
    ]
    /// Streets for residence addresses.
    static let streets = ["Tràng Tiền", "Hàng Bài", "Lý Thường Kiệt", "Nguyễn Huệ", "Lê Lợi", "Đồng Khởi",
                          "Trần Hưng Đạo", "Hai Bà Trưng", "Điện Biên Phủ", "Võ Văn Tần", "Bạch Đằng", "Hùng Vương"]
}

/// Foreign names by nationality, with the letters their passports print.
enum ForeignNames {
    struct Pool: Sendable {
        var nationality: String
        var weight: Int
        var family: [String]
        var givenMale: [String]
        var givenFemale: [String]
    }

    static let pools: [Pool] = [
        Pool(nationality: "CHN", weight: 22, family: ["WANG", "LI", "ZHANG", "LIU", "CHEN", "YANG", "HUANG", "ZHAO", "WU", "ZHOU"],
             givenMale: ["WEI", "QIANG", "JUN", "HAO", "YONG"], givenFemale: ["FANG", "MIN", "JING", "LI NA", "XIU YING"]),
        Pool(nationality: "KOR", weight: 18, family: ["KIM", "LEE", "PARK", "CHOI", "JUNG", "KANG", "CHO", "YOON"],
             givenMale: ["MIN JUN", "SEO JUN", "JI HO", "HYUN WOO"], givenFemale: ["SEO YEON", "JI WOO", "HA EUN", "MIN SEO"]),
        Pool(nationality: "JPN", weight: 8, family: ["SATO", "SUZUKI", "TAKAHASHI", "TANAKA", "WATANABE", "ITO"],
             givenMale: ["HARUTO", "SOTA", "REN", "HIROSHI"], givenFemale: ["YUI", "HINA", "SAKURA", "AOI"]),
        Pool(nationality: "USA", weight: 10, family: ["Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "O'Brien"],
             givenMale: ["James", "John", "Robert", "Michael"], givenFemale: ["Mary", "Patricia", "Jennifer", "Linda"]),
        Pool(nationality: "GBR", weight: 4, family: ["Taylor", "Davies", "Evans", "Thomas", "Roberts"],
             givenMale: ["Oliver", "George", "Harry"], givenFemale: ["Olivia", "Amelia", "Isla"]),
        Pool(nationality: "AUS", weight: 5, family: ["Wilson", "Martin", "Anderson", "White"],
             givenMale: ["Jack", "William", "Noah"], givenFemale: ["Charlotte", "Mia", "Ava"]),
        Pool(nationality: "FRA", weight: 4, family: ["Martin", "Bernard", "Dubois", "Lefèvre", "Müller-Rousseau"],
             givenMale: ["Jean-Pierre", "François", "Étienne"], givenFemale: ["Élodie", "Chloé", "Anaïs"]),
        Pool(nationality: "DEU", weight: 4, family: ["Müller", "Schmidt", "Schneider", "Größer", "Weiß"],
             givenMale: ["Jürgen", "Lukas", "Jörg"], givenFemale: ["Anna", "Käthe", "Lea"]),
        Pool(nationality: "RUS", weight: 5, family: ["IVANOV", "SMIRNOV", "KUZNETSOV", "POPOV"],
             givenMale: ["ALEKSANDR", "DMITRII", "SERGEI"], givenFemale: ["ANASTASIIA", "MARIIA", "OLGA"]),
        Pool(nationality: "THA", weight: 4, family: ["SAETANG", "SRISUK", "WONGSAWAT", "CHAIYAPHUM"],
             givenMale: ["SOMCHAI", "ANAN", "KITTI"], givenFemale: ["SUDA", "MALEE", "NIRAN"]),
        Pool(nationality: "LAO", weight: 4, family: ["SOUVANNAVONG", "PHOMMACHANH", "KEOMANY", "VONGSA"],
             givenMale: ["BOUNMY", "KHAMPHANH", "SOMPHONE"], givenFemale: ["CHANTHALA", "MANIVONE", "NOY"]),
        Pool(nationality: "KHM", weight: 4, family: ["SOK", "CHAN", "KIM", "HENG", "LY"],
             givenMale: ["DARA", "SOPHEAK", "VISAL"], givenFemale: ["SREYMOM", "CHANTHOU", "BOPHA"]),
        Pool(nationality: "SGP", weight: 3, family: ["TAN", "LIM", "LEE", "NG"],
             givenMale: ["WEI MING", "JUN JIE"], givenFemale: ["XIN YI", "HUI MIN"]),
        Pool(nationality: "IND", weight: 5, family: ["SHARMA", "PATEL", "SINGH", "KUMAR"],
             givenMale: ["RAHUL", "AMIT", "ARJUN"], givenFemale: ["PRIYA", "ANANYA", "DIVYA"]),
    ]
}
