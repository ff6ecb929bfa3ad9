// The benchmark's Swift echo server: the full runtime in the path - typed
// messages through the generated API, the metrics and authorisation
// interceptors on (plaintext development mode: the caller comes from the
// `x-dev-caller` header; only `ops` may call). Prints `PORT <grpc> <metrics>`,
// serves until SIGTERM or SIGINT.
// Usage: EchoServer [PORT]   (0 or none: any free port)
// ECHO_COMPLETION_QUEUES and ECHO_PENDING_REQUESTS override the configuration's
// `completionQueueCount` and `pendingRequestsPerMethod` (for compare.sh; run.sh
// measures the defaults).
import Contracts
import GRPCRuntime
import Logging
import Metrics

#if canImport(Glibc)
import Glibc
#endif

let port = CommandLine.arguments.count > 1 ? Int(CommandLine.arguments[1]) ?? 0 : 0
var logger = Logger(label: "echo-server")
logger.logLevel = .warning

let metrics = PrometheusMetrics()
MetricsSystem.bootstrap(metrics)
let metricsEndpoint = MetricsEndpoint(metrics: metrics, host: "127.0.0.1", port: 0)
try metricsEndpoint.start()

func environmentInt(_ name: String) -> Int? { getenv(name).flatMap { Int(String(cString: $0)) } }
let defaults = ServerConfiguration(address: "", security: .plaintextForDevelopment, logger: logger)
let server = try Server(configuration: ServerConfiguration(
    address: "127.0.0.1:\(port)",
    security: .plaintextForDevelopment,
    interceptors: [MetricsInterceptor(),
                   AuthorizationInterceptor(policy: [Grpc_Testing_TestService.unaryCall: [.ops],
                                                     Grpc_Testing_TestService.emptyCall: [.ops]])],
    logger: logger,
    completionQueueCount: environmentInt("ECHO_COMPLETION_QUEUES") ?? defaults.completionQueueCount,
    pendingRequestsPerMethod: environmentInt("ECHO_PENDING_REQUESTS") ?? defaults.pendingRequestsPerMethod,
    name: "echo"), services: [EchoService()])
try server.start()
print("PORT \(server.port) \(metricsEndpoint.port)")
fflush(nil)  // flushes every stream; `stdout` itself is not concurrency-safe in Swift 6
await server.runUntilTerminated(gracePeriod: .seconds(2))
metricsEndpoint.stop()
