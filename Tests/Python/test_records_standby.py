"""Search and statistics read from the hot standby (DATABASE_READ_URL): a real
standby of the test cluster, cloned with pg_basebackup -R and started on a
free loopback port. With the standby's replay paused, a person created on the
primary is found by GetPerson (primary) but not yet by SearchPersons, and a
crossing not yet counted by GetCrossingStatistics (standby); once replay
resumes both see them. With the standby stopped, search is answered from the
primary."""
import datetime
import os
import pathlib
import shutil
import subprocess
import tempfile
import time
import uuid

import grpc
import pytest

from immigration.common.v1 import common_pb2
from immigration.records.v1 import records_pb2, records_pb2_grpc
from test_records_harness import RecordsDatabase, RecordsProcess, as_role, free_port, provenance, psql

PG_BIN = pathlib.Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))
OWNER = "immigration-pg"


def as_owner(command, **kwargs):
    """Runs a command as the cluster's OS user when we are root (as scripts/pg.sh does)."""
    prefix = ["runuser", "-u", OWNER, "--"] if os.getuid() == 0 else []
    return subprocess.run(prefix + command, check=True, capture_output=True, text=True, **kwargs)


@pytest.fixture()
def standby():
    """A hot standby of the PG* cluster; yields its port."""
    folder = pathlib.Path(tempfile.mkdtemp(prefix="records-standby-"))
    data = folder / "data"
    if os.getuid() == 0:
        shutil.chown(folder, OWNER)
    port = free_port()
    as_owner([str(PG_BIN / "pg_basebackup"), "-h", os.environ["PGHOST"], "-p", os.environ["PGPORT"],
              "-U", os.environ["PGUSER"], "-D", str(data), "-R", "-X", "stream", "-c", "fast"], timeout=300)
    as_owner([str(PG_BIN / "pg_ctl"), "-D", str(data), "-l", str(folder / "server.log"), "-w", "-t", "120",
              "-o", f"-c port={port} -c unix_socket_directories={folder} -c hot_standby=on", "start"])
    try:
        assert psql("SELECT pg_is_in_recovery()", port=port) == [["t"]]
        yield port
    finally:
        subprocess.run((["runuser", "-u", OWNER, "--"] if os.getuid() == 0 else [])
                       + [str(PG_BIN / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"], capture_output=True)
        shutil.rmtree(folder, ignore_errors=True)


def replayed(port, timeout=30):
    """Waits until the standby has replayed everything the primary wrote so far."""
    target = psql("SELECT pg_current_wal_lsn()")[0][0]
    deadline = time.monotonic() + timeout
    while psql(f"SELECT pg_last_wal_replay_lsn() >= '{target}'::pg_lsn", port=port) != [["t"]]:
        assert time.monotonic() < deadline, "the standby did not catch up"
        time.sleep(0.05)


def search(stub, prefix):
    return [p.person_id for p in stub.SearchPersons(records_pb2.SearchPersonsRequest(
        name=records_pb2.NameQuery(name_prefix=prefix)), metadata=as_role("control-unit"), timeout=10).persons]


def exits_today(stub):
    day = (datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(hours=7)).date()
    date = common_pb2.CalendarDate(year=day.year, month=day.month, day=day.day)
    rows = stub.GetCrossingStatistics(records_pb2.GetCrossingStatisticsRequest(
        first_day=date, last_day=date, period=records_pb2.STATISTICS_PERIOD_DAY), metadata=as_role("ops"), timeout=10).rows
    return sum(r.crossings for r in rows)


def test_search_and_statistics_read_the_standby_and_fall_back_to_the_primary_when_it_is_down(
        swift_bin, repo_root, standby):
    database = RecordsDatabase(str(swift_bin / "RecordsService"), repo_root)
    server = RecordsProcess(database, DATABASE_READ_URL=database.url(port=standby))
    try:
        server.start()
        with grpc.insecure_channel(server.address) as channel:
            stub = records_pb2_grpc.RecordsServiceStub(channel)
            stub.UpsertCheckpoint(records_pb2.UpsertCheckpointRequest(
                request_id=str(uuid.uuid4()), provenance=provenance("OPS", "operator-1"),
                checkpoint=records_pb2.Checkpoint(code="DAD", name="Đà Nẵng", kind=common_pb2.CHECKPOINT_KIND_AIR,
                                                  ministry=common_pb2.MINISTRY_PUBLIC_SECURITY)), metadata=as_role("ops"))

            def person(given):
                return stub.CreatePerson(records_pb2.CreatePersonRequest(
                    request_id=str(uuid.uuid4()), provenance=provenance(),
                    details=records_pb2.PersonDetails(name=common_pb2.PersonName(family_name="Phạm", given_name=given),
                                                      date_of_birth=common_pb2.PartialDate(year=1970),
                                                      sex=common_pb2.SEX_FEMALE, nationalities=["VNM"])),
                    metadata=as_role("ops")).person

            def crossing(holder, number):
                document = stub.IssueDocument(records_pb2.IssueDocumentRequest(
                    request_id=str(uuid.uuid4()), person_id=holder.person_id, provenance=provenance(),
                    details=records_pb2.DocumentDetails(
                        reference=common_pb2.DocumentReference(kind=common_pb2.DOCUMENT_KIND_ORDINARY_PASSPORT,
                                                               number=number, issuing_state="VNM"),
                        issuing_authority="Cục Quản lý xuất nhập cảnh", has_chip=True,
                        issued_on=common_pb2.CalendarDate(year=2024, month=1, day=2),
                        valid_until=common_pb2.CalendarDate(year=2034, month=1, day=1))),
                    metadata=as_role("ops")).document
                request = records_pb2.RecordCrossingRequest(
                    request_id=str(uuid.uuid4()), document=records_pb2.DocumentSelector(key=records_pb2.DocumentKey(
                        person_id=document.person_id, document_id=document.document_id)),
                    direction=common_pb2.DIRECTION_EXIT, checkpoint=common_pb2.CheckpointReference(code="DAD"),
                    lane=records_pb2.CROSSING_LANE_MANUAL, provenance=provenance("DAD-BORDER", "officer-3"))
                request.crossed_at.GetCurrentTime()
                stub.RecordCrossing(request, metadata=as_role("control-unit"))

            first = person("Lan")
            crossing(first, "C1000001")
            replayed(standby)
            assert search(stub, "PHAM LAN") == [first.person_id]
            assert exits_today(stub) == 1

            psql("SELECT pg_wal_replay_pause()", port=standby)
            second = person("Lanh")
            crossing(second, "C1000002")
            got = stub.GetPerson(records_pb2.GetPersonRequest(person_id=second.person_id), metadata=as_role("ops"))
            assert got.person.person_id == second.person_id, "GetPerson reads the primary"
            assert search(stub, "PHAM LAN") == [first.person_id], "search reads the paused standby"
            assert exits_today(stub) == 1, "statistics read the paused standby"

            psql("SELECT pg_wal_replay_resume()", port=standby)
            replayed(standby)
            assert sorted(search(stub, "PHAM LAN")) == sorted([first.person_id, second.person_id])
            assert exits_today(stub) == 2

            psql("SELECT pg_wal_replay_pause()", port=standby)
            third = person("Lanh Anh")
            subprocess.run((["runuser", "-u", OWNER, "--"] if os.getuid() == 0 else [])
                           + [str(PG_BIN / "pg_ctl"), "-D", psql("SHOW data_directory", port=standby)[0][0],
                              "-m", "immediate", "-w", "stop"], check=True, capture_output=True)
            assert third.person_id in search(stub, "PHAM LANH"), "with the standby down, search reads the primary"
    finally:
        server.stop()
        database.drop()
