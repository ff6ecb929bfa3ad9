"""Support for the Python tests of RecordsService that start, kill and restart
the built RecordsService binary as a child process (no tests here).

A `RecordsDatabase` is a schema and role of its own on the server of the PG*
variables (scripts/db-provision.sh), migrated with `RecordsService migrate`;
a `RecordsProcess` serves it on a loopback port in plaintext development mode
(callers name themselves in x-dev-caller) and can be SIGKILLed and started
again on the same port."""
import os
import secrets
import signal
import socket
import subprocess
import tempfile
import time

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc

from immigration.common.v1 import common_pb2


def psql(sql, port=None):
    """Runs SQL as the PG* superuser; returns the rows as lists of strings."""
    env = dict(os.environ)
    if port is not None:
        env["PGPORT"] = str(port)
    out = subprocess.run(["psql", "-X", "-q", "-At", "-F", "\t", "-v", "ON_ERROR_STOP=1", "-c", sql], check=True,
                         capture_output=True, text=True, env=env).stdout
    return [line.split("\t") for line in out.splitlines() if line]


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def as_role(role, ident="py-1"):
    return [("x-dev-caller", f"spiffe://immigration.example/{role}/{ident}")]


def provenance(unit="A08", actor="officer-7", source=common_pb2.INFORMATION_SOURCE_PROCEDURE):
    return common_pb2.Provenance(source=source, unit_code=unit, actor_id=actor)


class RecordsDatabase:
    """A provisioned, migrated schema; `drop()` removes schema and role."""

    def __init__(self, binary, repo_root):
        for name in ("PGHOST", "PGPORT", "PGUSER", "PGPASSWORD", "PGDATABASE"):
            assert name in os.environ, f"{name} is not set: eval \"$(scripts/pg.sh start --test)\" first"
        self.binary = binary
        self.schema = "records_py_" + secrets.token_hex(4)
        self.password = secrets.token_hex(16)
        subprocess.run([str(repo_root / "scripts" / "db-provision.sh"), self.schema, self.password], check=True,
                       capture_output=True)
        subprocess.run([binary, "migrate"], env=self.environment(), check=True, capture_output=True, timeout=120)

    def url(self, port=None):
        return (f"host={os.environ['PGHOST']} port={port or os.environ['PGPORT']} dbname={os.environ['PGDATABASE']} "
                f"user={self.schema} password={self.password} sslmode=disable")

    def environment(self, **extra):
        env = dict(os.environ)
        env.update({"DATABASE_URL": self.url(), "RECORDS_SCHEMA": self.schema, "INSECURE_DEVELOPMENT_PLAINTEXT": "1",
                    "GRPC_LISTEN": "127.0.0.1:0", "LOG_LEVEL": "warning"})
        env.update(extra)
        return env

    def drop(self):
        psql(f"DROP SCHEMA IF EXISTS {self.schema} CASCADE")
        psql(f"DROP OWNED BY {self.schema}")
        psql(f"DROP ROLE IF EXISTS {self.schema}")


class RecordsProcess:
    """The RecordsService binary serving a RecordsDatabase on 127.0.0.1:port."""

    def __init__(self, database, port=None, **environment):
        self.database = database
        self.port = port or free_port()
        self.environment = environment
        self.process = None
        # The service's own log (it never logs personal data), for a failing test to show.
        self.log = tempfile.TemporaryFile()

    @property
    def address(self):
        return f"127.0.0.1:{self.port}"

    def start(self, timeout=60):
        env = self.database.environment(GRPC_LISTEN=self.address, **self.environment)
        self.process = subprocess.Popen([self.database.binary, "serve"], env=env, stdout=self.log,
                                        stderr=subprocess.STDOUT)
        with grpc.insecure_channel(self.address) as channel:
            health = health_pb2_grpc.HealthStub(channel)
            deadline = time.monotonic() + timeout
            while True:  # serving once health says so (ServiceHost marks SERVING after start)
                assert self.process.poll() is None, "RecordsService exited during start"
                try:
                    if health.Check(health_pb2.HealthCheckRequest(), timeout=2).status == \
                            health_pb2.HealthCheckResponse.SERVING:
                        return self
                except grpc.RpcError:
                    pass
                assert time.monotonic() < deadline, "RecordsService did not become SERVING"
                time.sleep(0.1)

    def state(self, lines=20):
        """Whether the process runs, and the last lines of its log: for failure messages."""
        status = self.process.poll() if self.process is not None else "not started"
        self.log.seek(0)
        tail = self.log.read().decode(errors="replace").splitlines()[-lines:]
        return f"exit status {status}; log tail:\n" + "\n".join(tail)

    def kill(self):
        """SIGKILL: no graceful shutdown, in-flight calls die with the process."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=15)

    def stop(self):
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()
