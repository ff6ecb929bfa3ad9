"""The RecordsService binary purges by itself: with a one-second retention
interval, feed events, request log entries and finished intake jobs aged past
their retention (by moving their timestamps back) disappear while young ones
stay, and a consumer
behind the purge gets OUT_OF_RANGE naming where to resume. A retention setting
out of range stops the service at start, naming the variable."""
import subprocess
import time
import uuid

import grpc

from immigration.common.v1 import common_pb2
from immigration.records.v1 import records_pb2, records_pb2_grpc
from test_records_harness import RecordsDatabase, RecordsProcess, as_role, provenance, psql


def test_the_service_purges_old_feed_events_and_request_log_entries_on_its_own(swift_bin, repo_root):
    database = RecordsDatabase(str(swift_bin / "RecordsService"), repo_root)
    server = RecordsProcess(database, RECORDS_RETENTION_INTERVAL_SECONDS="1", RECORDS_FEED_RETENTION_DAYS="7",
                            RECORDS_REQUEST_LOG_RETENTION_DAYS="2")
    schema = database.schema
    try:
        server.start()
        with grpc.insecure_channel(server.address) as channel:
            stub = records_pb2_grpc.RecordsServiceStub(channel)
            for given in ("Mai", "Lan", "Hoa"):
                stub.CreatePerson(records_pb2.CreatePersonRequest(
                    request_id=str(uuid.uuid4()), provenance=provenance(),
                    details=records_pb2.PersonDetails(name=common_pb2.PersonName(family_name="Đỗ", given_name=given),
                                                      date_of_birth=common_pb2.PartialDate(year=1990),
                                                      sex=common_pb2.SEX_FEMALE, nationalities=["VNM"])),
                    metadata=as_role("ops"))
            events = list(stub.StreamChanges(records_pb2.StreamChangesRequest(stop_when_caught_up=True),
                                             metadata=as_role("service"), timeout=20))
            assert len(events) == 3
            first, second = (int(e.position.split(":")[1]) for e in events[:2])
            # The request log first: its row is found through the event at `first`, which the sweeper (every
            # second) may purge as soon as that event is aged, leaving nothing to age (CI failed so once).
            aged = psql(f"WITH aged AS (UPDATE {schema}.request_log SET recorded_at = now() - interval '3 days' "
                        f"WHERE person_id = (SELECT person_id FROM {schema}.outbox WHERE position = {first}) RETURNING 1) "
                        "SELECT count(*) FROM aged")
            assert aged == [["1"]], aged
            psql(f"UPDATE {schema}.outbox SET occurred_at = now() - interval '8 days' WHERE position IN ({first}, {second})")
            deadline = time.monotonic() + 60
            while psql(f"SELECT count(*) FROM {schema}.outbox") != [["1"]] or \
                    psql(f"SELECT count(*) FROM {schema}.request_log") != [["2"]]:
                assert time.monotonic() < deadline, "the service did not purge: " + repr(psql(
                    "SELECT l.classid, l.objid, a.state, a.query FROM pg_locks l JOIN pg_stat_activity a USING (pid) "
                    "WHERE l.locktype = 'advisory'")) + "; outbox positions " + repr(psql(
                    f"SELECT position, occurred_at < now() - interval '7 days' FROM {schema}.outbox ORDER BY position")) + \
                    "; request log " + repr(psql(f"SELECT count(*) FROM {schema}.request_log")) + "; " + server.state()
                time.sleep(0.2)
            assert psql(f"SELECT purged_through FROM {schema}.outbox_retention") == [[str(second)]]
            try:
                list(stub.StreamChanges(records_pb2.StreamChangesRequest(after_position=events[0].position,
                                                                         stop_when_caught_up=True),
                                        metadata=as_role("service"), timeout=20))
                raise AssertionError("a consumer behind the purge was served")
            except grpc.RpcError as error:
                assert error.code() == grpc.StatusCode.OUT_OF_RANGE
                assert f'after_position "{events[1].position}"' in error.details()
            rest = list(stub.StreamChanges(records_pb2.StreamChangesRequest(after_position=events[1].position,
                                                                            stop_when_caught_up=True),
                                           metadata=as_role("service"), timeout=20))
            assert [e.position for e in rest] == [events[2].position]
    finally:
        server.stop()
        database.drop()


def test_the_service_purges_finished_intake_jobs_past_their_retention_and_keeps_what_they_loaded(swift_bin, repo_root):
    database = RecordsDatabase(str(swift_bin / "RecordsService"), repo_root)
    server = RecordsProcess(database, RECORDS_RETENTION_INTERVAL_SECONDS="1", RECORDS_INTAKE_RETENTION_DAYS="30")
    schema = database.schema
    try:
        server.start()
        with grpc.insecure_channel(server.address) as channel:
            stub = records_pb2_grpc.RecordsServiceStub(channel)
            jobs = [str(uuid.uuid4()) for _ in range(2)]
            for job in jobs:
                rows = [records_pb2.IntakeRow(row_number=1, person=records_pb2.IntakePerson(
                            source_key=f"{job}-1", details=records_pb2.PersonDetails(
                                name=common_pb2.PersonName(family_name="Đỗ", given_name="Mai"),
                                date_of_birth=common_pb2.PartialDate(year=1990), sex=common_pb2.SEX_FEMALE,
                                nationalities=["VNM"]))),
                        records_pb2.IntakeRow(row_number=2, person=records_pb2.IntakePerson(source_key=""))]
                response = stub.BulkIntake(iter([records_pb2.BulkIntakeRequest(
                    job_id=job, batch_sequence=1, last_batch=True, rows=rows,
                    job=records_pb2.IntakeJobSpec(source_system="legacy-a08",
                                                  provenance=provenance(source=common_pb2.INFORMATION_SOURCE_CONVERTED_DATABASE)))]),
                    metadata=as_role("ops"), timeout=30)
                assert (response.accepted_rows, response.rejected_rows) == (1, 1)
            psql(f"UPDATE {schema}.intake_jobs SET updated_at = now() - interval '31 days' WHERE job_id = '{jobs[0]}'")
            deadline = time.monotonic() + 60
            while psql(f"SELECT count(*) FROM {schema}.intake_jobs") != [["1"]]:
                assert time.monotonic() < deadline, "the service did not purge the old intake job"
                time.sleep(0.2)
            assert psql(f"SELECT job_id FROM {schema}.intake_jobs") == [[jobs[1]]]
            assert psql(f"SELECT count(*) FROM {schema}.intake_batches") == [["1"]]
            assert psql(f"SELECT count(*) FROM {schema}.intake_rejections") == [["1"]]
            assert psql(f"SELECT count(*) FROM {schema}.persons") == [["2"]]
            try:
                stub.GetIntakeStatus(records_pb2.GetIntakeStatusRequest(job_id=jobs[0]), metadata=as_role("ops"), timeout=10)
                raise AssertionError("a purged job was found")
            except grpc.RpcError as error:
                assert error.code() == grpc.StatusCode.NOT_FOUND
    finally:
        server.stop()
        database.drop()


def test_a_retention_setting_out_of_range_stops_the_service_at_start_naming_it(swift_bin, repo_root):
    database = RecordsDatabase(str(swift_bin / "RecordsService"), repo_root)
    try:
        run = subprocess.run([database.binary, "serve"], capture_output=True, text=True, timeout=60,
                             env=database.environment(RECORDS_FEED_RETENTION_DAYS="0"))
        assert run.returncode == 78
        assert "RECORDS_FEED_RETENTION_DAYS: between 1 and 36500" in run.stderr
    finally:
        database.drop()
