import Contracts
import TestContracts

/// The benchmark's message: a Vietnamese citizen with three documents. The C
/// (person_c.c) and Python (person_python.py) programs build the same content;
/// run.sh checks that all three encode it to the same bytes.
enum SamplePerson {
    static let message = Immigration_Testing_V1_PersonWithDocuments.with {
        $0.personID = "3f6c1e8a-5b2d-4c7e-9a41-0d2f7b8e6c15"
        $0.name = .with {
            $0.familyName = "Nguyễn"
            $0.middleName = "Thị Thanh"
            $0.givenName = "Hương"
        }
        $0.dateOfBirth = .with {
            $0.year = 1986
            $0.month = 4
            $0.day = 17
        }
        $0.sex = .female
        $0.nationality = "VNM"
        $0.documents = [
            document(.ordinaryPassport, "C1234567", "VNM", (2019, 3, 12), (2029, 3, 12), chip: true,
                     authority: "Cục Quản lý xuất nhập cảnh"),
            document(.visa, "JP4471823", "JPN", (2023, 6, 1), (2024, 5, 31), chip: false,
                     authority: "Đại sứ quán Nhật Bản tại Hà Nội"),
            document(.officialPassport, "B7654321", "VNM", (2017, 9, 5), (2022, 9, 5), chip: false,
                     authority: "Cục Lãnh sự - Bộ Ngoại giao"),
        ]
        $0.provenance = .with {
            $0.source = .procedure
            $0.unitCode = "A08-HN"
            $0.actorID = "officer-20417"
            $0.recordedAt = ProtoTimestamp(seconds: 1_730_535_330, nanos: 250_000_000)
        }
        $0.updatedAt = ProtoTimestamp(seconds: 1_730_535_331, nanos: 125_000_000)
    }

    private static func document(_ kind: Immigration_Common_V1_DocumentKind, _ number: String, _ state: String,
                                 _ issued: (Int32, Int32, Int32), _ expires: (Int32, Int32, Int32),
                                 chip: Bool, authority: String) -> Immigration_Testing_V1_TravelDocument {
        .with {
            $0.reference = .with {
                $0.kind = kind
                $0.number = number
                $0.issuingState = state
            }
            $0.issuedOn = .with { $0.year = issued.0; $0.month = issued.1; $0.day = issued.2 }
            $0.expiresOn = .with { $0.year = expires.0; $0.month = expires.1; $0.day = expires.2 }
            $0.hasChip = chip
            $0.issuingAuthority = authority
        }
    }
}
