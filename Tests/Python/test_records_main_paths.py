"""RecordsService's main paths from Python grpcio against the built
RecordsService binary, started here as a subprocess over a schema and role of
its own (scripts/db-provision.sh, then `RecordsService migrate`) on the server
of the PG* variables. Plaintext development mode: callers name themselves in
the x-dev-caller header."""
import datetime
import os
import secrets
import socket
import subprocess
import time
import uuid

import grpc
import pytest
from google.rpc import error_details_pb2
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_status import rpc_status

from immigration.common.v1 import common_pb2
from immigration.records.v1 import records_pb2, records_pb2_grpc


def _psql(sql):
    subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-c", sql], check=True, capture_output=True)


@pytest.fixture(scope="module")
def records(swift_bin, repo_root):
    for name in ("PGHOST", "PGPORT", "PGUSER", "PGPASSWORD", "PGDATABASE"):
        assert name in os.environ, f"{name} is not set: eval \"$(scripts/pg.sh start --test)\" first"
    schema = "records_py_" + secrets.token_hex(4)
    password = secrets.token_hex(16)
    subprocess.run([str(repo_root / "scripts" / "db-provision.sh"), schema, password], check=True, capture_output=True)
    with socket.socket() as probe:  # a free port; the service's logs own stdout
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = dict(os.environ)
    env.update({
        "DATABASE_URL": f"host={os.environ['PGHOST']} port={os.environ['PGPORT']} dbname={os.environ['PGDATABASE']} "
                        f"user={schema} password={password} sslmode=disable",
        "RECORDS_SCHEMA": schema,
        "GRPC_LISTEN": f"127.0.0.1:{port}",
        "INSECURE_DEVELOPMENT_PLAINTEXT": "1",
        "LOG_LEVEL": "warning",
    })
    binary = str(swift_bin / "RecordsService")
    server = None
    try:
        subprocess.run([binary, "migrate"], env=env, check=True, capture_output=True, timeout=60)
        server = subprocess.Popen([binary, "serve"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        channel = grpc.insecure_channel(f"127.0.0.1:{port}")
        health = health_pb2_grpc.HealthStub(channel)
        deadline = time.monotonic() + 60
        while True:  # serving once health says so (ServiceHost marks SERVING after start)
            assert server.poll() is None, "RecordsService exited during start"
            try:
                if health.Check(health_pb2.HealthCheckRequest(), timeout=2).status == health_pb2.HealthCheckResponse.SERVING:
                    break
            except grpc.RpcError:
                pass
            assert time.monotonic() < deadline, "RecordsService did not become SERVING"
            time.sleep(0.2)
        yield records_pb2_grpc.RecordsServiceStub(channel)
        channel.close()
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=15)
        _psql(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        _psql(f"DROP OWNED BY {schema}")
        _psql(f"DROP ROLE IF EXISTS {schema}")


def as_role(role, ident="py-1"):
    return [("x-dev-caller", f"spiffe://immigration.example/{role}/{ident}")]


def provenance(unit="A08", actor="officer-7"):
    return common_pb2.Provenance(source=common_pb2.INFORMATION_SOURCE_PROCEDURE, unit_code=unit, actor_id=actor)


def today(offset_days=0):
    day = (datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(hours=7, days=offset_days)).date()
    return common_pb2.CalendarDate(year=day.year, month=day.month, day=day.day)


def citizen(citizen_id="001085012345"):
    return records_pb2.PersonDetails(
        citizen_id=citizen_id,
        name=common_pb2.PersonName(family_name="Trần", middle_name="Thị", given_name="Hoa"),
        date_of_birth=common_pb2.PartialDate(year=1985, month=3),
        sex=common_pb2.SEX_FEMALE, nationalities=["VNM"])


def test_a_person_with_a_passport_crosses_once_however_often_the_gate_retries(records):
    person = records.CreatePerson(records_pb2.CreatePersonRequest(
        request_id=str(uuid.uuid4()), details=citizen(), provenance=provenance()), metadata=as_role("issuing-authority")).person
    assert person.folded_name == "TRAN THI HOA"
    document = records.IssueDocument(records_pb2.IssueDocumentRequest(
        request_id=str(uuid.uuid4()), person_id=person.person_id,
        details=records_pb2.DocumentDetails(
            reference=common_pb2.DocumentReference(kind=common_pb2.DOCUMENT_KIND_ORDINARY_PASSPORT, number="P7654321",
                                                   issuing_state="VNM"),
            issuing_authority="Cục Quản lý xuất nhập cảnh", has_chip=True, issued_on=today(-10), valid_until=today(3650)),
        provenance=provenance()), metadata=as_role("issuing-authority")).document
    records.UpsertCheckpoint(records_pb2.UpsertCheckpointRequest(
        request_id=str(uuid.uuid4()), provenance=provenance("OPS", "operator-1"),
        checkpoint=records_pb2.Checkpoint(code="SGN", name="Tân Sơn Nhất", kind=common_pb2.CHECKPOINT_KIND_AIR,
                                          ministry=common_pb2.MINISTRY_PUBLIC_SECURITY)), metadata=as_role("ops"))
    eligibility = records.CheckCrossingEligibility(records_pb2.CheckCrossingEligibilityRequest(
        document=records_pb2.DocumentSelector(reference=document.details.reference),
        direction=common_pb2.DIRECTION_EXIT, checkpoint=common_pb2.CheckpointReference(code="SGN")),
        metadata=as_role("gate", "SGN-01"))
    assert eligibility.allowed and eligibility.person_id == person.person_id

    crossing = records_pb2.RecordCrossingRequest(
        request_id=str(uuid.uuid4()), document=records_pb2.DocumentSelector(reference=document.details.reference),
        direction=common_pb2.DIRECTION_EXIT, checkpoint=common_pb2.CheckpointReference(code="SGN"),
        lane=records_pb2.CROSSING_LANE_MANUAL, provenance=provenance("SGN-BORDER", "officer-2"))
    crossing.crossed_at.GetCurrentTime()
    first = records.RecordCrossing(crossing, metadata=as_role("control-unit"))
    again = records.RecordCrossing(crossing, metadata=as_role("control-unit"))
    assert not first.replayed and again.replayed
    assert first.crossing.crossing_id == again.crossing.crossing_id

    read = records.GetPerson(records_pb2.GetPersonRequest(person_id=person.person_id), metadata=as_role("gate", "SGN-01"))
    assert [c.crossing_id for c in read.recent_crossings] == [first.crossing.crossing_id]
    assert read.person.details.name.family_name == "Trần"

    events = list(records.StreamChanges(records_pb2.StreamChangesRequest(stop_when_caught_up=True),
                                        metadata=as_role("service", "agency-access"), timeout=20))
    assert [e.type for e in events] == [records_pb2.CHANGE_TYPE_PERSON_CREATED, records_pb2.CHANGE_TYPE_DOCUMENT_ISSUED,
                                        records_pb2.CHANGE_TYPE_CROSSING_RECORDED]
    resumed = list(records.StreamChanges(records_pb2.StreamChangesRequest(after_position=events[1].position,
                                                                          stop_when_caught_up=True),
                                         metadata=as_role("service", "agency-access"), timeout=20))
    assert [e.crossing.crossing_id for e in resumed] == [first.crossing.crossing_id]


def test_bad_input_is_invalid_argument_with_a_field_violation_per_rule(records):
    details = citizen("0010850123")
    details.nationalities[:] = []
    with pytest.raises(grpc.RpcError) as raised:
        records.CreatePerson(records_pb2.CreatePersonRequest(request_id="x", details=details, provenance=provenance()),
                             metadata=as_role("ops"))
    assert raised.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    status = rpc_status.from_call(raised.value)
    bad_request = error_details_pb2.BadRequest()
    assert status.details[0].Unpack(bad_request)
    assert {v.field for v in bad_request.field_violations} == {"request_id", "details.citizen_id", "details.nationalities"}


def test_a_role_the_policy_does_not_list_is_permission_denied(records):
    with pytest.raises(grpc.RpcError) as raised:
        records.CreatePerson(records_pb2.CreatePersonRequest(), metadata=as_role("gate", "HAN-T2-07"))
    assert raised.value.code() == grpc.StatusCode.PERMISSION_DENIED
    with pytest.raises(grpc.RpcError) as raised:
        records.GetPerson(records_pb2.GetPersonRequest(person_id=str(uuid.uuid4())), metadata=as_role("agency", "C01"))
    assert raised.value.code() == grpc.StatusCode.PERMISSION_DENIED
    with pytest.raises(grpc.RpcError) as raised:
        records.GetPerson(records_pb2.GetPersonRequest(person_id=str(uuid.uuid4())), metadata=as_role("ops"))
    assert raised.value.code() == grpc.StatusCode.NOT_FOUND
