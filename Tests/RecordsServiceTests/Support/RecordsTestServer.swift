import Contracts
import Foundation
import GRPCRuntime
import Logging
import Postgres
import XCTest
@testable import RecordsService

/// A RecordsService on 127.0.0.1:0 over a schema and role of its own
/// (provisioned with the Postgres layer, migrated with MigrationRunner) on the
/// server of the PG* variables (`eval "$(scripts/pg.sh start --test)"`).
/// Tests fail, never skip, without them.
final class RecordsTestServer: @unchecked Sendable {
    static let logger: Logger = {
        var logger = Logger(label: "records-tests")
        logger.logLevel = ProcessInfo.processInfo.environment["RECORDS_TEST_LOG"] == "1" ? .debug : .warning
        return logger
    }()

    let schema: String
    let superuser: PostgresPool
    let pool: PostgresPool
    private(set) var provider: RecordsServiceProvider
    private(set) var server: Server
    private(set) var listener: Task<Void, Never>
    var port: Int { server.port }

    private init(schema: String, superuser: PostgresPool, pool: PostgresPool, provider: RecordsServiceProvider,
                 server: Server, listener: Task<Void, Never>) {
        self.schema = schema
        self.superuser = superuser
        self.pool = pool
        self.provider = provider
        self.server = server
        self.listener = listener
    }

    static func databaseConfiguration(file: StaticString = #filePath, line: UInt = #line) throws -> PostgresConfiguration {
        let environment = ProcessInfo.processInfo.environment
        for name in ["PGHOST", "PGPORT", "PGUSER", "PGPASSWORD", "PGDATABASE"] where environment[name] == nil {
            XCTFail("\(name) is not set: run eval \"$(scripts/pg.sh start --test)\" first", file: file, line: line)
            throw RPCError(.failedPrecondition, "no database")
        }
        return PostgresConfiguration(parameters: ["sslmode": "disable"], label: "records-tests")
    }

    static func start(security: ServerSecurity = .plaintextForDevelopment) async throws -> RecordsTestServer {
        let configuration = try databaseConfiguration()
        let superuser = PostgresPool(configuration: configuration, options: .init(maxConnections: 2), logger: logger)
        let schema = "records_t_" + UUID().uuidString.prefix(8).lowercased()
        let password = UUID().uuidString
        try await ServiceDatabaseProvisioner(superuserPool: superuser).provision(service: schema, password: password)
        var own = configuration
        own.parameters["user"] = schema
        own.parameters["password"] = password
        own.label = schema
        let pool = PostgresPool(configuration: own, options: .init(maxConnections: 24), logger: logger)
        do {
            let provider = RecordsServiceProvider(pool: pool, logger: logger)
            _ = try await provider.database.migrate(schema: schema)
            let server = try makeServer(provider, security: security)
            return RecordsTestServer(schema: schema, superuser: superuser, pool: pool, provider: provider, server: server,
                                     listener: provider.startFeedListener())
        } catch {
            // Leave nothing behind when the start fails half-way.
            await pool.close()
            try? await ServiceDatabaseProvisioner(superuserPool: superuser).remove(service: schema)
            await superuser.close()
            throw error
        }
    }

    static func makeServer(_ provider: RecordsServiceProvider, security: ServerSecurity) throws -> Server {
        let server = try Server(configuration: ServerConfiguration(address: "127.0.0.1:0", security: security,
                                                                   interceptors: [RecordsPolicy.interceptor], logger: logger,
                                                                   name: "records-test"),
                                services: [provider])
        try server.start()
        return server
    }

    /// Stops the server and serves the same database from a new provider and
    /// server (a new port): nothing of the first one's memory survives.
    func restart() async throws {
        listener.cancel()
        await server.shutdown(gracePeriod: .seconds(1))
        provider = RecordsServiceProvider(pool: pool, logger: Self.logger)
        server = try Self.makeServer(provider, security: .plaintextForDevelopment)
        listener = provider.startFeedListener()
    }

    /// A plaintext client; callers name themselves with `x-dev-caller`.
    func client() throws -> (Immigration_Records_V1_RecordsService.Client, Channel) {
        let channel = try Channel(target: "127.0.0.1:\(port)", security: .plaintext)
        return (Immigration_Records_V1_RecordsService.Client(channel: channel), channel)
    }

    func stop() async {
        listener.cancel()
        await server.shutdown(gracePeriod: .seconds(1))
        await pool.close()
        try? await ServiceDatabaseProvisioner(superuserPool: superuser).remove(service: schema)
        await superuser.close()
    }
}

/// Call options naming the caller in development mode.
func caller(_ role: String, _ id: String = "test-1") -> CallOptions {
    var metadata = Metadata()
    metadata.add("x-dev-caller", "spiffe://immigration.example/\(role)/\(id)")
    return CallOptions(timeout: .seconds(20), metadata: metadata)
}

/// Builders of valid requests.
enum Sample {
    static func provenance(_ source: Immigration_Common_V1_InformationSource = .procedure, unit: String = "A08",
                           actor: String = "officer-7") -> Immigration_Common_V1_Provenance {
        .with { $0.source = source; $0.unitCode = unit; $0.actorID = actor }
    }

    static func citizen(citizenID: String = "001085012345", family: String = "Nguyễn", middle: String = "Văn",
                        given: String = "An", year: Int32 = 1985) -> Immigration_Records_V1_PersonDetails {
        .with {
            $0.citizenID = citizenID
            $0.name = .with { $0.familyName = family; $0.middleName = middle; $0.givenName = given }
            $0.dateOfBirth = .with { $0.year = year; $0.month = 5; $0.day = 17 }
            $0.sex = .male
            $0.nationalities = ["VNM"]
        }
    }

    static func foreigner(family: String = "Smith", given: String = "Jane", nationality: String = "XXA") -> Immigration_Records_V1_PersonDetails {
        .with {
            $0.name = .with { $0.familyName = family; $0.givenName = given }
            $0.dateOfBirth = .with { $0.year = 1979 }
            $0.sex = .female
            $0.nationalities = [nationality]
        }
    }

    static func createPerson(_ details: Immigration_Records_V1_PersonDetails, requestID: String = UUID().uuidString)
        -> Immigration_Records_V1_CreatePersonRequest {
        .with { $0.requestID = requestID; $0.details = details; $0.provenance = provenance() }
    }

    static func issue(personID: String, kind: Immigration_Common_V1_DocumentKind = .ordinaryPassport,
                      number: String = "C" + String(UUID().uuidString.prefix(7)).replacingOccurrences(of: "-", with: "").uppercased(),
                      state: String = "VNM", issued: CalendarDay = CalendarDay.today.adding(days: -30),
                      until: CalendarDay = CalendarDay.today.adding(days: 3650)) -> Immigration_Records_V1_IssueDocumentRequest {
        .with {
            $0.requestID = UUID().uuidString
            $0.personID = personID
            $0.details = .with {
                $0.reference = .with { $0.kind = kind; $0.number = number; $0.issuingState = state }
                $0.issuingAuthority = "Cục Quản lý xuất nhập cảnh"
                $0.hasChip = kind == .ordinaryPassport
                $0.issuedOn = issued.proto
                $0.validUntil = until.proto
            }
            $0.provenance = provenance()
        }
    }

    static func checkpoint(code: String = "HAN", kind: Immigration_Common_V1_CheckpointKind = .air) -> Immigration_Records_V1_UpsertCheckpointRequest {
        .with {
            $0.requestID = UUID().uuidString
            $0.checkpoint = .with {
                $0.code = code
                $0.name = "Cảng hàng không quốc tế Nội Bài"
                $0.kind = kind
                $0.ministry = kind == .air ? .publicSecurity : .nationalDefence
                if kind == .land { $0.borderCountry = "CHN" }
            }
            $0.provenance = provenance(unit: "OPS", actor: "operator-1")
        }
    }

    static func crossing(key: Immigration_Records_V1_Document, direction: Immigration_Common_V1_Direction = .exit,
                         checkpoint: String = "HAN", at: Date = Date().addingTimeInterval(-60),
                         requestID: String = UUID().uuidString) -> Immigration_Records_V1_RecordCrossingRequest {
        .with {
            $0.requestID = requestID
            $0.document = .with { $0.key = .with { $0.personID = key.personID; $0.documentID = key.documentID } }
            $0.direction = direction
            $0.checkpoint = .with { $0.code = checkpoint }
            $0.crossedAt = ProtoTimestamp(at)
            $0.lane = .abcGate
            $0.gateID = "HAN-T2-07"
            $0.provenance = provenance(unit: "HAN-BORDER", actor: "gate-HAN-T2-07")
        }
    }

    /// Lifting an exit ban from today, by the authority named.
    static func lift(personID: String, exitBanID: String, legalBasis: String,
                     authority: String = "Cơ quan điều tra Công an Hà Nội",
                     actor: String = "investigator-2") -> Immigration_Records_V1_LiftExitBanRequest {
        .with {
            $0.requestID = UUID().uuidString
            $0.personID = personID
            $0.exitBanID = exitBanID
            $0.decidingAuthority = authority
            $0.legalBasis = legalBasis
            $0.effectiveOn = CalendarDay.today.proto
            $0.provenance = provenance(unit: "C01", actor: actor)
        }
    }
}

extension XCTestCase {
    /// Asserts that `body` fails with `code`, and returns the error.
    @discardableResult
    func expectStatus<T>(_ code: StatusCode, file: StaticString = #filePath, line: UInt = #line,
                         _ body: () async throws -> T) async -> RPCError? {
        do {
            _ = try await body()
            XCTFail("expected \(code), got success", file: file, line: line)
        } catch let error as RPCError {
            XCTAssertEqual(error.code, code, "\(error)", file: file, line: line)
            return error
        } catch {
            XCTFail("expected \(code), got \(error)", file: file, line: line)
        }
        return nil
    }
}

/// A test case with a fresh RecordsTestServer (its own schema, real
/// PostgreSQL, real gRPC) and a client of it for every test.
class RecordsOverGRPCTestCase: XCTestCase {
    var records: RecordsTestServer!
    var client: Immigration_Records_V1_RecordsService.Client!
    var channel: Channel!

    override func setUp() async throws {
        records = try await RecordsTestServer.start()
        (client, channel) = try records.client()
    }

    override func tearDown() async throws {
        channel?.close()
        await records?.stop()
    }
}
