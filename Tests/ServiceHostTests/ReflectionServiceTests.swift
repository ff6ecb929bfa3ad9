import Contracts
import GRPCRuntime
import XCTest
@testable import ServiceHost

final class ReflectionServiceTests: XCTestCase {
    private let reflection = ReflectionService(services: [Grpc_Testing_TestService.serviceName])

    private func ask(_ request: Grpc_Reflection_V1_ServerReflectionRequest.OneOf_MessageRequest)
        -> Grpc_Reflection_V1_ServerReflectionResponse {
        var message = Grpc_Reflection_V1_ServerReflectionRequest()
        message.messageRequest = request
        return reflection.answer(message)
    }

    /// The `name` field (1) of serialized FileDescriptorProtos, read from the wire.
    private func fileNames(_ response: Grpc_Reflection_V1_ServerReflectionResponse) throws -> [String] {
        guard case .fileDescriptorResponse(let files)? = response.messageResponse else {
            throw XCTSkip("not a file descriptor response: \(String(describing: response.messageResponse))")
        }
        return try files.fileDescriptorProto.map(Self.descriptorName)
    }

    static func descriptorName(_ bytes: [UInt8]) throws -> String {
        var index = 0
        func varint() -> Int {
            var value = 0, shift = 0
            while index < bytes.count {
                let byte = bytes[index]
                index += 1
                value |= Int(byte & 0x7F) << shift
                if byte & 0x80 == 0 { break }
                shift += 7
            }
            return value
        }
        while index < bytes.count {
            let tag = varint()
            switch tag & 7 {
            case 0: _ = varint()
            case 1: index += 8
            case 5: index += 4
            case 2:
                let length = varint()
                if tag >> 3 == 1 { return String(decoding: bytes[index..<index + length], as: UTF8.self) }
                index += length
            default: break
            }
        }
        throw XCTSkip("no name in descriptor")
    }

    func testListServicesNamesTheHostedServicesPlusHealthAndReflection() {
        guard case .listServicesResponse(let list)? = ask(.listServices("")).messageResponse else {
            return XCTFail("expected a list")
        }
        XCTAssertEqual(list.service.map(\.name), ["grpc.health.v1.Health", "grpc.reflection.v1.ServerReflection",
                                                  "grpc.reflection.v1alpha.ServerReflection", "grpc.testing.TestService"])
    }

    func testFileByFilenameReturnsTheFileFirstThenEachDependencyOnce() throws {
        let names = try fileNames(ask(.fileByFilename("grpc/testing/test.proto")))
        XCTAssertEqual(names.first, "grpc/testing/test.proto")
        XCTAssertEqual(Set(names.dropFirst()), ["grpc/testing/empty.proto", "grpc/testing/messages.proto"])
        XCTAssertEqual(names.count, Set(names).count)
    }

    func testFileContainingSymbolFindsServicesMethodsMessagesNestedTypesAndEnums() throws {
        let expectations = [
            "grpc.health.v1.Health": "grpc/health/v1/health.proto",
            "grpc.health.v1.Health.Watch": "grpc/health/v1/health.proto",
            "grpc.health.v1.HealthCheckResponse.ServingStatus": "grpc/health/v1/health.proto",
            "grpc.testing.SimpleRequest": "grpc/testing/messages.proto",
            ".grpc.testing.PayloadType": "grpc/testing/messages.proto",
        ]
        for (symbol, file) in expectations {
            XCTAssertEqual(try fileNames(ask(.fileContainingSymbol(symbol))).first, file, symbol)
        }
    }

    func testUnknownNamesGetAnErrorResponseNotFound() {
        for request: Grpc_Reflection_V1_ServerReflectionRequest.OneOf_MessageRequest in
            [.fileByFilename("nope.proto"), .fileContainingSymbol("no.Such"), .allExtensionNumbersOfType("no.Such")] {
            guard case .errorResponse(let error)? = ask(request).messageResponse else {
                return XCTFail("expected an error for \(request)")
            }
            XCTAssertEqual(error.errorCode, StatusCode.notFound.rawValue)
        }
    }

    func testExtensionNumbersOfAKnownTypeAreAnEmptyList() {
        guard case .allExtensionNumbersResponse(let numbers)? =
                ask(.allExtensionNumbersOfType("grpc.testing.SimpleRequest")).messageResponse else {
            return XCTFail("expected extension numbers")
        }
        XCTAssertEqual(numbers.baseTypeName, "grpc.testing.SimpleRequest")
        XCTAssertEqual(numbers.extensionNumber, [])
    }

    func testTheAnswerEchoesTheHostAndTheOriginalRequest() {
        var request = Grpc_Reflection_V1_ServerReflectionRequest()
        request.host = "records:50051"
        request.messageRequest = .listServices("*")
        let response = reflection.answer(request)
        XCTAssertEqual(response.validHost, "records:50051")
        XCTAssertEqual(response.originalRequest, request)
    }
}
