"""The Swift interop client (Tests/Interop/InteropClient, product
interop-client) runs every standard interop case against Python grpcio's
TestService (fixtures/interop_server.py): plaintext, TLS (with
--server_host_override) and mutual TLS, certificates made here by openssl.
A deliberately faulty server shows that the client checks what it claims."""
import subprocess

import pytest

from fixtures.interop_server import serve

CASES = [
    "empty_unary", "large_unary", "client_streaming", "server_streaming", "ping_pong", "empty_stream",
    "custom_metadata", "status_code_and_message", "special_status_message", "unimplemented_method",
    "unimplemented_service", "cancel_after_begin", "cancel_after_first_response",
    "timeout_on_sleeping_server",
]
SERVER_NAME = "interop.test.example"


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
    folder = tmp_path_factory.mktemp("interop-certs")
    _openssl(folder, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
             "-keyout", "ca.key", "-out", "ca.pem", "-days", "2", "-subj", "/CN=Interop Test CA",
             "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign")
    # The certificate names only SERVER_NAME, not 127.0.0.1: the client must use the override.
    _issue(folder, "server", f"/CN={SERVER_NAME}", f"subjectAltName=DNS:{SERVER_NAME}\nextendedKeyUsage=serverAuth\n")
    _issue(folder, "client", "/CN=interop-client",
           "subjectAltName=URI:spiffe://immigration.example/ops/interop\nextendedKeyUsage=clientAuth\n")
    return folder


def _start(mode, certs, faulty=False):
    if mode == "plaintext":
        return serve(faulty=faulty)
    read = lambda name: (certs / name).read_bytes()
    client_ca = read("ca.pem") if mode == "mtls" else None
    return serve(certificate_chain=read("server.pem"), private_key=read("server.key"), client_ca=client_ca,
                 faulty=faulty)


@pytest.fixture(scope="module", params=["plaintext", "tls", "mtls"])
def python_server(request, certs):
    server, port = _start(request.param, certs)
    yield request.param, port
    server.stop(None)


def _run_client(swift_bin, mode, port, certs, test_case):
    client = swift_bin / "interop-client"
    assert client.exists(), f"{client} is missing: build it with `swift build --product interop-client`"
    arguments = [str(client), "--server_host=127.0.0.1", f"--server_port={port}", f"--test_case={test_case}"]
    if mode != "plaintext":
        arguments += ["--use_tls=true", f"--ca_file={certs / 'ca.pem'}", f"--server_host_override={SERVER_NAME}"]
    if mode == "mtls":
        arguments += [f"--cert_file={certs / 'client.pem'}", f"--key_file={certs / 'client.key'}"]
    return subprocess.run(arguments, capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize("test_case", CASES)
def test_swift_client_passes_the_interop_case_against_python_grpcio(swift_bin, python_server, certs, test_case):
    mode, port = python_server
    result = _run_client(swift_bin, mode, port, certs, test_case)
    assert result.returncode == 0, f"{test_case} ({mode}) failed:\n{result.stdout}{result.stderr}"
    assert f"{test_case}: passed" in result.stdout


@pytest.mark.parametrize("test_case", ["large_unary", "client_streaming", "server_streaming", "ping_pong",
                                       "custom_metadata"])
def test_swift_client_reports_a_server_that_gets_the_case_wrong(swift_bin, certs, test_case):
    server, port = _start("plaintext", certs, faulty=True)
    try:
        result = _run_client(swift_bin, "plaintext", port, certs, test_case)
    finally:
        server.stop(None)
    assert result.returncode == 1, f"{test_case} passed against a faulty server:\n{result.stdout}"
    assert f"{test_case}: FAILED" in result.stdout


def test_swift_client_fails_tls_without_the_server_name_override(swift_bin, certs):
    server, port = _start("tls", certs)
    try:
        client = swift_bin / "interop-client"
        result = subprocess.run([str(client), "--server_host=127.0.0.1", f"--server_port={port}",
                                 "--test_case=empty_unary", "--use_tls=true", f"--ca_file={certs / 'ca.pem'}"],
                                capture_output=True, text=True, timeout=60)
    finally:
        server.stop(None)
    assert result.returncode == 1
    assert "empty_unary: FAILED" in result.stdout


def test_swift_client_rejects_an_unknown_test_case(swift_bin):
    result = subprocess.run([str(swift_bin / "interop-client"), "--server_port=1", "--test_case=no_such_case"],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert "unknown test case no_such_case" in result.stdout
