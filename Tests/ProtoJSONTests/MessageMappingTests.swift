import CProtobufC
import ProtoJSON
import XCTest

/// Nested messages, lists, maps, oneofs and field names.
final class MessageMappingTests: XCTestCase {
    func testFieldNamesFollowProtocsLowerCamelCaseRule() throws {
        let json = #"{"snakeCaseName":1,"with2Digits":2,"alreadyCamel":3,"aBC":4,"trailing":5,"x":6}"#
        XCTAssertEqual(try reencode(json, Descriptors.names), json)
    }

    func testOriginalFieldNamesAreAcceptedAndCanBeWritten() throws {
        let original = #"{"snake_case_name":1,"with_2_digits":2,"alreadyCamel":3,"a_b_c":4,"trailing_":5,"x":6}"#
        XCTAssertEqual(try reencode(original, Descriptors.names),
                       #"{"snakeCaseName":1,"with2Digits":2,"alreadyCamel":3,"aBC":4,"trailing":5,"x":6}"#)
        XCTAssertEqual(try reencode(original, Descriptors.names, encoding: .init(useProtoFieldNames: true)), original)
    }

    func testAFieldGivenUnderBothNamesIsRejected() {
        assertDecodingFails(#"{"familyName":"A","family_name":"B"}"#, Descriptors.personName, path: "familyName",
                            reason: #"field given twice, as "familyName" and as "family_name""#)
    }

    func testNestedMessagesAndRepeatedMessagesRoundTrip() throws {
        let json = #"{"responseType":"COMPRESSABLE","responseParameters":[{"size":10,"intervalUs":-5},"# +
            #"{"compressed":{"value":true}},{}],"payload":{"body":"3q2+7w=="},"# +
            #""responseStatus":{"code":3,"message":"Sai định dạng"}}"#
        // COMPRESSABLE is the zero value, so it is left out on output.
        XCTAssertEqual(try reencode(json, Descriptors.streamingOutputCallRequest),
                       #"{"responseParameters":[{"size":10,"intervalUs":-5},{"compressed":{"value":true}},{}],"# +
                       #""payload":{"body":"3q2+7w=="},"responseStatus":{"code":3,"message":"Sai định dạng"}}"#)
    }

    func testAnEmptyNestedMessageIsKeptAsAnEmptyObject() throws {
        XCTAssertEqual(try reencode(#"{"payload":{}}"#, Descriptors.simpleRequest), #"{"payload":{}}"#)
        XCTAssertEqual(try reencode(#"{"payload":null}"#, Descriptors.simpleRequest), "{}")
    }

    func testBadRequestWithItsFieldViolationsRoundTrips() throws {
        let json = #"{"fieldViolations":[{"field":"person.dateOfBirth.month","description":"must be 1 to 12"},"# +
            #"{"field":"documents[0].number","description":"bắt buộc"}]}"#
        XCTAssertEqual(try reencode(json, Descriptors.badRequest), json)
    }

    func testListsOfEveryKindRoundTripPackedOrNot() throws {
        let json = #"{"packedInt32":[1,-1,2147483647],"packedSint64":["-9223372036854775808","9223372036854775807"],"# +
            #""unpackedInt64":["0","-1"],"doubles":[0.5,"NaN","-Infinity",0.0],"bools":[true,false],"# +
            #""strings":["Hà Nội","","\""],"blobs":["","AA=="],"colours":["COLOUR_RED",99,"COLOUR_UNSPECIFIED"],"# +
            #""messages":[{"fInt32":1},{}],"fixed":["18446744073709551615"],"floats":[1.5,"Infinity"],"# +
            #""unpackedUint32":[4294967295,0]}"#
        XCTAssertEqual(try reencode(json, Descriptors.lists), json)
    }

    func testEmptyListsAndMapsAreLeftOutUnlessDefaultsAreAskedFor() throws {
        XCTAssertEqual(try reencode(#"{"strings":[],"messages":[]}"#, Descriptors.lists), "{}")
        XCTAssertEqual(try reencode(#"{"stringToString":{}}"#, Descriptors.maps, encoding: .init(emitDefaultValues: true)),
                       #"{"stringToString":{},"int32ToMessage":{},"int64ToEnum":{},"uint32ToBytes":{},"boolToDouble":{},"# +
                       #""sint64ToTimestamp":{},"fixed32ToInt64":{},"stringToWrapper":{},"uint64ToString":{}}"#)
    }

    func testMapsOfEveryKeyTypeRoundTripWithStringKeys() throws {
        let json = #"{"stringToString":{"họ":"Trần","":"empty key"},"int32ToMessage":{"-1":{"fBool":true},"0":{}},"# +
            #""int64ToEnum":{"-9223372036854775808":"COLOUR_GREEN","1":42},"uint32ToBytes":{"4294967295":"/w=="},"# +
            #""boolToDouble":{"true":1.5,"false":"NaN"},"sint64ToTimestamp":{"7":"2024-02-29T12:00:00Z"},"# +
            #""fixed32ToInt64":{"3":"-3"},"stringToWrapper":{"a":0,"b":-1},"# +
            #""uint64ToString":{"18446744073709551615":"max"}}"#
        XCTAssertEqual(try reencode(json, Descriptors.maps), json)
    }

    func testTheOrcaReportsMapsOfDoublesRoundTrip() throws {
        let json = #"{"cpuUtilization":0.25,"requestCost":{"db":12.5,"cache":0.0},"utilization":{"gpu":1.0}}"#
        XCTAssertEqual(try reencode(json, Descriptors.orcaReport), json)
    }

    func testMapKeysThatDoNotFitTheirTypeAreRejected() {
        assertDecodingFails(#"{"int32ToMessage":{"x":{}}}"#, Descriptors.maps, path: #"int32ToMessage["x"]"#,
                            reason: "map key must be an integer")
        assertDecodingFails(#"{"int32ToMessage":{"2147483648":{}}}"#, Descriptors.maps,
                            path: #"int32ToMessage["2147483648"]"#, reason: "value out of range for int32")
        assertDecodingFails(#"{"boolToDouble":{"yes":1}}"#, Descriptors.maps, path: #"boolToDouble["yes"]"#,
                            reason: #"map key must be "true" or "false""#)
        assertDecodingFails(#"{"stringToString":{"k":null}}"#, Descriptors.maps, path: #"stringToString["k"]"#,
                            reason: "null is not allowed as a map value")
        assertDecodingFails(#"{"stringToString":["k"]}"#, Descriptors.maps, path: "stringToString",
                            reason: "expected an object (a map), got array")
    }

    func testOneofMembersAreWrittenEvenWhenTheyHoldTheirDefault() throws {
        XCTAssertEqual(try reencode(#"{"text":""}"#, Descriptors.choice), #"{"text":""}"#)
        XCTAssertEqual(try reencode(#"{"number":"0"}"#, Descriptors.choice), #"{"number":"0"}"#)
        XCTAssertEqual(try reencode(#"{"colour":"COLOUR_UNSPECIFIED"}"#, Descriptors.choice), #"{"colour":"COLOUR_UNSPECIFIED"}"#)
        XCTAssertEqual(try reencode(#"{"label":"l","scalars":{}}"#, Descriptors.choice), #"{"label":"l","scalars":{}}"#)
        XCTAssertEqual(try reencode(#"{"at":"1970-01-01T00:00:00Z"}"#, Descriptors.choice), #"{"at":"1970-01-01T00:00:00Z"}"#)
        XCTAssertEqual(try reencode(#"{"blob":""}"#, Descriptors.choice), #"{"blob":""}"#)
        XCTAssertEqual(try reencode(#"{"label":"only"}"#, Descriptors.choice, encoding: .init(emitDefaultValues: true)),
                       #"{"label":"only"}"#)
    }

    func testTwoMembersOfOneOneofAreRejected() {
        assertDecodingFails(#"{"text":"a","number":1}"#, Descriptors.choice, path: "number",
                            reason: #"only one field of a oneof may be set, and "text" already is"#)
        assertDecodingFails(#"{"fileByFilename":"a.proto","listServices":""}"#, Descriptors.reflectionRequest,
                            path: "listServices", reason: #"only one field of a oneof may be set, and "fileByFilename" already is"#)
    }

    func testANullOneofMemberLeavesTheOneofUnset() throws {
        XCTAssertEqual(try reencode(#"{"text":null,"number":5}"#, Descriptors.choice), #"{"number":"5"}"#)
    }

    func testReflectionOneofsRoundTripWithNestedMessages() throws {
        let request = #"{"host":"localhost","fileContainingSymbol":"grpc.health.v1.Health"}"#
        XCTAssertEqual(try reencode(request, Descriptors.reflectionRequest), request)
        let response = #"{"validHost":"h","originalRequest":{"listServices":""},"# +
            #""listServicesResponse":{"service":[{"name":"grpc.health.v1.Health"},{"name":"immigration.records.v1.Records"}]}}"#
        XCTAssertEqual(try reencode(response, Descriptors.reflectionResponse), response)
        let error = #"{"errorResponse":{"errorCode":5,"errorMessage":"not found"}}"#
        XCTAssertEqual(try reencode(error, Descriptors.reflectionResponseV1Alpha), error)
    }

    func testPrettyPrintingIndentsByTwoSpaces() throws {
        let pretty = try reencode(#"{"fieldViolations":[{"field":"a","description":"b"}]}"#, Descriptors.badRequest,
                                  encoding: .init(prettyPrinted: true))
        XCTAssertEqual(pretty, """
            {
              "fieldViolations": [
                {
                  "field": "a",
                  "description": "b"
                }
              ]
            }
            """)
    }

    func testEncodingReadsAProtobufCMessageInPlace() throws {
        let message = try ProtoJSON.decodeMessage(json: Array(#"{"familyName":"Lê","givenName":"Lợi"}"#.utf8),
                                                  descriptor: Descriptors.personName)
        defer { protobuf_c_message_free_unpacked(message, nil) }
        XCTAssertEqual(ProtoJSON.encode(message), #"{"familyName":"Lê","givenName":"Lợi"}"#)
        XCTAssertEqual(try ProtoJSON.encodeCanonical(message), #"{"familyName":"Lê","givenName":"Lợi"}"#)
    }

    func testStringsThatAreNotUTF8HaveNoCanonicalJSONAndAreShownRepaired() throws {
        // PersonName.family_name = "A", 0xFF, "B": protobuf-c does not check UTF-8.
        let wire: [UInt8] = [0x0A, 0x03, 0x41, 0xFF, 0x42]
        XCTAssertThrowsError(try ProtoJSON.encodeCanonical(wire: wire, descriptor: Descriptors.personName)) { error in
            XCTAssertEqual(error as? ProtoJSONError, ProtoJSONError(path: "familyName", reason: "string is not valid UTF-8"))
        }
        XCTAssertEqual(try ProtoJSON.encode(wire: wire, descriptor: Descriptors.personName), "{\"familyName\":\"A\u{FFFD}B\"}")
    }

    func testWireBytesThatAreNotTheMessageAreRejected() {
        let truncated: [UInt8] = [0x0A, 0x05, 0x41]
        XCTAssertThrowsError(try ProtoJSON.encode(wire: truncated, descriptor: Descriptors.personName)) { error in
            XCTAssertEqual((error as? ProtoJSONError)?.reason, "the bytes are not a valid immigration.common.v1.PersonName")
        }
        XCTAssertThrowsError(try ProtoJSON.encodeCanonical(wire: truncated, descriptor: Descriptors.personName)) { error in
            XCTAssertEqual((error as? ProtoJSONError)?.reason, "the bytes are not a valid immigration.common.v1.PersonName")
        }
    }

    func testUnknownFieldsOnTheWireAreLeftOutOfTheJSON() throws {
        // PersonName with field 1 ("A") and an unknown field 9 (varint 1).
        XCTAssertEqual(try ProtoJSON.encode(wire: [0x0A, 0x01, 0x41, 0x48, 0x01], descriptor: Descriptors.personName),
                       #"{"familyName":"A"}"#)
    }

    func testDuplicateMapKeysOnTheWireKeepTheLastValue() throws {
        // string_to_string entries {"k": "a"} then {"k": "b"}.
        let entry: (UInt8) -> [UInt8] = { value in [0x0A, 0x06, 0x0A, 0x01, 0x6B, 0x12, 0x01, value] }
        XCTAssertEqual(try ProtoJSON.encode(wire: entry(0x61) + entry(0x62), descriptor: Descriptors.maps),
                       #"{"stringToString":{"k":"b"}}"#)
    }
}
