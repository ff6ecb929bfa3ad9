"""An echo server on Python grpcio (the same C core, another wrapper) over raw
bytes, so that the Swift client can be proven against a server it did not
write. Started by GRPCRuntimeTests/GrpcioInteropTests.swift.

Usage: grpcio_echo_server.py plaintext|tls|mtls [cert key [client_ca]]
Prints "PORT <n>" once listening; stops when stdin closes."""
import sys
import threading
from concurrent import futures

import grpc
from google.protobuf import any_pb2
from google.rpc import error_details_pb2, status_pb2
from grpc_status import rpc_status

SERVICE = "test.Echo"


def get(request, context):
    echo = dict(context.invocation_metadata()).get("x-echo")
    if echo is not None:
        context.send_initial_metadata((("x-echo", echo),))
    echo_bin = dict(context.invocation_metadata()).get("x-echo-bin")
    if echo_bin is not None:
        context.set_trailing_metadata((("x-echo-bin", echo_bin),))
    return request


def expand(request, context):
    for word in request.split(b" "):
        yield word


def collect(request_iterator, context):
    return b" ".join(list(request_iterator))


def update(request_iterator, context):
    for request in request_iterator:
        yield b"echo " + request


def fail(request, context):
    bad_request = error_details_pb2.BadRequest(field_violations=[
        error_details_pb2.BadRequest.FieldViolation(field="person.date_of_birth",
                                                    description="must not be in the future"),
    ])
    detail = any_pb2.Any()
    detail.Pack(bad_request)
    status = status_pb2.Status(code=grpc.StatusCode.INVALID_ARGUMENT.value[0],
                               message="one field is wrong", details=[detail])
    context.abort_with_status(rpc_status.to_status(status))


def sleep(request, context):
    done = threading.Event()
    context.add_callback(done.set)
    done.wait(int(request.decode() or "0") / 1000)
    return request


def who_am_i(request, context):
    ids = context.auth_context().get("peer_spiffe_id") or []
    return ids[0] if ids else b"anonymous"


def main():
    mode = sys.argv[1]
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=16))
    unary = grpc.unary_unary_rpc_method_handler
    handlers = {
        "Get": unary(get),
        "Expand": grpc.unary_stream_rpc_method_handler(expand),
        "Collect": grpc.stream_unary_rpc_method_handler(collect),
        "Update": grpc.stream_stream_rpc_method_handler(update),
        "Fail": unary(fail),
        "Sleep": unary(sleep),
        "WhoAmI": unary(who_am_i),
    }
    server.add_generic_rpc_handlers((grpc.method_handlers_generic_handler(SERVICE, handlers),))
    if mode == "plaintext":
        port = server.add_insecure_port("127.0.0.1:0")
    else:
        cert = open(sys.argv[2], "rb").read()
        key = open(sys.argv[3], "rb").read()
        roots = open(sys.argv[4], "rb").read() if mode == "mtls" else None
        credentials = grpc.ssl_server_credentials(((key, cert),), root_certificates=roots,
                                                  require_client_auth=mode == "mtls")
        port = server.add_secure_port("127.0.0.1:0", credentials)
    server.start()
    print(f"PORT {port}", flush=True)
    sys.stdin.read()
    server.stop(grace=1).wait()


if __name__ == "__main__":
    main()
