import XCTest
@testable import RecordsService

final class NameFoldingTests: XCTestCase {
    func testUpperCaseWithoutMarksMatchesTheVietnameseName() {
        XCTAssertEqual(NameFolding.fold("Nguyễn Văn A"), "NGUYEN VAN A")
        XCTAssertEqual(NameFolding.fold("NGUYEN VAN A"), NameFolding.fold("Nguyễn Văn A"))
        XCTAssertEqual(NameFolding.fold("nguyen van a"), "NGUYEN VAN A")
    }

    func testDStrokeFoldsToD() {
        XCTAssertEqual(NameFolding.fold("Đặng Đức Đạt"), "DANG DUC DAT")
        XCTAssertEqual(NameFolding.fold("đỗ"), "DO")
    }

    func testEveryToneAndVowelMarkIsRemoved() {
        XCTAssertEqual(NameFolding.fold("àáảãạ ăằắẳẵặ âầấẩẫậ"), "AAAAA AAAAAA AAAAAA")
        XCTAssertEqual(NameFolding.fold("èéẻẽẹ êềếểễệ ìíỉĩị"), "EEEEE EEEEEE IIIII")
        XCTAssertEqual(NameFolding.fold("òóỏõọ ôồốổỗộ ơờớởỡợ"), "OOOOO OOOOOO OOOOOO")
        XCTAssertEqual(NameFolding.fold("ùúủũụ ưừứửữự ỳýỷỹỵ"), "UUUUU UUUUUU YYYYY")
        XCTAssertEqual(NameFolding.fold("Huỳnh Thị Quỳnh Hương"), "HUYNH THI QUYNH HUONG")
    }

    func testComposedAndDecomposedInputFoldAlike() {
        let composed = "Nguy\u{1EC5}n"                 // ễ as one scalar (NFC)
        let decomposed = "Nguye\u{0302}\u{0303}n"      // e + circumflex + tilde (NFD)
        let otherOrder = "Nguye\u{0303}\u{0302}n"      // marks in another order
        XCTAssertNotEqual(Array(composed.unicodeScalars), Array(decomposed.unicodeScalars))
        XCTAssertEqual(NameFolding.fold(composed), "NGUYEN")
        XCTAssertEqual(NameFolding.fold(decomposed), "NGUYEN")
        XCTAssertEqual(NameFolding.fold(otherOrder), "NGUYEN")
    }

    func testTheASCIIPathFoldsExactlyAsTheUnicodePath() {
        // Every ASCII character alone, between letters and at the edges, and
        // random ASCII strings: both paths give the same search form.
        for byte in UInt8(0)..<0x80 {
            let c = String(UnicodeScalar(byte))
            for text in [c, "a\(c)b", "\(c)x", "x\(c)", "o\(c)\(c) brien\(c)"] {
                XCTAssertEqual(NameFolding.foldASCII(text), NameFolding.foldUnicode(text), "byte \(byte)")
            }
        }
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<2_000 {
            let text = String(decoding: (0..<Int.random(in: 0...24, using: &generator)).map { _ in
                UInt8.random(in: 0..<0x80, using: &generator)
            }, as: UTF8.self)
            XCTAssertEqual(NameFolding.foldASCII(text), NameFolding.foldUnicode(text), "\(Array(text.utf8))")
        }
        XCTAssertNil(NameFolding.foldASCII("Nguyễn"))
        XCTAssertEqual(NameFolding.fold("O'Brien-Smith, John"), "OBRIEN SMITH JOHN")
    }

    func testWhiteSpaceIsCollapsedAndTrimmed() {
        XCTAssertEqual(NameFolding.fold("  Trần \t  Thị\n Lan  "), "TRAN THI LAN")
        XCTAssertEqual(NameFolding.fold("Lê\u{00A0}Văn"), "LE VAN")
        XCTAssertEqual(NameFolding.fold("   "), "")
    }

    func testForeignNamesFoldAsInAMachineReadableZone() {
        XCTAssertEqual(NameFolding.fold("Müller-Rousseau"), "MULLER ROUSSEAU")
        XCTAssertEqual(NameFolding.fold("O'Brien"), "OBRIEN")
        XCTAssertEqual(NameFolding.fold("Größer"), "GROSSER")
        XCTAssertEqual(NameFolding.fold("Søren Ærø"), "SOREN AERO")
        XCTAssertEqual(NameFolding.fold("Élodie"), "ELODIE")
    }

    func testAFullNameFoldsFamilyMiddleGivenAndSkipsEmptyParts() {
        XCTAssertEqual(NameFolding.fold(family: "Nguyễn", middle: "Văn", given: "An"), "NGUYEN VAN AN")
        XCTAssertEqual(NameFolding.fold(family: "KIM", middle: "", given: "MIN JUN"), "KIM MIN JUN")
        XCTAssertEqual(PersonName(family: "Phạm", middle: " ", given: "Hùng").folded, "PHAM HUNG")
    }

    func testAFoldedPrefixFindsTheName() {
        XCTAssertTrue(NameFolding.matches(name: "Nguyễn Văn An", prefix: "nguyen van"))
        XCTAssertTrue(NameFolding.matches(name: "Nguyễn Văn An", prefix: "NGUYỄN V"))
        XCTAssertFalse(NameFolding.matches(name: "Nguyễn Văn An", prefix: "Nguyen Thi"))
    }
}
