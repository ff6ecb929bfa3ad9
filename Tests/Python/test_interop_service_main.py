"""`interop-server serve` runs through ServiceMain, configured from the
environment exactly like every service (docs/service-host.md): JSON log lines,
the Prometheus endpoint on METRICS_LISTEN, mutual TLS from TLS_CERT/TLS_KEY/
TLS_CA, configuration errors with exit status 2, graceful stop on SIGTERM."""
import json
import os
import pathlib
import signal
import subprocess
import threading
import urllib.request

import grpc
import pytest
from grpc.testing import empty_pb2, messages_pb2, test_pb2_grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc

from test_interop_server import Transport, certs  # noqa: F401  (fixture)


class ServedByServiceMain:
    def __init__(self, swift_bin, environment):
        env = {key: value for key, value in os.environ.items()
               if key not in ("GRPC_LISTEN", "TLS_CERT", "TLS_KEY", "TLS_CA", "METRICS_LISTEN", "DATABASE_URL")}
        env.update(environment)
        self.process = subprocess.Popen([str(pathlib.Path(swift_bin) / "interop-server"), "serve"],
                                        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
        self.lines = []
        for line in self.process.stdout:
            record = json.loads(line)
            self.lines.append(record)
            if record["msg"] == "serving":
                self.port = int(record["grpc.port"])
                break
        else:
            raise RuntimeError(f"did not start: {self.process.stderr.read()}")
        self.reader = threading.Thread(target=lambda: self.lines.extend(json.loads(l) for l in self.process.stdout),
                                       daemon=True)
        self.reader.start()

    def stop(self):
        self.process.send_signal(signal.SIGTERM)
        status = self.process.wait(timeout=30)
        self.reader.join(timeout=5)
        return status


@pytest.fixture
def plaintext_service(swift_bin):
    service = ServedByServiceMain(swift_bin, {"GRPC_LISTEN": "127.0.0.1:0", "INSECURE_DEVELOPMENT_PLAINTEXT": "1",
                                              "LOG_FORMAT": "json", "METRICS_LISTEN": "127.0.0.1:0",
                                              "SERVICE_NAME": "interop-main"})
    yield service
    if service.process.poll() is None:
        service.stop()


def test_serve_logs_json_lines_serves_metrics_and_stops_gracefully_on_sigterm(plaintext_service):
    service = plaintext_service
    metrics_port = next(int(r["metrics.port"]) for r in service.lines if r["msg"] == "metrics endpoint listening")
    assert all(r["service"] == "interop-main" and r["ts"].endswith("Z") for r in service.lines)
    with grpc.insecure_channel(f"127.0.0.1:{service.port}") as channel:
        stub = test_pb2_grpc.TestServiceStub(channel)
        assert len(stub.UnaryCall(messages_pb2.SimpleRequest(response_size=5), timeout=10).payload.body) == 5
        health = health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(), timeout=10)
        assert health.status == health_pb2.HealthCheckResponse.SERVING
    text = urllib.request.urlopen(f"http://127.0.0.1:{metrics_port}/metrics", timeout=10).read().decode()
    assert "grpc_server_handling_seconds" in text and "UnaryCall" in text
    assert service.stop() == 0
    messages = [r["msg"] for r in service.lines]
    assert "termination signal received, shutting down" in messages and messages[-1] == "stopped"


def test_serve_with_tls_ca_is_mutual_tls(swift_bin, certs):  # noqa: F811
    service = ServedByServiceMain(swift_bin, {
        "GRPC_LISTEN": "127.0.0.1:0", "LOG_FORMAT": "json", "TLS_CERT": str(certs / "server.pem"),
        "TLS_KEY": str(certs / "server.key"), "TLS_CA": str(certs / "ca.pem")})
    try:
        address = f"localhost:{service.port}"
        with Transport("mtls", certs).channel(address) as channel:
            assert test_pb2_grpc.TestServiceStub(channel).EmptyCall(empty_pb2.Empty(), timeout=10) == empty_pb2.Empty()
        with Transport("tls", certs).channel(address) as channel:   # no client certificate
            with pytest.raises(grpc.RpcError) as error:
                test_pb2_grpc.TestServiceStub(channel).EmptyCall(empty_pb2.Empty(), timeout=5)
            assert error.value.code() == grpc.StatusCode.UNAVAILABLE
    finally:
        assert service.stop() == 0


@pytest.mark.parametrize("environment, variable", [
    ({"INSECURE_DEVELOPMENT_PLAINTEXT": "1"}, "GRPC_LISTEN"),
    ({"GRPC_LISTEN": "127.0.0.1:0"}, "TLS_CERT"),
    ({"GRPC_LISTEN": "127.0.0.1:0", "INSECURE_DEVELOPMENT_PLAINTEXT": "1", "LOG_LEVEL": "chatty"}, "LOG_LEVEL"),
])
def test_a_configuration_error_names_the_variable_and_exits_with_status_2(swift_bin, environment, variable):
    env = {key: value for key, value in os.environ.items() if not key.startswith(("GRPC_", "TLS_", "INSECURE_", "LOG_"))}
    env.update(environment)
    result = subprocess.run([str(pathlib.Path(swift_bin) / "interop-server"), "serve"], env=env,
                            capture_output=True, text=True, timeout=30)
    assert result.returncode == 2
    assert f"configuration error: {variable}:" in result.stderr
