"""gRPC's standard interop cases (doc/interop-test-descriptions.md), driven by
Python grpcio with classes generated from Protos/grpc/testing, against the
Swift interop server, over plaintext, TLS and mutual TLS."""
import queue
import threading

import grpc
import pytest
from grpc.testing import empty_pb2, messages_pb2, test_pb2_grpc

from test_interop_server import certs, server, transport  # noqa: F401  (fixtures)

SPECIAL_MESSAGE = "\t\ntest with whitespace\r\nand Unicode BMP \u263a and non-BMP \U0001f608\t\n"
REQUEST_SIZES = [27182, 8, 1828, 45904]
RESPONSE_SIZES = [31415, 9, 2653, 58979]


@pytest.fixture
def stub(server, transport):  # noqa: F811
    with transport.channel(server.address) as channel:
        grpc.channel_ready_future(channel).result(timeout=20)
        yield test_pb2_grpc.TestServiceStub(channel)


def _payload(size):
    return messages_pb2.Payload(body=b"\0" * size)


def _duplex_request(size, payload=0, status=None):
    request = messages_pb2.StreamingOutputCallRequest(
        response_parameters=[messages_pb2.ResponseParameters(size=size)], payload=_payload(payload))
    if status is not None:
        request.response_status.CopyFrom(status)
    return request


class RequestQueue:
    """Requests written one at a time by the test, for ping-pong."""

    def __init__(self):
        self.queue = queue.Queue()

    def put(self, request):
        self.queue.put(request)

    def close(self):
        self.queue.put(None)

    def __iter__(self):
        while (request := self.queue.get()) is not None:
            yield request


def test_empty_unary(stub):
    assert stub.EmptyCall(empty_pb2.Empty(), timeout=10) == empty_pb2.Empty()


def test_large_unary(stub):
    response = stub.UnaryCall(messages_pb2.SimpleRequest(response_size=314159, payload=_payload(271828)), timeout=10)
    assert response.payload.body == b"\0" * 314159


def test_client_streaming(stub):
    requests = (messages_pb2.StreamingInputCallRequest(payload=_payload(size)) for size in REQUEST_SIZES)
    assert stub.StreamingInputCall(requests, timeout=10).aggregated_payload_size == 74922


def test_server_streaming(stub):
    request = messages_pb2.StreamingOutputCallRequest(
        response_parameters=[messages_pb2.ResponseParameters(size=size) for size in RESPONSE_SIZES])
    sizes = [len(response.payload.body) for response in stub.StreamingOutputCall(request, timeout=10)]
    assert sizes == RESPONSE_SIZES


def test_ping_pong(stub):
    requests = RequestQueue()
    responses = stub.FullDuplexCall(iter(requests), timeout=10)
    for request_size, response_size in zip(REQUEST_SIZES, RESPONSE_SIZES):
        requests.put(_duplex_request(response_size, request_size))
        assert len(next(responses).payload.body) == response_size
    requests.close()
    assert list(responses) == []


def test_empty_stream(stub):
    assert list(stub.FullDuplexCall(iter([]), timeout=10)) == []


def test_custom_metadata(stub):
    metadata = (("x-grpc-test-echo-initial", "test_initial_metadata_value"),
                ("x-grpc-test-echo-trailing-bin", b"\x0a\x0b\x0a\x0b\x0a\x0b"))
    request = messages_pb2.SimpleRequest(response_size=314159, payload=_payload(271828))
    response, call = stub.UnaryCall.with_call(request, metadata=metadata, timeout=10)
    assert len(response.payload.body) == 314159
    assert ("x-grpc-test-echo-initial", "test_initial_metadata_value") in call.initial_metadata()
    assert ("x-grpc-test-echo-trailing-bin", b"\x0a\x0b\x0a\x0b\x0a\x0b") in call.trailing_metadata()

    responses = stub.FullDuplexCall(iter([_duplex_request(314159, 271828)]), metadata=metadata, timeout=10)
    assert [len(r.payload.body) for r in responses] == [314159]
    assert ("x-grpc-test-echo-initial", "test_initial_metadata_value") in responses.initial_metadata()
    assert ("x-grpc-test-echo-trailing-bin", b"\x0a\x0b\x0a\x0b\x0a\x0b") in responses.trailing_metadata()


@pytest.mark.parametrize("message", ["test status message", SPECIAL_MESSAGE],
                         ids=["status_code_and_message", "special_status_message"])
def test_status_code_and_message(stub, message):
    status = messages_pb2.EchoStatus(code=2, message=message)
    with pytest.raises(grpc.RpcError) as unary:
        stub.UnaryCall(messages_pb2.SimpleRequest(response_status=status), timeout=10)
    assert unary.value.code() == grpc.StatusCode.UNKNOWN
    assert unary.value.details() == message

    with pytest.raises(grpc.RpcError) as duplex:
        list(stub.FullDuplexCall(iter([_duplex_request(1, status=status)]), timeout=10))
    assert duplex.value.code() == grpc.StatusCode.UNKNOWN
    assert duplex.value.details() == message


def test_unimplemented_method(stub):
    with pytest.raises(grpc.RpcError) as error:
        stub.UnimplementedCall(empty_pb2.Empty(), timeout=10)
    assert error.value.code() == grpc.StatusCode.UNIMPLEMENTED


def test_unimplemented_service(server, transport):  # noqa: F811
    with transport.channel(server.address) as channel:
        with pytest.raises(grpc.RpcError) as error:
            test_pb2_grpc.UnimplementedServiceStub(channel).UnimplementedCall(empty_pb2.Empty(), timeout=10)
    assert error.value.code() == grpc.StatusCode.UNIMPLEMENTED


def test_cancel_after_begin(stub):
    requests = RequestQueue()   # never sends anything
    future = stub.StreamingInputCall.future(iter(requests), timeout=10)
    assert future.cancel()
    with pytest.raises(grpc.FutureCancelledError):
        future.result()
    requests.close()


def test_cancel_after_first_response(stub):
    requests = RequestQueue()
    responses = stub.FullDuplexCall(iter(requests), timeout=10)
    requests.put(_duplex_request(31415, 27182))
    assert len(next(responses).payload.body) == 31415
    responses.cancel()
    with pytest.raises(grpc.RpcError) as error:
        next(responses)
    assert error.value.code() == grpc.StatusCode.CANCELLED
    requests.close()


def test_timeout_on_sleeping_server(stub):
    requests = RequestQueue()
    responses = stub.FullDuplexCall(iter(requests), timeout=0.001)
    requests.put(messages_pb2.StreamingOutputCallRequest(payload=_payload(27182)))
    with pytest.raises(grpc.RpcError) as error:
        next(responses)
    assert error.value.code() == grpc.StatusCode.DEADLINE_EXCEEDED
    requests.close()


def test_server_streaming_paced_by_interval_us(stub):
    request = messages_pb2.StreamingOutputCallRequest(
        response_parameters=[messages_pb2.ResponseParameters(size=1, interval_us=100_000) for _ in range(3)])
    import time
    started = time.monotonic()
    assert len(list(stub.StreamingOutputCall(request, timeout=10))) == 3
    assert time.monotonic() - started >= 0.3


def test_half_duplex_answers_after_the_client_finished(stub):
    requests = [_duplex_request(size) for size in RESPONSE_SIZES]
    sizes = [len(r.payload.body) for r in stub.HalfDuplexCall(iter(requests), timeout=10)]
    assert sizes == RESPONSE_SIZES


def test_a_client_certificate_from_another_ca_is_refused_by_the_mtls_server(server, transport, certs):  # noqa: F811
    if transport.name != "mtls":
        pytest.skip("mutual TLS only")
    credentials = grpc.ssl_channel_credentials(root_certificates=(certs / "ca.pem").read_bytes(),
                                               private_key=(certs / "stranger.key").read_bytes(),
                                               certificate_chain=(certs / "stranger.pem").read_bytes())
    with grpc.secure_channel(server.address, credentials) as channel:
        with pytest.raises(grpc.RpcError) as error:
            test_pb2_grpc.TestServiceStub(channel).EmptyCall(empty_pb2.Empty(), timeout=5)
    assert error.value.code() == grpc.StatusCode.UNAVAILABLE


def test_concurrent_calls_on_one_channel_all_succeed(stub):
    results = []

    def call(size):
        results.append(len(stub.UnaryCall(messages_pb2.SimpleRequest(response_size=size), timeout=10).payload.body))

    threads = [threading.Thread(target=call, args=(size,)) for size in range(1, 33)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == list(range(1, 33))
