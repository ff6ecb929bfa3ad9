import CProtobufC
import Contracts
import XCTest

/// The embedded descriptors answer what server reflection, the JSON codec
/// and immigctl ask: files, symbols, message descriptors and RPC types.
final class ContractDescriptorsTests: XCTestCase {
    func testEveryFileIsFoundByNameAndEveryDependencyIsEmbedded() throws {
        let names = ContractDescriptors.files.map(\.name)
        XCTAssertEqual(names, names.sorted())
        for expected in ["grpc/health/v1/health.proto", "grpc/reflection/v1/reflection.proto",
                         "grpc/reflection/v1alpha/reflection.proto", "immigration/common/v1/common.proto",
                         "google/protobuf/timestamp.proto", "google/rpc/status.proto", "google/protobuf/any.proto"] {
            XCTAssertNotNil(ContractDescriptors.file(named: expected), expected)
        }
        for file in ContractDescriptors.files {
            for dependency in file.dependencies {
                XCTAssertNotNil(ContractDescriptors.file(named: dependency), "\(file.name) imports \(dependency)")
            }
        }
        XCTAssertEqual(ContractDescriptors.file(named: "immigration/common/v1/common.proto")?.dependencies,
                       ["google/protobuf/timestamp.proto"])
    }

    func testSymbolsLeadToTheFileThatDefinesThem() {
        let cases = [
            "grpc.health.v1.Health": "grpc/health/v1/health.proto",
            "grpc.health.v1.Health.Watch": "grpc/health/v1/health.proto",
            "grpc.health.v1.HealthCheckResponse.ServingStatus": "grpc/health/v1/health.proto",
            "immigration.common.v1.PersonName": "immigration/common/v1/common.proto",
            "immigration.common.v1.SEX_FEMALE": "immigration/common/v1/common.proto",
            "google.rpc.BadRequest.FieldViolation": "google/rpc/error_details.proto",
            "google.protobuf.Timestamp": "google/protobuf/timestamp.proto",
        ]
        for (symbol, file) in cases {
            XCTAssertEqual(ContractDescriptors.file(containingSymbol: symbol)?.name, file, symbol)
        }
        XCTAssertNil(ContractDescriptors.file(containingSymbol: "immigration.common.v1.NoSuchThing"))
        // The test-only protos (Tests/Protos, module TestContracts) are not part of the shipped contracts.
        XCTAssertNil(ContractDescriptors.file(containingSymbol: "immigration.testing.v1.FieldKinds"))
        XCTAssertNil(ContractDescriptors.file(named: "immigration/testing/v1/field_kinds.proto"))
        XCTAssertTrue(ContractDescriptors.serviceNames.contains("grpc.reflection.v1alpha.ServerReflection"))
    }

    func testSerializedDescriptorStartsWithTheFileNameAndCarriesNoComments() throws {
        let file = try XCTUnwrap(ContractDescriptors.file(named: "immigration/common/v1/common.proto"))
        let bytes = file.serializedDescriptor
        let name = Array(file.name.utf8)
        XCTAssertEqual(Array(bytes.prefix(2 + name.count)), [0x0a, UInt8(name.count)] + name)
        let text = String(decoding: bytes, as: UTF8.self)
        XCTAssertTrue(text.contains("PersonName"))
        XCTAssertFalse(text.contains("Family name"), "source comments must be stripped")
    }

    func testMessageDescriptorsAreProtobufCsOwn() throws {
        for name in ["immigration.common.v1.PersonName", "immigration.records.v1.Person",
                     "google.rpc.BadRequest.FieldViolation", "google.protobuf.Timestamp",
                     "grpc.reflection.v1.ServerReflectionRequest"] {
            let descriptor = try XCTUnwrap(ContractDescriptors.messageDescriptor(named: name), name)
            XCTAssertEqual(String(cString: descriptor.pointee.name), name)
            XCTAssertEqual(descriptor.pointee.magic, UInt32(PROTOBUF_C__MESSAGE_DESCRIPTOR_MAGIC))
        }
        XCTAssertEqual(ContractDescriptors.messageDescriptor(named: "immigration.common.v1.PersonName"),
                       Immigration_Common_V1_PersonName.protobufCDescriptor)
        XCTAssertNil(ContractDescriptors.messageDescriptor(named: "immigration.common.v1.Missing"))
        XCTAssertNil(ContractDescriptors.messageDescriptor(named: "immigration.testing.v1.FieldKinds"))
    }

    func testMethodPathsGiveTheRequestAndResponseTypes() throws {
        let watch = try XCTUnwrap(ContractDescriptors.method(path: "/grpc.health.v1.Health/Watch"))
        XCTAssertEqual(watch.descriptor, Grpc_Health_V1_Health.watch)
        XCTAssertEqual(watch.requestType, "grpc.health.v1.HealthCheckRequest")
        XCTAssertEqual(watch.responseType, "grpc.health.v1.HealthCheckResponse")
        XCTAssertNil(ContractDescriptors.method(path: "/grpc.health.v1.Health/Nope"))
    }
}
