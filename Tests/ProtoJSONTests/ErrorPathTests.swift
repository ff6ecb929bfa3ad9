import ProtoJSON
import XCTest

/// Errors name the field's path in JSON names and the rule that was broken.
final class ErrorPathTests: XCTestCase {
    func testAWrongTypeDeepInsideNamesTheWholePath() {
        assertDecodingFails(#"{"orcaPerQueryReport":{"cpuUtilization":"high"}}"#, Descriptors.simpleRequest, path: "orcaPerQueryReport.cpuUtilization",
                            reason: "expected a number, \"NaN\", \"Infinity\" or \"-Infinity\", got another string")
        assertDecodingFails(#"{"month":"May"}"#, Descriptors.partialDate, path: "month",
                            reason: "expected an integer, got a string that is not a number")
        assertDecodingFails(#"{"responseParameters":[{},{"compressed":{"value":"yes"}}]}"#,
                            Descriptors.streamingOutputCallRequest, path: "responseParameters[1].compressed.value",
                            reason: "expected true or false, got string")
        assertDecodingFails(#"{"int32ToMessage":{"5":{"fEnum":"PURPLE"}}}"#, Descriptors.maps,
                            path: #"int32ToMessage["5"].fEnum"#, reason: "unknown value name for enum protojson.test.Colour")
    }

    func testPathsUseJSONNamesEvenWhenTheInputUsedOriginalNames() {
        assertDecodingFails(#"{"response_parameters":[{"interval_us":true}]}"#, Descriptors.streamingOutputCallRequest,
                            path: "responseParameters[0].intervalUs", reason: "expected an integer, got boolean")
    }

    func testUnknownFieldsAreRejectedWithThePathOfTheirMessage() {
        assertDecodingFails(#"{"foo":1}"#, Descriptors.personName, path: "",
                            reason: #"unknown field "foo" in immigration.common.v1.PersonName"#)
        assertDecodingFails(#"{"payload":{"body":"","colour":1}}"#, Descriptors.simpleRequest, path: "payload",
                            reason: #"unknown field "colour" in grpc.testing.Payload"#)
        assertDecodingFails(#"{"FamilyName":"x"}"#, Descriptors.personName, path: "",
                            reason: #"unknown field "FamilyName" in immigration.common.v1.PersonName"#)
    }

    func testUnknownFieldsCanBeIgnored() throws {
        let options = ProtoJSON.DecodingOptions(ignoreUnknownFields: true)
        let wire = try ProtoJSON.decode(json: #"{"foo":{"deep":[1,2]},"givenName":"An","bar":null}"#,
                                        descriptor: Descriptors.personName, options: options)
        XCTAssertEqual(try ProtoJSON.encode(wire: wire, descriptor: Descriptors.personName), #"{"givenName":"An"}"#)
    }

    func testShapeMismatchesNameWhatWasExpected() {
        assertDecodingFails(#"[]"#, Descriptors.personName, path: "",
                            reason: "expected an object for immigration.common.v1.PersonName, got array")
        assertDecodingFails(#"{"payload":"x"}"#, Descriptors.simpleRequest, path: "payload",
                            reason: "expected an object for grpc.testing.Payload, got string")
        assertDecodingFails(#"{"strings":"x"}"#, Descriptors.lists, path: "strings", reason: "expected an array, got string")
        assertDecodingFails(#"{"strings":["a",null]}"#, Descriptors.lists, path: "strings[1]",
                            reason: "null is not allowed in a list")
        assertDecodingFails(#"{"familyName":5}"#, Descriptors.personName, path: "familyName",
                            reason: "expected a string, got number")
        assertDecodingFails(#"{"fEnum":true}"#, Descriptors.scalars, path: "fEnum",
                            reason: "expected an enum value name or number, got boolean")
    }

    func testErrorsPrintAsPathColonReason() {
        XCTAssertEqual(ProtoJSONError(path: "person.dateOfBirth.month", reason: "expected an integer, got string").description,
                       "person.dateOfBirth.month: expected an integer, got string")
        XCTAssertEqual(ProtoJSONError(path: "", reason: "invalid JSON").description, "invalid JSON")
    }

    func testErrorsDoNotQuoteTheRejectedValue() {
        do {
            _ = try ProtoJSON.decode(json: #"{"familyName":{"secret":"Nguyễn Văn A"}}"#, descriptor: Descriptors.personName)
            XCTFail("decoded")
        } catch {
            XCTAssertFalse(error.description.contains("Nguyễn"))
            XCTAssertEqual(error.description, "familyName: expected a string, got object")
        }
    }
}
