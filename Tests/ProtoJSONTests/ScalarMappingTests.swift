import ProtoJSON
import XCTest

/// Each scalar type's JSON form and its edge values.
final class ScalarMappingTests: XCTestCase {
    func testEveryScalarTypeRoundTripsAtItsExtremes() throws {
        let json = #"{"fInt32":-2147483648,"fInt64":"-9223372036854775808","fUint32":4294967295,"# +
            #""fUint64":"18446744073709551615","fSint32":-2147483648,"fSint64":"-9223372036854775808","# +
            #""fFixed32":4294967295,"fFixed64":"18446744073709551615","fSfixed32":-2147483648,"# +
            #""fSfixed64":"-9223372036854775808","fFloat":3.4028235e+38,"fDouble":1.7976931348623157e+308,"# +
            #""fBool":true,"fString":"x","fBytes":"AP8=","fEnum":"COLOUR_GREEN"}"#
        XCTAssertEqual(try reencode(json, Descriptors.scalars), json)
        let maxima = #"{"fInt32":2147483647,"fInt64":"9223372036854775807","fSint32":2147483647,"# +
            #""fSint64":"9223372036854775807","fSfixed32":2147483647,"fSfixed64":"9223372036854775807","# +
            #""fFloat":1e-45,"fDouble":5e-324}"#
        XCTAssertEqual(try reencode(maxima, Descriptors.scalars), maxima)
    }

    func testDefaultValuesAreLeftOutUnlessAskedFor() throws {
        let zeros = #"{"fInt32":0,"fInt64":"0","fBool":false,"fString":"","fBytes":"","fEnum":"COLOUR_UNSPECIFIED","fDouble":0}"#
        XCTAssertEqual(try reencode(zeros, Descriptors.scalars), "{}")
        let all = try reencode("{}", Descriptors.scalars, encoding: .init(emitDefaultValues: true))
        XCTAssertEqual(all, #"{"fInt32":0,"fInt64":"0","fUint32":0,"fUint64":"0","fSint32":0,"fSint64":"0","# +
            #""fFixed32":0,"fFixed64":"0","fSfixed32":0,"fSfixed64":"0","fFloat":0.0,"fDouble":0.0,"# +
            #""fBool":false,"fString":"","fBytes":"","fEnum":"COLOUR_UNSPECIFIED"}"#)
    }

    func testSixtyFourBitIntegersAreAcceptedAsNumbersAndKeepEveryDigit() throws {
        XCTAssertEqual(try reencode(#"{"fInt64":-9223372036854775808,"fUint64":18446744073709551615}"#, Descriptors.scalars),
                       #"{"fInt64":"-9223372036854775808","fUint64":"18446744073709551615"}"#)
        XCTAssertEqual(try reencode(#"{"fInt64":9007199254740993}"#, Descriptors.scalars), #"{"fInt64":"9007199254740993"}"#)
    }

    func testThirtyTwoBitIntegersAreAcceptedAsStringsAndIntegralExponents() throws {
        XCTAssertEqual(try reencode(#"{"fInt32":"-42","fUint32":"7","fSint32":1e3,"fFixed32":"1000e-3","fSfixed32":-2.0}"#,
                                    Descriptors.scalars),
                       #"{"fInt32":-42,"fUint32":7,"fSint32":1000,"fFixed32":1,"fSfixed32":-2}"#)
    }

    func testIntegersOutOfRangeOrWithFractionsAreRejected() {
        assertDecodingFails(#"{"fInt32":2147483648}"#, Descriptors.scalars, path: "fInt32", reason: "value out of range for int32")
        assertDecodingFails(#"{"fUint32":-1}"#, Descriptors.scalars, path: "fUint32", reason: "value out of range for uint32")
        assertDecodingFails(#"{"fInt64":"9223372036854775808"}"#, Descriptors.scalars, path: "fInt64",
                            reason: "value out of range for int64")
        assertDecodingFails(#"{"fUint64":"18446744073709551616"}"#, Descriptors.scalars, path: "fUint64",
                            reason: "value out of range for uint64")
        assertDecodingFails(#"{"fSint64":1e400}"#, Descriptors.scalars, path: "fSint64", reason: "value out of range for int64")
        assertDecodingFails(#"{"fInt32":1.5}"#, Descriptors.scalars, path: "fInt32",
                            reason: "expected an integer, got a number with a fraction")
        assertDecodingFails(#"{"fInt32":"1500e-3"}"#, Descriptors.scalars, path: "fInt32",
                            reason: "expected an integer, got a number with a fraction")
        assertDecodingFails(#"{"fInt32":"12abc"}"#, Descriptors.scalars, path: "fInt32",
                            reason: "expected an integer, got a string that is not a number")
        assertDecodingFails(#"{"fInt32":" 1"}"#, Descriptors.scalars, path: "fInt32",
                            reason: "expected an integer, got a string that is not a number")
        assertDecodingFails(#"{"fInt64":true}"#, Descriptors.scalars, path: "fInt64", reason: "expected an integer, got boolean")
    }

    func testNaNAndInfinitiesAreWrittenAsStrings() throws {
        let json = #"{"fFloat":"-Infinity","fDouble":"NaN"}"#
        XCTAssertEqual(try reencode(json, Descriptors.scalars), json)
        XCTAssertEqual(try reencode(#"{"fFloat":"Infinity","fDouble":"-Infinity"}"#, Descriptors.scalars),
                       #"{"fFloat":"Infinity","fDouble":"-Infinity"}"#)
    }

    func testFloatsAreWrittenInTheirShortestFormAndReadFromStrings() throws {
        XCTAssertEqual(try reencode(#"{"fFloat":0.1,"fDouble":"0.1"}"#, Descriptors.scalars), #"{"fFloat":0.1,"fDouble":0.1}"#)
        XCTAssertEqual(try reencode(#"{"fDouble":1e21,"fFloat":-2.5E-3}"#, Descriptors.scalars),
                       #"{"fFloat":-0.0025,"fDouble":1e+21}"#)
    }

    func testFloatsOutsideTheirRangeAreRejected() {
        assertDecodingFails(#"{"fFloat":3.5e38}"#, Descriptors.scalars, path: "fFloat", reason: "value out of range for float")
        assertDecodingFails(#"{"fDouble":1e309}"#, Descriptors.scalars, path: "fDouble", reason: "value out of range for double")
        assertDecodingFails(#"{"fDouble":"nan"}"#, Descriptors.scalars, path: "fDouble",
                            reason: "expected a number, \"NaN\", \"Infinity\" or \"-Infinity\", got another string")
    }

    func testBooleansAreOnlyTrueOrFalse() {
        assertDecodingFails(#"{"fBool":"true"}"#, Descriptors.scalars, path: "fBool", reason: "expected true or false, got string")
        assertDecodingFails(#"{"fBool":1}"#, Descriptors.scalars, path: "fBool", reason: "expected true or false, got number")
    }

    func testStringsKeepVietnameseDiacriticsAndEscapeControlCharacters() throws {
        let name = #"{"familyName":"Nguyễn","middleName":"Thị Ánh","givenName":"Hồng Ngọc"}"#
        XCTAssertEqual(try reencode(name, Descriptors.personName), name)
        let escaped = #"{"fString":"quote\" backslash\\ slash/ \b\f\n\r\t \u0001\u001f é 😀"}"#
        XCTAssertEqual(try reencode(escaped, Descriptors.scalars), escaped)
        XCTAssertEqual(try reencode(#"{"fString":"\u0110\u1eb7ng \ud83d\ude00 \/"}"#, Descriptors.scalars),
                       #"{"fString":"Đặng 😀 /"}"#)
    }

    func testDecomposedDiacriticsAreKeptAsWritten() throws {
        // "ễ" as e + circumflex + tilde (NFD): the codec does not normalise.
        let decomposed = "Nguye\u{0302}\u{0303}n"
        let json = try reencode(#"{"familyName":"\#(decomposed)"}"#, Descriptors.personName)
        XCTAssertEqual(Array(json.utf8), Array(#"{"familyName":"\#(decomposed)"}"#.utf8))
    }

    func testStringsWithANulCharacterAreRejected() {
        assertDecodingFails(#"{"fString":"a\u0000b"}"#, Descriptors.scalars, path: "fString",
                            reason: "strings may not contain U+0000 (protobuf-c strings end at NUL)")
    }

    func testBytesAreStandardBase64OnOutputAndAnyBase64OnInput() throws {
        XCTAssertEqual(try reencode(#"{"fBytes":"+/+/"}"#, Descriptors.scalars), #"{"fBytes":"+/+/"}"#)
        XCTAssertEqual(try reencode(#"{"fBytes":"-_-_"}"#, Descriptors.scalars), #"{"fBytes":"+/+/"}"#)
        XCTAssertEqual(try reencode(#"{"fBytes":"AQ"}"#, Descriptors.scalars), #"{"fBytes":"AQ=="}"#)
        XCTAssertEqual(try reencode(#"{"fBytes":"AQI"}"#, Descriptors.scalars), #"{"fBytes":"AQI="}"#)
        XCTAssertEqual(try reencode(#"{"fBytes":"AQID"}"#, Descriptors.scalars), #"{"fBytes":"AQID"}"#)
        assertDecodingFails(#"{"fBytes":"A"}"#, Descriptors.scalars, path: "fBytes", reason: "expected base64, got a string that is not")
        assertDecodingFails(#"{"fBytes":"AQ=a"}"#, Descriptors.scalars, path: "fBytes", reason: "expected base64, got a string that is not")
        assertDecodingFails(#"{"fBytes":"A Q=="}"#, Descriptors.scalars, path: "fBytes", reason: "expected base64, got a string that is not")
    }

    func testEnumsAreWrittenByNameAndReadByNameOrNumber() throws {
        XCTAssertEqual(try reencode(#"{"fEnum":"COLOUR_RED"}"#, Descriptors.scalars), #"{"fEnum":"COLOUR_RED"}"#)
        XCTAssertEqual(try reencode(#"{"fEnum":2}"#, Descriptors.scalars), #"{"fEnum":"COLOUR_GREEN"}"#)
        XCTAssertEqual(try reencode(#"{"fEnum":"1"}"#, Descriptors.scalars), #"{"fEnum":"COLOUR_RED"}"#)
    }

    func testUnknownEnumNumbersAreKeptAndWrittenAsNumbers() throws {
        XCTAssertEqual(try reencode(#"{"fEnum":99}"#, Descriptors.scalars), #"{"fEnum":99}"#)
        XCTAssertEqual(try reencode(#"{"fEnum":-7}"#, Descriptors.scalars), #"{"fEnum":-7}"#)
    }

    func testUnknownEnumNamesAreRejectedUnlessUnknownFieldsAreIgnored() throws {
        assertDecodingFails(#"{"fEnum":"COLOUR_BLUE"}"#, Descriptors.scalars, path: "fEnum",
                            reason: "unknown value name for enum protojson.test.Colour")
        let wire = try ProtoJSON.decode(json: #"{"fEnum":"COLOUR_BLUE","fInt32":1}"#, descriptor: Descriptors.scalars,
                                        options: .init(ignoreUnknownFields: true))
        XCTAssertEqual(try ProtoJSON.encode(wire: wire, descriptor: Descriptors.scalars), #"{"fInt32":1}"#)
    }

    func testNullLeavesAScalarAtItsDefault() throws {
        XCTAssertEqual(try reencode(#"{"fInt32":null,"fString":null,"fEnum":null,"fBytes":null}"#, Descriptors.scalars), "{}")
    }
}
