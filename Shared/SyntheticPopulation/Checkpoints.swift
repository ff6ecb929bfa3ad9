/// Real Vietnamese border checkpoints: international airports (MPS
/// immigration), land border gates and seaports (MND border guards).
public enum SyntheticCheckpoints {
    public static let all: [SyntheticCheckpoint] = [
        // Air, controlled by the Immigration Department (MPS).
        SyntheticCheckpoint(code: "HAN", name: "Cảng hàng không quốc tế Nội Bài", kind: .air, ministry: .publicSecurity, borderCountry: "", abcGates: 12),
        SyntheticCheckpoint(code: "SGN", name: "Cảng hàng không quốc tế Tân Sơn Nhất", kind: .air, ministry: .publicSecurity, borderCountry: "", abcGates: 16),
        SyntheticCheckpoint(code: "DAD", name: "Cảng hàng không quốc tế Đà Nẵng", kind: .air, ministry: .publicSecurity, borderCountry: "", abcGates: 6),
        SyntheticCheckpoint(code: "CXR", name: "Cảng hàng không quốc tế Cam Ranh", kind: .air, ministry: .publicSecurity, borderCountry: "", abcGates: 4),
        SyntheticCheckpoint(code: "PQC", name: "Cảng hàng không quốc tế Phú Quốc", kind: .air, ministry: .publicSecurity, borderCountry: "", abcGates: 2),
        SyntheticCheckpoint(code: "HPH", name: "Cảng hàng không quốc tế Cát Bi", kind: .air, ministry: .publicSecurity, borderCountry: "", abcGates: 0),
        // Land, controlled by the Border Guard (MND).
        SyntheticCheckpoint(code: "HUU-NGHI", name: "Cửa khẩu quốc tế Hữu Nghị", kind: .land, ministry: .nationalDefence, borderCountry: "CHN", abcGates: 2),
        SyntheticCheckpoint(code: "LAO-CAI", name: "Cửa khẩu quốc tế Lào Cai", kind: .land, ministry: .nationalDefence, borderCountry: "CHN", abcGates: 2),
        SyntheticCheckpoint(code: "MONG-CAI", name: "Cửa khẩu quốc tế Móng Cái", kind: .land, ministry: .nationalDefence, borderCountry: "CHN", abcGates: 2),
        SyntheticCheckpoint(code: "MOC-BAI", name: "Cửa khẩu quốc tế Mộc Bài", kind: .land, ministry: .nationalDefence, borderCountry: "KHM", abcGates: 2),
        SyntheticCheckpoint(code: "TINH-BIEN", name: "Cửa khẩu quốc tế Tịnh Biên", kind: .land, ministry: .nationalDefence, borderCountry: "KHM", abcGates: 0),
        SyntheticCheckpoint(code: "XA-MAT", name: "Cửa khẩu quốc tế Xa Mát", kind: .land, ministry: .nationalDefence, borderCountry: "KHM", abcGates: 0),
        SyntheticCheckpoint(code: "CAU-TREO", name: "Cửa khẩu quốc tế Cầu Treo", kind: .land, ministry: .nationalDefence, borderCountry: "LAO", abcGates: 0),
        SyntheticCheckpoint(code: "LAO-BAO", name: "Cửa khẩu quốc tế Lao Bảo", kind: .land, ministry: .nationalDefence, borderCountry: "LAO", abcGates: 2),
        SyntheticCheckpoint(code: "NA-MEO", name: "Cửa khẩu quốc tế Na Mèo", kind: .land, ministry: .nationalDefence, borderCountry: "LAO", abcGates: 0),
        SyntheticCheckpoint(code: "BO-Y", name: "Cửa khẩu quốc tế Bờ Y", kind: .land, ministry: .nationalDefence, borderCountry: "LAO", abcGates: 0),
        // Sea, controlled by the Border Guard (MND).
        SyntheticCheckpoint(code: "SEA-HAIPHONG", name: "Cửa khẩu cảng Hải Phòng", kind: .sea, ministry: .nationalDefence, borderCountry: "", abcGates: 0),
        SyntheticCheckpoint(code: "SEA-CAIMEP", name: "Cửa khẩu cảng Cái Mép", kind: .sea, ministry: .nationalDefence, borderCountry: "", abcGates: 0),
        SyntheticCheckpoint(code: "SEA-TIENSA", name: "Cửa khẩu cảng Tiên Sa (Đà Nẵng)", kind: .sea, ministry: .nationalDefence, borderCountry: "", abcGates: 0),
        SyntheticCheckpoint(code: "SEA-HONGAI", name: "Cửa khẩu cảng Hòn Gai", kind: .sea, ministry: .nationalDefence, borderCountry: "", abcGates: 0),
        SyntheticCheckpoint(code: "SEA-NHATRANG", name: "Cửa khẩu cảng Nha Trang", kind: .sea, ministry: .nationalDefence, borderCountry: "", abcGates: 0),
    ]

    /// Traffic weights, parallel to `all`: most crossings are at the big airports.
    static let trafficWeights: [Int] = all.map { checkpoint in
        switch checkpoint.code {
        case "SGN": return 300
        case "HAN": return 250
        case "DAD": return 80
        case "CXR", "PQC": return 40
        case "HPH": return 15
        case "HUU-NGHI", "MONG-CAI", "LAO-CAI", "MOC-BAI": return 30
        default: return checkpoint.kind == .land ? 10 : 5
        }
    }

    /// Running totals of `trafficWeights`, for picking by one random draw.
    static let cumulativeTraffic: [Int] = trafficWeights.reduce(into: []) { $0.append(($0.last ?? 0) + $1) }

    /// Indexes of the land checkpoints in `all`.
    static let landIndexes: [Int] = all.indices.filter { all[$0].kind == .land }
}
