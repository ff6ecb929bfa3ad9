import ProtoJSON
import XCTest

/// Timestamp, Duration, the wrappers, Empty and Any.
final class WellKnownTypeTests: XCTestCase {
    func testTimestampsAreRFC3339InUTCWithZeroThreeSixOrNineFractionalDigits() throws {
        let cases = [
            ("1970-01-01T00:00:00Z", "1970-01-01T00:00:00Z"),
            ("1972-01-01T10:00:20.021Z", "1972-01-01T10:00:20.021Z"),
            ("2024-02-29T23:59:59.5Z", "2024-02-29T23:59:59.500Z"),
            ("2024-02-29T23:59:59.000001Z", "2024-02-29T23:59:59.000001Z"),
            ("2024-02-29T23:59:59.123456789Z", "2024-02-29T23:59:59.123456789Z"),
            ("2024-02-29T23:59:59.1234Z", "2024-02-29T23:59:59.123400Z"),
            ("1969-12-31T23:59:59.999999999Z", "1969-12-31T23:59:59.999999999Z"),
            ("0001-01-01T00:00:00Z", "0001-01-01T00:00:00Z"),
            ("9999-12-31T23:59:59.999999999Z", "9999-12-31T23:59:59.999999999Z"),
            ("2025-01-01T07:00:00+07:00", "2025-01-01T00:00:00Z"),
            ("2024-12-31t20:30:00-03:30z".replacingOccurrences(of: "z", with: ""), "2025-01-01T00:00:00Z"),
        ]
        for (input, output) in cases {
            XCTAssertEqual(try reencode(#"{"at":"\#(input)"}"#, Descriptors.wellKnown), #"{"at":"\#(output)"}"#, input)
        }
        XCTAssertEqual(try reencode(#""1900-03-01T00:00:00Z""#, Descriptors.timestamp), #""1900-03-01T00:00:00Z""#)
    }

    func testInvalidTimestampsAreRejected() {
        for text in ["2024-02-30T00:00:00Z", "2023-02-29T00:00:00Z", "2024-01-01T24:00:00Z", "2024-01-01T00:00:60Z",
                     "2024-01-01 00:00:00Z", "2024-01-01T00:00:00", "2024-01-01T00:00:00.Z", "10000-01-01T00:00:00Z",
                     "0000-12-31T23:59:59Z", "2024-01-01T00:00:00.1234567890Z", "0001-01-01T00:00:00+00:01"] {
            assertDecodingFails(#"{"at":"\#(text)"}"#, Descriptors.wellKnown, path: "at",
                                reason: "expected an RFC 3339 timestamp such as \"2024-01-31T08:30:00Z\" between years 1 and 9999")
        }
        assertDecodingFails(#"{"at":0}"#, Descriptors.wellKnown, path: "at",
                            reason: "expected an RFC 3339 timestamp string, got number")
    }

    func testTimestampsOutsideTheRangeHaveNoCanonicalJSONAndAreShownAsTheirFields() throws {
        // Timestamp{seconds: 253402300800} (year 10000): field 1 varint.
        var wire: [UInt8] = [0x08]
        var seconds: UInt64 = 253_402_300_800
        while seconds >= 0x80 { wire.append(UInt8(seconds & 0x7F) | 0x80); seconds >>= 7 }
        wire.append(UInt8(seconds))
        XCTAssertThrowsError(try ProtoJSON.encodeCanonical(wire: wire, descriptor: Descriptors.timestamp)) { error in
            XCTAssertEqual((error as? ProtoJSONError)?.reason,
                           "Timestamp is outside 0001-01-01T00:00:00Z to 9999-12-31T23:59:59.999999999Z")
        }
        XCTAssertEqual(try ProtoJSON.encode(wire: wire, descriptor: Descriptors.timestamp), #"{"seconds":"253402300800"}"#)
        // Negative nanos: field 2 = -1.
        let negativeNanos: [UInt8] = [0x10] + Array(repeating: 0xFF, count: 9) + [0x01]
        XCTAssertThrowsError(try ProtoJSON.encodeCanonical(wire: negativeNanos, descriptor: Descriptors.timestamp))
        XCTAssertEqual(try ProtoJSON.encode(wire: negativeNanos, descriptor: Descriptors.timestamp), #"{"nanos":-1}"#)
        // Duration with seconds and nanos of different signs.
        let mixedSigns: [UInt8] = [0x08, 0x01, 0x10] + Array(repeating: 0xFF, count: 9) + [0x01]
        XCTAssertThrowsError(try ProtoJSON.encodeCanonical(wire: mixedSigns, descriptor: Descriptors.duration)) { error in
            XCTAssertEqual((error as? ProtoJSONError)?.reason, "Duration is out of range or its seconds and nanos differ in sign")
        }
        XCTAssertEqual(try ProtoJSON.encode(wire: mixedSigns, descriptor: Descriptors.duration), #"{"seconds":"1","nanos":-1}"#)
    }

    func testDurationsAreSecondsWithAnSSuffix() throws {
        let cases = [("1.5s", "1.500s"), ("0s", "0s"), ("-0.5s", "-0.500s"), ("3s", "3s"), ("0.000000001s", "0.000000001s"),
                     ("-315576000000.999999999s", "-315576000000.999999999s"), ("315576000000s", "315576000000s"),
                     ("1.000001s", "1.000001s")]
        for (input, output) in cases {
            XCTAssertEqual(try reencode(#"{"took":"\#(input)"}"#, Descriptors.wellKnown), #"{"took":"\#(output)"}"#, input)
        }
        for text in ["1", "1.s", "s", "-s", "1.0000000001s", "315576000001s", "1e3s", " 1s", "+1s"] {
            assertDecodingFails(#"{"took":"\#(text)"}"#, Descriptors.wellKnown, path: "took",
                                reason: "expected a duration such as \"1.5s\" within ±315576000000s")
        }
    }

    func testRetryInfoCarriesItsDelayAsADuration() throws {
        XCTAssertEqual(try reencode(#"{"retryDelay":"30s"}"#, Descriptors.retryInfo), #"{"retryDelay":"30s"}"#)
    }

    func testWrappersAreTheirBareValueEvenWhenZero() throws {
        let json = #"{"int32Value":0,"int64Value":"-9223372036854775808","uint32Value":4294967295,"# +
            #""uint64Value":"18446744073709551615","floatValue":"NaN","doubleValue":-0.5,"boolValue":false,"# +
            #""stringValue":"","bytesValue":"AA=="}"#
        XCTAssertEqual(try reencode(json, Descriptors.wellKnown), json)
        XCTAssertEqual(try reencode(#"{"int32Value":null,"stringValue":null}"#, Descriptors.wellKnown), "{}")
        XCTAssertEqual(try reencode(#""x""#, Descriptors.stringValue), #""x""#)
        XCTAssertEqual(try reencode(#"12"#, Descriptors.int64Value), #""12""#)
    }

    func testWrapperValuesFollowTheirScalarRules() {
        assertDecodingFails(#"{"int32Value":"x"}"#, Descriptors.wellKnown, path: "int32Value",
                            reason: "expected an integer, got a string that is not a number")
        assertDecodingFails(#"{"boolValue":{"value":true}}"#, Descriptors.wellKnown, path: "boolValue",
                            reason: "expected true or false, got object")
    }

    func testEmptyIsAnEmptyObject() throws {
        XCTAssertEqual(try reencode(#"{"nothing":{}}"#, Descriptors.wellKnown), #"{"nothing":{}}"#)
        assertDecodingFails(#"{"nothing":{"x":1}}"#, Descriptors.wellKnown, path: "nothing",
                            reason: #"unknown field "x" in google.protobuf.Empty"#)
    }

    func testRepeatedTimestampsAndDurationsAreArraysOfStrings() throws {
        let json = #"{"times":["2024-01-01T00:00:00Z","1970-01-01T00:00:00Z"],"durations":["0s","-1s"]}"#
        XCTAssertEqual(try reencode(json, Descriptors.wellKnown), json)
    }

    func testAnyInlinesTheFieldsOfARegisteredMessage() throws {
        let json = #"{"anything":{"@type":"type.googleapis.com/protojson.test.Scalars","fInt64":"-1","fString":"Hội An"}}"#
        XCTAssertEqual(try reencode(json, Descriptors.wellKnown), json)
        // "@type" may come anywhere in the object.
        XCTAssertEqual(try reencode(#"{"anything":{"fInt64":"-1","fString":"Hội An","@type":"type.googleapis.com/protojson.test.Scalars"}}"#,
                                    Descriptors.wellKnown), json)
    }

    func testAnyHoldingAWellKnownTypeUsesAValueMember() throws {
        let json = #"{"many":[{"@type":"type.googleapis.com/google.protobuf.Timestamp","value":"2024-01-01T00:00:00Z"},"# +
            #"{"@type":"type.googleapis.com/google.protobuf.Duration","value":"1s"},"# +
            #"{"@type":"type.googleapis.com/google.protobuf.Any","value":{"@type":"type.googleapis.com/google.protobuf.Empty"}},"# +
            #"{"@type":"type.googleapis.com/google.protobuf.Int64Value","value":"5"},{}]}"#
        XCTAssertEqual(try reencode(json, Descriptors.wellKnown), json)
    }

    func testStatusDetailsCarryErrorDetailsAsAny() throws {
        let json = #"{"code":3,"message":"bad request","details":[{"@type":"type.googleapis.com/google.rpc.BadRequest","# +
            #""fieldViolations":[{"field":"person.name","description":"required"}]},"# +
            #"{"@type":"type.googleapis.com/google.rpc.ErrorInfo","reason":"R","domain":"immigration.example","# +
            #""metadata":{"field":"person.name"}}]}"#
        XCTAssertEqual(try reencode(json, Descriptors.status), json)
    }

    func testAnyWithATypeOutsideTheRegistryIsAnError() throws {
        assertDecodingFails(#"{"anything":{"@type":"type.googleapis.com/x.Unknown"}}"#, Descriptors.wellKnown, path: "anything",
                            reason: #"Any names type "x.Unknown", which is not in the type registry"#)
        assertDecodingFails(#"{"anything":{"fInt32":1}}"#, Descriptors.wellKnown, path: "anything",
                            reason: #"google.protobuf.Any needs an "@type" member"#)
        assertDecodingFails(#"{"anything":{"@type":"noslash"}}"#, Descriptors.wellKnown, path: "anything",
                            reason: #""@type" must be a type URL such as "type.googleapis.com/google.rpc.BadRequest""#)
        assertDecodingFails(#"{"anything":{"@type":"type.googleapis.com/protojson.test.Scalars","fInt32":"x"}}"#,
                            Descriptors.wellKnown, path: "anything.fInt32",
                            reason: "expected an integer, got a string that is not a number")
    }

    func testAnAnyOfAnUnregisteredTypeIsShownAsItsBytesAndReadBack() throws {
        let wire = try ProtoJSON.decode(json: #"{"anything":{"@type":"type.googleapis.com/protojson.test.Scalars","fInt32":1}}"#,
                                        descriptor: Descriptors.wellKnown, options: .init(typeRegistry: Descriptors.registry))
        XCTAssertThrowsError(try ProtoJSON.encodeCanonical(wire: wire, descriptor: Descriptors.wellKnown)) { error in
            XCTAssertEqual(error as? ProtoJSONError,
                           ProtoJSONError(path: "anything",
                                          reason: #"Any holds type "protojson.test.Scalars", which is not in the type registry"#))
        }
        let shown = try ProtoJSON.encode(wire: wire, descriptor: Descriptors.wellKnown)
        XCTAssertEqual(shown, #"{"anything":{"@type":"type.googleapis.com/protojson.test.Scalars","value":"CAE="}}"#)
        // Without the registry, the shown form decodes back to the same bytes.
        XCTAssertEqual(try ProtoJSON.decode(json: shown, descriptor: Descriptors.wellKnown), wire)
        assertDecodingFails(#"{"anything":{"@type":"type.googleapis.com/x.Y","value":"%%"}}"#, Descriptors.wellKnown,
                            path: "anything.value", reason: "expected base64, got a string that is not")
        // An Any whose bytes are not its type is shown raw too.
        let broken = try ProtoJSON.decode(json: #"{"anything":{"@type":"type.googleapis.com/protojson.test.Scalars","value":"/w=="}}"#,
                                          descriptor: Descriptors.wellKnown, options: .init())
        XCTAssertThrowsError(try ProtoJSON.encodeCanonical(wire: broken, descriptor: Descriptors.wellKnown,
                                                           options: .init(typeRegistry: Descriptors.registry))) { error in
            XCTAssertEqual((error as? ProtoJSONError)?.reason, "Any value is not a valid protojson.test.Scalars")
        }
        XCTAssertEqual(try ProtoJSON.encode(wire: broken, descriptor: Descriptors.wellKnown,
                                            options: .init(typeRegistry: Descriptors.registry)),
                       #"{"anything":{"@type":"type.googleapis.com/protojson.test.Scalars","value":"/w=="}}"#)
    }
}
