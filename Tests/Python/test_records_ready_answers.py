"""The RecordsService binary counts the GetPerson answers it could not keep.
While another transaction holds a person's ready_answers row, the answer a
GetPerson computed is not written (the keeper gives up on the lock at once) and
records_ready_answers_not_kept_total{reason="lock_not_granted"} rises by one on
the metrics endpoint; once the row is free, the next GetPerson's answer is kept
and the count stays."""
import re
import subprocess
import time
import urllib.request
import uuid

import grpc

from immigration.common.v1 import common_pb2
from immigration.records.v1 import records_pb2, records_pb2_grpc
from test_records_harness import RecordsDatabase, RecordsProcess, as_role, free_port, provenance, psql


def not_kept(metrics_port, reason):
    text = urllib.request.urlopen(f"http://127.0.0.1:{metrics_port}/metrics", timeout=10).read().decode()
    found = re.search(r'^records_ready_answers_not_kept_total\{reason="%s"\} (\S+)$' % reason, text, re.M)
    assert found, "no records_ready_answers_not_kept_total series for " + reason
    return float(found.group(1))


def wait_for(what, condition, timeout=30):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "never: " + what
        time.sleep(0.1)


def test_an_answer_not_kept_because_its_row_is_held_is_counted_and_kept_by_the_next_read(swift_bin, repo_root):
    database = RecordsDatabase(str(swift_bin / "RecordsService"), repo_root)
    metrics_port = free_port()
    server = RecordsProcess(database, METRICS_LISTEN=f"127.0.0.1:{metrics_port}")
    schema = database.schema
    holder = None
    try:
        server.start()
        with grpc.insecure_channel(server.address) as channel:
            stub = records_pb2_grpc.RecordsServiceStub(channel)
            person = stub.CreatePerson(records_pb2.CreatePersonRequest(
                request_id=str(uuid.uuid4()), provenance=provenance(),
                details=records_pb2.PersonDetails(name=common_pb2.PersonName(family_name="Trần", given_name="Thu"),
                                                  date_of_birth=common_pb2.PartialDate(year=1988),
                                                  sex=common_pb2.SEX_FEMALE, nationalities=["VNM"])),
                metadata=as_role("ops"), timeout=20).person
            body_is_null = f"SELECT body IS NULL FROM {schema}.ready_answers WHERE person_id = '{person.person_id}'"
            assert psql(body_is_null) == [["t"]], "CreatePerson left no unusable row for the person"

            # Another transaction holds the person's row until told to end.
            holder = subprocess.Popen(["psql", "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1"], stdin=subprocess.PIPE,
                                      stdout=subprocess.PIPE, text=True)
            holder.stdin.write(f"BEGIN;\nSELECT 'held' FROM {schema}.ready_answers "
                               f"WHERE person_id = '{person.person_id}' FOR UPDATE;\n")
            holder.stdin.flush()
            assert holder.stdout.readline().strip() == "held"

            before = not_kept(metrics_port, "lock_not_granted")
            request = records_pb2.GetPersonRequest(person_id=person.person_id)
            answered = stub.GetPerson(request, metadata=as_role("gate"), timeout=20)
            assert answered.person.person_id == person.person_id
            wait_for("the keep counted as not kept, lock not granted",
                     lambda: not_kept(metrics_port, "lock_not_granted") == before + 1)
            assert psql(body_is_null) == [["t"]], "an answer was kept over a held row"

            holder.stdin.write("ROLLBACK;\n")
            holder.stdin.close()
            assert holder.wait(timeout=10) == 0
            # The next read computes the answer again and keeps it.
            assert stub.GetPerson(request, metadata=as_role("gate"), timeout=20) == answered
            wait_for("the answer kept once the row is free", lambda: psql(body_is_null) == [["f"]])
            assert not_kept(metrics_port, "lock_not_granted") == before + 1
            assert not_kept(metrics_port, "queue_full") == 0
    finally:
        if holder is not None and holder.poll() is None:
            holder.kill()
        server.stop()
        database.drop()
