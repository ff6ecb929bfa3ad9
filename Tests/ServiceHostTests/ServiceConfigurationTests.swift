import Foundation
import GRPCRuntime
import XCTest
@testable import ServiceHost

final class ServiceConfigurationTests: XCTestCase {
    private var folder: URL!
    private var certificate: String { folder.appendingPathComponent("server.crt").path }
    private var key: String { folder.appendingPathComponent("server.key").path }
    private var ca: String { folder.appendingPathComponent("ca.crt").path }

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("service-host-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        // Existence and readability are what configuration checks; the TLS layer reads the PEM later.
        for path in [certificate, key, ca] { try Data("pem".utf8).write(to: URL(fileURLWithPath: path)) }
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: folder)
    }

    private var plaintext: [String: String] { ["GRPC_LISTEN": "127.0.0.1:0", "INSECURE_DEVELOPMENT_PLAINTEXT": "1"] }

    private func failure(_ environment: [String: String], requiresDatabase: Bool = false,
                         file: StaticString = #filePath, line: UInt = #line) -> ServiceConfigurationError? {
        do {
            _ = try ServiceConfiguration.fromEnvironment(environment, defaultServiceName: "records",
                                                        requiresDatabase: requiresDatabase)
            XCTFail("expected a configuration error", file: file, line: line)
            return nil
        } catch let error as ServiceConfigurationError {
            return error
        } catch {
            XCTFail("unexpected \(error)", file: file, line: line)
            return nil
        }
    }

    func testAMissingListenAddressNamesGRPCListen() {
        XCTAssertEqual(failure(["INSECURE_DEVELOPMENT_PLAINTEXT": "1"])?.variable, "GRPC_LISTEN")
    }

    func testAListenAddressWithoutAValidPortIsRefused() {
        for bad in ["localhost", "0.0.0.0:http", "0.0.0.0:70000", ":50051"] {
            var environment = plaintext
            environment["GRPC_LISTEN"] = bad
            XCTAssertEqual(failure(environment)?.variable, "GRPC_LISTEN", bad)
        }
    }

    func testWithoutPlaintextTheCertificateIsRequired() {
        XCTAssertEqual(failure(["GRPC_LISTEN": "0.0.0.0:50051"])?.variable, "TLS_CERT")
        XCTAssertEqual(failure(["GRPC_LISTEN": "0.0.0.0:50051", "TLS_CERT": certificate])?.variable, "TLS_KEY")
    }

    func testAnUnreadableCertificateFileIsNamed() {
        let error = failure(["GRPC_LISTEN": "0.0.0.0:50051", "TLS_CERT": "/nonexistent/server.crt", "TLS_KEY": key])
        XCTAssertEqual(error?.variable, "TLS_CERT")
        XCTAssertTrue(error?.problem.contains("/nonexistent/server.crt") ?? false)
    }

    func testTLSCAMeansMutualTLSAndItsAbsenceServerOnlyTLS() throws {
        let mutual = try ServiceConfiguration.fromEnvironment(
            ["GRPC_LISTEN": "0.0.0.0:50051", "TLS_CERT": certificate, "TLS_KEY": key, "TLS_CA": ca],
            defaultServiceName: "records", requiresDatabase: false)
        guard case .mutualTLS(let chain, let privateKey, let roots) = mutual.security else {
            return XCTFail("expected mutual TLS, got \(mutual.security)")
        }
        XCTAssertEqual([chain, privateKey, roots], [certificate, key, ca])
        let serverOnly = try ServiceConfiguration.fromEnvironment(
            ["GRPC_LISTEN": "0.0.0.0:50051", "TLS_CERT": certificate, "TLS_KEY": key],
            defaultServiceName: "records", requiresDatabase: false)
        guard case .tls = serverOnly.security else { return XCTFail("expected TLS, got \(serverOnly.security)") }
    }

    func testPlaintextOnlyWithTheExplicitFlagAndNeverMixedWithTLSVariables() throws {
        let configuration = try ServiceConfiguration.fromEnvironment(plaintext, defaultServiceName: "records",
                                                                    requiresDatabase: false)
        guard case .plaintextForDevelopment = configuration.security else { return XCTFail("expected plaintext") }
        var mixed = plaintext
        mixed["TLS_CERT"] = certificate
        XCTAssertEqual(failure(mixed)?.variable, "TLS_CERT")
        var bad = plaintext
        bad["INSECURE_DEVELOPMENT_PLAINTEXT"] = "please"
        XCTAssertEqual(failure(bad)?.variable, "INSECURE_DEVELOPMENT_PLAINTEXT")
    }

    func testDefaultsWhenOptionalVariablesAreAbsent() throws {
        let configuration = try ServiceConfiguration.fromEnvironment(plaintext, defaultServiceName: "records",
                                                                    requiresDatabase: false)
        XCTAssertEqual(configuration.serviceName, "records")
        XCTAssertEqual(configuration.trustDomain, "immigration.example")
        XCTAssertNil(configuration.metricsListen)
        XCTAssertNil(configuration.database)
        XCTAssertTrue(configuration.migrateOnStart)
        XCTAssertEqual(configuration.logLevel, .info)
        XCTAssertEqual(configuration.logFormat, .logfmt)
    }

    func testEveryOptionalVariableIsRead() throws {
        var environment = plaintext
        environment.merge(["SERVICE_NAME": "portal", "METRICS_LISTEN": "0.0.0.0:9090", "TRUST_DOMAIN": "example.vn",
                           "MIGRATE_ON_START": "false", "LOG_LEVEL": "DEBUG", "LOG_FORMAT": "json"]) { $1 }
        let configuration = try ServiceConfiguration.fromEnvironment(environment, defaultServiceName: "records",
                                                                    requiresDatabase: false)
        XCTAssertEqual(configuration.serviceName, "portal")
        XCTAssertEqual(configuration.metricsListen?.host, "0.0.0.0")
        XCTAssertEqual(configuration.metricsListen?.port, 9090)
        XCTAssertEqual(configuration.trustDomain, "example.vn")
        XCTAssertFalse(configuration.migrateOnStart)
        XCTAssertEqual(configuration.logLevel, .debug)
        XCTAssertEqual(configuration.logFormat, .json)
    }

    func testBadOptionalValuesNameTheirVariable() {
        let cases: [(String, String)] = [("SERVICE_NAME", "Records Service"), ("METRICS_LISTEN", "localhost:9090"),
                                         ("TRUST_DOMAIN", "spiffe://x"), ("MIGRATE_ON_START", "sometimes"),
                                         ("LOG_LEVEL", "loud"), ("LOG_FORMAT", "xml")]
        for (variable, value) in cases {
            var environment = plaintext
            environment[variable] = value
            XCTAssertEqual(failure(environment)?.variable, variable, value)
        }
    }

    func testAServiceWithADatabaseRequiresDatabaseURL() {
        XCTAssertEqual(failure(plaintext, requiresDatabase: true)?.variable, "DATABASE_URL")
    }

    func testADatabaseURIIsParsedByLibpqIntoItsKeywords() throws {
        var environment = plaintext
        environment["DATABASE_URL"] = "postgresql://records@db-a:5432,db-b:5433/immigration?target_session_attrs=read-write&sslmode=prefer&application_name=records"
        environment["DATABASE_READ_URL"] = "host=db-b port=5433 dbname=immigration target_session_attrs=prefer-standby"
        let configuration = try ServiceConfiguration.fromEnvironment(environment, defaultServiceName: "records",
                                                                    requiresDatabase: true)
        let parameters = try XCTUnwrap(configuration.database?.parameters)
        XCTAssertEqual(parameters["host"], "db-a,db-b")
        XCTAssertEqual(parameters["port"], "5432,5433")
        XCTAssertEqual(parameters["user"], "records")
        XCTAssertEqual(parameters["dbname"], "immigration")
        XCTAssertEqual(parameters["target_session_attrs"], "read-write")
        XCTAssertEqual(configuration.readDatabase?.parameters["target_session_attrs"], "prefer-standby")
    }

    func testAMalformedDatabaseURLIsNamedWithoutEchoingItsPassword() {
        var environment = plaintext
        environment["DATABASE_URL"] = "postgresql://records:s3cret@db/immigration?nonsense_keyword=1"
        let error = failure(environment)
        XCTAssertEqual(error?.variable, "DATABASE_URL")
        XCTAssertFalse(error?.description.contains("s3cret") ?? true)
    }
}
