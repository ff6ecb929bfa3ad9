"""Python grpcio as the client of the Swift runtime's server: every RPC kind,
metadata, status details decoded with grpcio-status, deadlines, cancellation,
bad input, TLS and mutual TLS with certificates made here by openssl.

The Swift server is the test case GRPCRuntimeTests.PeerServerForPython, run
from the built test bundle (the runtime has no executable of its own); it
serves raw-bytes echo methods, so the calls here use identity serializers."""
import os
import pathlib
import subprocess
import threading
import time

import grpc
import pytest
from google.rpc import error_details_pb2
from grpc_status import rpc_status

GATE = "spiffe://immigration.example/gate/HAN-T2-07"


def _openssl(folder, *args):
    subprocess.run(["openssl", *args], cwd=folder, check=True, capture_output=True)


def _issue(folder, name, subject, extensions):
    (folder / f"{name}.ext").write_text(extensions + "basicConstraints=CA:FALSE\n")
    _openssl(folder, "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
             "-keyout", f"{name}.key", "-out", f"{name}.csr", "-subj", subject)
    _openssl(folder, "x509", "-req", "-in", f"{name}.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
             "-CAcreateserial", "-out", f"{name}.pem", "-days", "2", "-extfile", f"{name}.ext")


@pytest.fixture(scope="module")
def certs(tmp_path_factory):
    folder = tmp_path_factory.mktemp("certs")
    _openssl(folder, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
             "-keyout", "ca.key", "-out", "ca.pem", "-days", "2", "-subj", "/CN=Python Test CA",
             "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign")
    _issue(folder, "server", "/CN=localhost", "subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n")
    _issue(folder, "gate", "/CN=gate", f"subjectAltName=URI:{GATE}\nextendedKeyUsage=clientAuth\n")
    _issue(folder, "agency", "/CN=agency",
           "subjectAltName=URI:spiffe://immigration.example/agency/police-hanoi\nextendedKeyUsage=clientAuth\n")
    return folder


class SwiftServer:
    def __init__(self, swift_bin, mode, certs=None):
        bundle = pathlib.Path(swift_bin) / "ImmigrationPackageTests.xctest"
        assert bundle.exists(), f"{bundle} is missing: build it with `swift build --build-tests`"
        env = dict(os.environ, GRPC_RUNTIME_PEER_SERVER=mode)
        if certs is not None:
            env.update(GRPC_RUNTIME_PEER_CERT=str(certs / "server.pem"),
                       GRPC_RUNTIME_PEER_KEY=str(certs / "server.key"),
                       GRPC_RUNTIME_PEER_CA=str(certs / "ca.pem"))
        self.process = subprocess.Popen(
            [str(bundle), "GRPCRuntimeTests.PeerServerForPython/testServeForPythonClientsUntilStdinCloses"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env, text=True)
        for line in self.process.stdout:
            if line.startswith("PORT "):
                self.port = int(line.split()[1])
                break
        else:
            raise RuntimeError("the Swift server did not start")
        threading.Thread(target=self.process.stdout.read, daemon=True).start()

    def stop(self):
        self.process.stdin.close()
        assert self.process.wait(timeout=30) == 0


@pytest.fixture(scope="module")
def plaintext_server(swift_bin):
    server = SwiftServer(swift_bin, "plaintext")
    yield server
    server.stop()


@pytest.fixture(scope="module")
def tls_server(swift_bin, certs):
    server = SwiftServer(swift_bin, "tls", certs)
    yield server
    server.stop()


@pytest.fixture(scope="module")
def mtls_server(swift_bin, certs):
    server = SwiftServer(swift_bin, "mtls", certs)
    yield server
    server.stop()


def _credentials(certs, client=None):
    roots = (certs / "ca.pem").read_bytes()
    if client is None:
        return grpc.ssl_channel_credentials(root_certificates=roots)
    return grpc.ssl_channel_credentials(root_certificates=roots,
                                        private_key=(certs / f"{client}.key").read_bytes(),
                                        certificate_chain=(certs / f"{client}.pem").read_bytes())


def _every_kind(channel):
    get = channel.unary_unary("/test.Echo/Get")
    response, call = get.with_call(b"hello", metadata=(("x-echo", "text"), ("x-echo-bin", b"\x00\xc8\xff")))
    assert response == b"hello"
    assert ("x-echo", "text") in call.initial_metadata()
    assert ("x-echo-bin", b"\x00\xc8\xff") in call.trailing_metadata()

    expand = channel.unary_stream("/test.Echo/Expand")
    assert list(expand(b"one two three")) == [b"one", b"two", b"three"]

    collect = channel.stream_unary("/test.Echo/Collect")
    assert collect(iter([b"a", b"b", b"c"])) == b"a b c"

    update = channel.stream_stream("/test.Echo/Update")
    assert list(update(iter([b"1", b"2"]))) == [b"echo 1", b"echo 2"]


def test_every_rpc_kind_in_plaintext(plaintext_server):
    with grpc.insecure_channel(f"127.0.0.1:{plaintext_server.port}") as channel:
        _every_kind(channel)


def test_every_rpc_kind_over_tls(tls_server, certs):
    with grpc.secure_channel(f"127.0.0.1:{tls_server.port}", _credentials(certs)) as channel:
        _every_kind(channel)


def test_every_rpc_kind_over_mutual_tls_with_the_caller_identity(mtls_server, certs):
    with grpc.secure_channel(f"127.0.0.1:{mtls_server.port}", _credentials(certs, "gate")) as channel:
        _every_kind(channel)
        assert channel.unary_unary("/test.Echo/WhoAmI")(b"") == b"gate HAN-T2-07"


def test_mutual_tls_refuses_a_role_outside_the_policy(mtls_server, certs):
    with grpc.secure_channel(f"127.0.0.1:{mtls_server.port}", _credentials(certs, "agency")) as channel:
        with pytest.raises(grpc.RpcError) as failure:
            channel.unary_unary("/test.Echo/WhoAmI")(b"")
        assert failure.value.code() == grpc.StatusCode.PERMISSION_DENIED


def test_mutual_tls_refuses_a_client_without_certificate(mtls_server, certs):
    with grpc.secure_channel(f"127.0.0.1:{mtls_server.port}", _credentials(certs)) as channel:
        with pytest.raises(grpc.RpcError) as failure:
            channel.unary_unary("/test.Echo/Get")(b"x", timeout=5)
        assert failure.value.code() == grpc.StatusCode.UNAVAILABLE


def test_plaintext_server_without_identity_is_unauthenticated(plaintext_server):
    with grpc.insecure_channel(f"127.0.0.1:{plaintext_server.port}") as channel:
        who = channel.unary_unary("/test.Echo/WhoAmI")
        with pytest.raises(grpc.RpcError) as failure:
            who(b"")
        assert failure.value.code() == grpc.StatusCode.UNAUTHENTICATED
        assert who(b"", metadata=(("x-dev-caller", GATE),)) == b"gate HAN-T2-07"


def test_field_violations_decode_with_grpcio_status(plaintext_server):
    with grpc.insecure_channel(f"127.0.0.1:{plaintext_server.port}") as channel:
        with pytest.raises(grpc.RpcError) as failure:
            channel.unary_unary("/test.Echo/Fail")(b"")
        assert failure.value.code() == grpc.StatusCode.INVALID_ARGUMENT
        status = rpc_status.from_call(failure.value)
        assert status.message == "two fields are wrong"
        bad_request = error_details_pb2.BadRequest()
        assert status.details[0].Unpack(bad_request)
        assert [(v.field, v.description) for v in bad_request.field_violations] == [
            ("person.date_of_birth", "must not be in the future"),
            ("document.number", "must be 8 or 9 characters"),
        ]


def test_special_status_message_arrives_intact(plaintext_server):
    with grpc.insecure_channel(f"127.0.0.1:{plaintext_server.port}") as channel:
        with pytest.raises(grpc.RpcError) as failure:
            channel.unary_unary("/test.Edge/Special")(b"")
        assert failure.value.code() == grpc.StatusCode.UNKNOWN
        assert failure.value.details() == "\t\ntest with whitespace\r\nand Unicode BMP ☺ and non-BMP 😈\t\n 100% done"


def test_deadline_exceeded_on_a_sleeping_handler(plaintext_server):
    with grpc.insecure_channel(f"127.0.0.1:{plaintext_server.port}") as channel:
        started = time.monotonic()
        with pytest.raises(grpc.RpcError) as failure:
            channel.unary_unary("/test.Echo/Sleep")(b"5000", timeout=0.3)
        assert failure.value.code() == grpc.StatusCode.DEADLINE_EXCEEDED
        assert time.monotonic() - started < 2


def test_client_cancellation_mid_stream_leaves_the_server_serving(plaintext_server):
    with grpc.insecure_channel(f"127.0.0.1:{plaintext_server.port}") as channel:
        forever = threading.Event()

        def requests():
            yield b"first"
            forever.wait(10)

        responses = channel.stream_stream("/test.Edge/Endless")(requests())
        assert next(responses) == b"first"
        responses.cancel()
        with pytest.raises(grpc.RpcError) as failure:
            next(responses)
        assert failure.value.code() == grpc.StatusCode.CANCELLED
        forever.set()
        assert channel.unary_unary("/test.Echo/Get")(b"after") == b"after"


def test_unknown_method_and_service_are_unimplemented(plaintext_server):
    with grpc.insecure_channel(f"127.0.0.1:{plaintext_server.port}") as channel:
        for path in ("/test.Echo/Missing", "/test.Nowhere/Get"):
            with pytest.raises(grpc.RpcError) as failure:
                channel.unary_unary(path)(b"")
            assert failure.value.code() == grpc.StatusCode.UNIMPLEMENTED


def test_malformed_and_oversized_requests(plaintext_server):
    with grpc.insecure_channel(f"127.0.0.1:{plaintext_server.port}") as channel:
        get = channel.unary_unary("/test.Echo/Get")
        with pytest.raises(grpc.RpcError) as failure:
            get(b"\xff\x01")
        assert failure.value.code() == grpc.StatusCode.INVALID_ARGUMENT
        with pytest.raises(grpc.RpcError) as failure:
            get(b"x" * (2 * 1024 * 1024))
        assert failure.value.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
        assert get(b"still up") == b"still up"
