"""`immigctl intake` against the real RecordsService binary: an NDJSON load
during which the server is SIGKILLed and restarted (immigctl retries by
itself), and a CSV load whose immigctl is SIGKILLed and run again with the same
--job-id (resumes after the last committed batch). Both end with every good
row stored exactly once and every bad row in the rejections file with its
reason."""
import json
import signal
import subprocess
import time
import uuid

import grpc
import pytest
from google.protobuf import json_format

from immigration.common.v1 import common_pb2
from immigration.records.v1 import records_pb2, records_pb2_grpc
from test_records_harness import RecordsDatabase, RecordsProcess, as_role, provenance, psql


@pytest.fixture()
def served(swift_bin, repo_root):
    database = RecordsDatabase(str(swift_bin / "RecordsService"), repo_root)
    server = RecordsProcess(database)
    try:
        server.start()
        with grpc.insecure_channel(server.address) as channel:
            records_pb2_grpc.RecordsServiceStub(channel).UpsertCheckpoint(records_pb2.UpsertCheckpointRequest(
                request_id=str(uuid.uuid4()), provenance=provenance("OPS", "operator-1"),
                checkpoint=records_pb2.Checkpoint(code="HAN", name="Nội Bài", kind=common_pb2.CHECKPOINT_KIND_AIR,
                                                  ministry=common_pb2.MINISTRY_PUBLIC_SECURITY)), metadata=as_role("ops"))
        yield database, server
    finally:
        server.stop()
        database.drop()


def count(database, table):
    return int(psql(f"SELECT count(*) FROM {database.schema}.{table}")[0][0])


def last_committed(database):
    rows = psql(f"SELECT coalesce(max(last_committed_batch), 0) FROM {database.schema}.intake_jobs")
    return int(rows[0][0])


def wait_for_batches(database, batches, process, timeout=120):
    deadline = time.monotonic() + timeout
    while last_committed(database) < batches:
        assert process.poll() is None, process.stderr.read()
        assert time.monotonic() < deadline, "the load made no progress"
        time.sleep(0.01)


def intake(swift_bin, server, path, *extra):
    return subprocess.Popen([str(swift_bin / "immigctl"), "intake", str(path), "--target", server.address, "--plaintext",
                             "--source-system", "legacy-a08", "--unit", "A08", *extra],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def person_row(i):
    return records_pb2.IntakeRow(person=records_pb2.IntakePerson(
        source_key=f"P{i:05d}", details=records_pb2.PersonDetails(
            citizen_id=f"0010850{i:05d}", name=common_pb2.PersonName(family_name="Nguyễn", middle_name="Văn",
                                                                      given_name=f"An {i}"),
            date_of_birth=common_pb2.PartialDate(year=1985, month=5), sex=common_pb2.SEX_MALE, nationalities=["VNM"])))


def document_row(i):
    return records_pb2.IntakeRow(document=records_pb2.IntakeDocument(
        person_source_key=f"P{i:05d}", details=records_pb2.DocumentDetails(
            reference=common_pb2.DocumentReference(kind=common_pb2.DOCUMENT_KIND_ORDINARY_PASSPORT, number=f"B{i:07d}",
                                                   issuing_state="VNM"),
            issuing_authority="Cục Quản lý xuất nhập cảnh", has_chip=True,
            issued_on=common_pb2.CalendarDate(year=2020, month=1, day=2),
            valid_until=common_pb2.CalendarDate(year=2030, month=1, day=1))))


def crossing_row(i, person=None):
    row = records_pb2.IntakeRow(crossing=records_pb2.IntakeCrossing(
        person_source_key=person or f"P{i:05d}",
        document=common_pb2.DocumentReference(kind=common_pb2.DOCUMENT_KIND_ORDINARY_PASSPORT, number=f"B{i:07d}",
                                              issuing_state="VNM"),
        direction=common_pb2.DIRECTION_EXIT, checkpoint_code="HAN", lane=records_pb2.CROSSING_LANE_MANUAL))
    row.crossing.crossed_at.FromJsonString(f"2024-03-{1 + i % 28:02d}T0{i % 10}:15:00Z")
    return row


def test_an_ndjson_load_survives_the_server_being_killed_and_restarted_with_nothing_lost_or_doubled(
        served, swift_bin, tmp_path):
    database, server = served
    persons = 700
    lines = [json.dumps(json_format.MessageToDict(person_row(i))) for i in range(persons)]
    lines += [json.dumps(json_format.MessageToDict(document_row(i))) for i in range(persons)]
    lines += [json.dumps(json_format.MessageToDict(crossing_row(i))) for i in range(persons)]
    bad = {len(lines) + 1: ("record", "required"), len(lines) + 2: ("person.details.citizen_id", "twelve_digits"),
           len(lines) + 3: ("crossing.document", "unknown_document")}
    lines.append('{"person": {"sourceKey": "P99999", "details": ')   # cut off: not JSON
    short = person_row(99998)
    short.person.details.citizen_id = "00108"
    lines.append(json.dumps(json_format.MessageToDict(short)))
    lines.append(json.dumps(json_format.MessageToDict(crossing_row(5, person="NOBODY"))))
    source = tmp_path / "legacy.ndjson"
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    rejects = tmp_path / "rejects.ndjson"

    process = intake(swift_bin, server, source, "--batch-size", "25", "--rejects", str(rejects))
    wait_for_batches(database, 5, process)
    server.kill()
    killed_at = last_committed(database)
    time.sleep(1.0)
    server.start()
    out, err = process.communicate(timeout=300)
    assert process.returncode == 0, err
    assert killed_at < len(lines) // 25, "the server was killed after the load ended"
    assert "retrying" in err, err
    assert "intake: " in err and "accepted" in err, "plain progress lines when stderr is not a terminal"

    assert count(database, "persons") == persons
    assert count(database, "documents") == persons
    assert count(database, "crossings") == persons
    assert psql(f"SELECT count(*) FROM (SELECT person_id, request_id FROM {database.schema}.crossings "
                f"GROUP BY 1, 2 HAVING count(*) > 1) d") == [["0"]]
    assert psql(f"SELECT state, accepted_rows, rejected_rows, last_committed_batch FROM {database.schema}.intake_jobs") \
        == [["completed", str(3 * persons), "3", str((len(lines) + 24) // 25)]]
    rejected = [json.loads(line) for line in rejects.read_text().splitlines()]
    assert {r["rowNumber"]: (r["field"], r["rule"]) for r in rejected} == bad


def test_a_csv_load_whose_client_was_killed_resumes_with_its_job_id_from_the_last_committed_batch(
        served, swift_bin, tmp_path):
    database, server = served
    persons = 600
    header = ("person.source_key,person.details.citizen_id,person.details.name.family_name,"
              "person.details.name.givenName,person.details.date_of_birth.year,person.details.sex,"
              "person.details.nationalities")
    rows = [f'C{i:05d},0010850{i:05d},"Trần",Thị {i},1985,SEX_FEMALE,VNM;FRA' for i in range(persons)]
    rows.insert(100, 'C99999,,"Ngô",Bad sex,1985,SEX_WHATEVER,VNM')      # line 102: unknown enum value
    rows.insert(200, 'C99998,,"Ngô ""Quoted""",,1985,SEX_MALE,VNM,extra')   # line 202: a field too many
    source = tmp_path / "legacy.csv"
    source.write_text(header + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
    rejects = tmp_path / "rejects.ndjson"
    job = str(uuid.uuid4())

    first = intake(swift_bin, server, source, "--batch-size", "20", "--job-id", job, "--rejects", str(rejects))
    wait_for_batches(database, 3, first)
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=15)
    stopped_at = last_committed(database)
    assert stopped_at < (len(rows) + 19) // 20, "immigctl was killed after the load ended"

    second = intake(swift_bin, server, source, "--batch-size", "20", "--job-id", job, "--rejects", str(rejects))
    out, err = second.communicate(timeout=300)
    assert second.returncode == 0, err
    assert f"resuming after batch {stopped_at}" in err, err

    assert count(database, "persons") == persons
    assert psql(f"SELECT count(*) FROM {database.schema}.persons WHERE cardinality(nationalities) = 2") \
        == [[str(persons)]], "a repeated field's values separated by ;"
    assert psql(f"SELECT state, accepted_rows, rejected_rows FROM {database.schema}.intake_jobs") \
        == [["completed", str(persons), "2"]]
    assert int(psql(f"SELECT count(*) FROM {database.schema}.intake_batches")[0][0]) == (len(rows) + 19) // 20
    rejected = {r["rowNumber"]: r["rule"] for r in map(json.loads, rejects.read_text().splitlines())}
    assert set(rejected) == {102, 202}, rejected
    assert rejected == {102: "required", 202: "required"}, "unreadable rows are sent without a record"
    assert "line 102: " in err or "line 102: " in first.stderr.read(), "the local reason is shown on stderr"
