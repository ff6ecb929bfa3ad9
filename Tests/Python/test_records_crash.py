"""RecordsService killed (SIGKILL) in the middle of a stream of RecordCrossing
calls from many concurrent callers, each retrying its request with the same
request_id until it is acknowledged; then started again on the same port. In
the database afterwards: every acknowledged crossing is stored exactly once,
with the id the acknowledgement named, one feed event each, and nothing was
stored that no caller asked for."""
import threading
import time
import uuid

import grpc
import pytest

from immigration.common.v1 import common_pb2
from immigration.records.v1 import records_pb2, records_pb2_grpc
from test_records_harness import RecordsDatabase, RecordsProcess, as_role, provenance, psql

CALLERS = 16
CROSSINGS_PER_CALLER = 40
RETRYABLE = {grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED, grpc.StatusCode.CANCELLED,
             grpc.StatusCode.UNKNOWN, grpc.StatusCode.INTERNAL}
CHANNEL_OPTIONS = [("grpc.initial_reconnect_backoff_ms", 100), ("grpc.min_reconnect_backoff_ms", 100),
                   ("grpc.max_reconnect_backoff_ms", 500)]


@pytest.fixture()
def database(swift_bin, repo_root):
    database = RecordsDatabase(str(swift_bin / "RecordsService"), repo_root)
    yield database
    database.drop()


def travellers(stub, count):
    """`count` persons with a passport each, and checkpoint HAN."""
    stub.UpsertCheckpoint(records_pb2.UpsertCheckpointRequest(
        request_id=str(uuid.uuid4()), provenance=provenance("OPS", "operator-1"),
        checkpoint=records_pb2.Checkpoint(code="HAN", name="Nội Bài", kind=common_pb2.CHECKPOINT_KIND_AIR,
                                          ministry=common_pb2.MINISTRY_PUBLIC_SECURITY)), metadata=as_role("ops"))
    documents = []
    for index in range(count):
        person = stub.CreatePerson(records_pb2.CreatePersonRequest(
            request_id=str(uuid.uuid4()), provenance=provenance(),
            details=records_pb2.PersonDetails(
                name=common_pb2.PersonName(family_name="Lê", given_name=f"Traveller {index}"),
                date_of_birth=common_pb2.PartialDate(year=1990), sex=common_pb2.SEX_MALE, nationalities=["FRA"])),
            metadata=as_role("ops")).person
        documents.append(stub.IssueDocument(records_pb2.IssueDocumentRequest(
            request_id=str(uuid.uuid4()), person_id=person.person_id, provenance=provenance(),
            details=records_pb2.DocumentDetails(
                reference=common_pb2.DocumentReference(kind=common_pb2.DOCUMENT_KIND_ORDINARY_PASSPORT,
                                                       number=f"FR{index:07d}", issuing_state="FRA"),
                issuing_authority="Préfecture de Paris", has_chip=True,
                issued_on=common_pb2.CalendarDate(year=2020, month=1, day=2),
                valid_until=common_pb2.CalendarDate(year=2035, month=1, day=1))),
            metadata=as_role("ops")).document)
    return documents


class Caller(threading.Thread):
    """Records its crossings one after another; each is retried with the same
    request until acknowledged (or until `give_up_at`)."""

    def __init__(self, address, document, number, give_up_at):
        super().__init__(daemon=True)
        self.address, self.document, self.number, self.give_up_at = address, document, number, give_up_at
        self.acknowledged = {}   # request_id -> (crossing_id, replayed)
        self.unacknowledged = set()
        self.failures = 0
        self.unexpected = []

    def request(self, index):
        request = records_pb2.RecordCrossingRequest(
            request_id=str(uuid.uuid4()),
            document=records_pb2.DocumentSelector(key=records_pb2.DocumentKey(
                person_id=self.document.person_id, document_id=self.document.document_id)),
            direction=common_pb2.DIRECTION_ENTRY if index % 2 == 0 else common_pb2.DIRECTION_EXIT,
            checkpoint=common_pb2.CheckpointReference(code="HAN"), lane=records_pb2.CROSSING_LANE_ABC_GATE,
            gate_id=f"HAN-T2-{self.number:02d}", provenance=provenance("HAN-BORDER", f"gate-HAN-T2-{self.number:02d}"))
        request.crossed_at.GetCurrentTime()
        return request

    def run(self):
        channel = grpc.insecure_channel(self.address, options=CHANNEL_OPTIONS)
        stub = records_pb2_grpc.RecordsServiceStub(channel)
        for index in range(CROSSINGS_PER_CALLER):
            request = self.request(index)
            while True:
                try:
                    response = stub.RecordCrossing(request, metadata=as_role("gate", f"HAN-T2-{self.number:02d}"),
                                                   timeout=3)
                    self.acknowledged[request.request_id] = (response.crossing.crossing_id, response.replayed)
                    break
                except grpc.RpcError as error:
                    if error.code() not in RETRYABLE:
                        self.unexpected.append((request.request_id, error.code(), error.details()))
                        self.unacknowledged.add(request.request_id)
                        break
                    self.failures += 1
                    if time.monotonic() > self.give_up_at:
                        self.unacknowledged.add(request.request_id)
                        break
                    time.sleep(0.05)
        channel.close()


def test_every_acknowledged_crossing_is_stored_exactly_once_when_the_service_is_killed_mid_stream(database):
    server = RecordsProcess(database).start()
    try:
        with grpc.insecure_channel(server.address) as channel:
            documents = travellers(records_pb2_grpc.RecordsServiceStub(channel), 4)
        give_up_at = time.monotonic() + 180
        callers = [Caller(server.address, documents[n % len(documents)], n, give_up_at) for n in range(CALLERS)]
        for caller in callers:
            caller.start()
        total = CALLERS * CROSSINGS_PER_CALLER
        deadline = time.monotonic() + 120
        while sum(len(c.acknowledged) for c in callers) < total // 3:
            assert time.monotonic() < deadline, "the callers made no progress"
            time.sleep(0.01)
        server.kill()   # mid-stream: calls in flight die with the process, some after their commit
        acknowledged_before_kill = sum(len(c.acknowledged) for c in callers)
        time.sleep(1.0)  # callers fail and retry against a closed port meanwhile
        server.start()
        for caller in callers:
            caller.join(timeout=200)
            assert not caller.is_alive()
    finally:
        server.stop()

    acknowledged = {rid: ack for c in callers for rid, ack in c.acknowledged.items()}
    unacknowledged = set().union(*(c.unacknowledged for c in callers))
    assert [u for c in callers for u in c.unexpected] == []
    assert acknowledged_before_kill < total, "the kill came after the stream ended"
    assert sum(c.failures for c in callers) > 0, "no caller saw the service die"

    rows = psql(f"SELECT request_id, crossing_id, count(*) OVER (PARTITION BY request_id) "
                f"FROM {database.schema}.crossings")
    stored = {}
    for request_id, crossing_id, copies in rows:
        assert copies == "1", f"request {request_id} stored {copies} times"
        stored[request_id] = crossing_id
    for request_id, (crossing_id, _) in acknowledged.items():
        assert stored.get(request_id) == crossing_id, f"acknowledged request {request_id} not stored as acknowledged"
    assert set(stored) <= set(acknowledged) | unacknowledged, "a crossing nobody asked for was stored"
    assert len(acknowledged) == total, f"{len(unacknowledged)} requests never acknowledged after the restart"
    assert len(stored) == total
    events = psql(f"SELECT count(*), count(DISTINCT payload) FROM {database.schema}.outbox "
                  f"WHERE change_type = 'crossing_recorded'")
    assert events == [[str(total), str(total)]], "one feed event per stored crossing"
    replayed = sum(1 for _, was_replayed in acknowledged.values() if was_replayed)
    print(f"{total} crossings, {sum(c.failures for c in callers)} failed attempts retried, "
          f"{replayed} acknowledged as replays of a commit whose answer the kill lost")
