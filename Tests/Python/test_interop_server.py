"""The Swift interop server (Tests/Interop/InteropServer) as a subprocess, and
the certificates the TLS tests use, made here with openssl; shared by the
interop, health/reflection, grpcurl and grpclib tests. Also checks how the
server starts and stops: usage errors, and health turning NOT_SERVING on SIGTERM."""
import pathlib
import signal
import subprocess
import threading

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc

CLIENT_SPIFFE = "spiffe://immigration.example/ops/operator-1"


def _openssl(folder, *args):
    subprocess.run(["openssl", *args], cwd=folder, check=True, capture_output=True)


def _issue(folder, name, subject, extensions, ca="ca"):
    (folder / f"{name}.ext").write_text(extensions + "basicConstraints=CA:FALSE\n")
    _openssl(folder, "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
             "-keyout", f"{name}.key", "-out", f"{name}.csr", "-subj", subject)
    _openssl(folder, "x509", "-req", "-in", f"{name}.csr", "-CA", f"{ca}.pem", "-CAkey", f"{ca}.key",
             "-CAcreateserial", "-out", f"{name}.pem", "-days", "2", "-extfile", f"{name}.ext")


def _make_ca(folder, name, subject):
    _openssl(folder, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
             "-keyout", f"{name}.key", "-out", f"{name}.pem", "-days", "2", "-subj", subject,
             "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign")


def make_certificates(folder: pathlib.Path) -> pathlib.Path:
    """ca.pem; server.pem/.key for localhost and 127.0.0.1; client.pem/.key with a
    SPIFFE URI; stranger.pem/.key from another CA (other-ca.pem)."""
    _make_ca(folder, "ca", "/CN=Interop Test CA")
    _make_ca(folder, "other-ca", "/CN=Other CA")
    _issue(folder, "server", "/CN=localhost", "subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n")
    _issue(folder, "client", "/CN=client", f"subjectAltName=URI:{CLIENT_SPIFFE}\nextendedKeyUsage=clientAuth\n")
    _issue(folder, "stranger", "/CN=stranger", f"subjectAltName=URI:{CLIENT_SPIFFE}\nextendedKeyUsage=clientAuth\n",
           ca="other-ca")
    return folder


class InteropServer:
    """interop-server started with `args`; `port` is the bound port."""

    def __init__(self, swift_bin, *args):
        binary = pathlib.Path(swift_bin) / "interop-server"
        assert binary.exists(), f"{binary} is missing: build it with `swift build --product interop-server`"
        self.process = subprocess.Popen([str(binary), "--port", "0", *map(str, args)],
                                        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.port = None
        for line in self.process.stdout:
            if line.startswith("listening on port "):
                self.port = int(line.split()[-1])
                break
        if self.port is None:
            raise RuntimeError(f"interop-server did not start: {self.process.stderr.read()}")
        self.lines = []
        threading.Thread(target=lambda: self.lines.extend(self.process.stdout), daemon=True).start()

    @property
    def address(self):
        return f"localhost:{self.port}"

    def stop(self):
        """SIGTERM, then the exit status (0 after a graceful shutdown)."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout=30)


class Transport:
    """How a test reaches a server: the server's flags and grpcio's channel."""

    def __init__(self, name, certs=None):
        self.name = name
        self.certs = certs

    def server_args(self):
        if self.name == "plaintext":
            return []
        args = ["--tls-cert", self.certs / "server.pem", "--tls-key", self.certs / "server.key"]
        if self.name == "mtls":
            args += ["--tls-ca", self.certs / "ca.pem"]
        return args

    def credentials(self):
        if self.name == "plaintext":
            return None
        root = (self.certs / "ca.pem").read_bytes()
        if self.name == "tls":
            return grpc.ssl_channel_credentials(root_certificates=root)
        return grpc.ssl_channel_credentials(root_certificates=root,
                                            private_key=(self.certs / "client.key").read_bytes(),
                                            certificate_chain=(self.certs / "client.pem").read_bytes())

    def channel(self, address):
        credentials = self.credentials()
        if credentials is None:
            return grpc.insecure_channel(address)
        return grpc.secure_channel(address, credentials)


@pytest.fixture(scope="session")
def certs(tmp_path_factory):
    return make_certificates(tmp_path_factory.mktemp("interop-certs"))


@pytest.fixture(scope="session", params=["plaintext", "tls", "mtls"])
def transport(request, certs):
    return Transport(request.param, certs)


@pytest.fixture(scope="session")
def server(swift_bin, transport):
    """One interop server per transport, for the whole session."""
    started = InteropServer(swift_bin, *transport.server_args())
    yield started
    assert started.stop() == 0


@pytest.fixture(scope="session")
def plaintext_server(swift_bin):
    started = InteropServer(swift_bin)
    yield started
    assert started.stop() == 0


@pytest.fixture(scope="session")
def mtls_server(swift_bin, certs):
    started = InteropServer(swift_bin, *Transport("mtls", certs).server_args())
    yield started
    assert started.stop() == 0


def test_an_unknown_flag_is_a_usage_error_with_exit_status_2(swift_bin):
    result = subprocess.run([str(pathlib.Path(swift_bin) / "interop-server"), "--colour", "blue"],
                            capture_output=True, text=True, timeout=30)
    assert result.returncode == 2
    assert "unknown option --colour" in result.stderr and "usage:" in result.stderr


def test_a_certificate_without_its_key_is_refused(swift_bin, certs):
    result = subprocess.run([str(pathlib.Path(swift_bin) / "interop-server"), "--tls-cert", str(certs / "server.pem")],
                            capture_output=True, text=True, timeout=30)
    assert result.returncode == 2
    assert "--tls-cert and --tls-key go together" in result.stderr


def test_sigterm_turns_health_not_serving_for_watchers_then_exits_cleanly(swift_bin):
    started = InteropServer(swift_bin)
    with grpc.insecure_channel(started.address) as channel:
        stub = health_pb2_grpc.HealthStub(channel)
        watch = stub.Watch(health_pb2.HealthCheckRequest(service=""), timeout=20)
        assert next(watch).status == health_pb2.HealthCheckResponse.SERVING
        started.process.send_signal(signal.SIGTERM)
        assert next(watch).status == health_pb2.HealthCheckResponse.NOT_SERVING
        # The watch then ends (OK) rather than holding up the shutdown.
        assert list(watch) == []
    assert started.process.wait(timeout=30) == 0
