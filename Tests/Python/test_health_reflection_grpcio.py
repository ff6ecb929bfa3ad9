"""Health (grpcio-health-checking) and server reflection (grpcio-reflection's
client, v1alpha; v1 through the same messages on the v1 path) against the
Swift interop server, which hosts them through ServiceHost."""
import grpc
import pytest
from google.protobuf import descriptor_pb2, descriptor_pool
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc
from grpc_reflection.v1alpha.proto_reflection_descriptor_database import ProtoReflectionDescriptorDatabase

from test_interop_server import certs, mtls_server, plaintext_server, Transport  # noqa: F401  (fixtures)

SERVING = health_pb2.HealthCheckResponse.SERVING
V1_METHOD = "/grpc.reflection.v1.ServerReflection/ServerReflectionInfo"
EXPECTED_SERVICES = ["grpc.health.v1.Health", "grpc.reflection.v1.ServerReflection",
                     "grpc.reflection.v1alpha.ServerReflection", "grpc.testing.TestService"]


@pytest.fixture(params=["plaintext", "mtls"])
def channel(request, certs, plaintext_server, mtls_server):  # noqa: F811
    server = plaintext_server if request.param == "plaintext" else mtls_server
    with Transport(request.param, certs).channel(server.address) as channel:
        yield channel


def _ask_v1alpha(channel, **fields):
    stub = reflection_pb2_grpc.ServerReflectionStub(channel)
    return list(stub.ServerReflectionInfo(iter([reflection_pb2.ServerReflectionRequest(**fields)]), timeout=10))[0]


def _ask_v1(channel, **fields):
    """grpc.reflection.v1 has the same messages as v1alpha under another package,
    so the v1alpha classes encode and decode them."""
    call = channel.stream_stream(V1_METHOD, request_serializer=reflection_pb2.ServerReflectionRequest.SerializeToString,
                                 response_deserializer=reflection_pb2.ServerReflectionResponse.FromString)
    return list(call(iter([reflection_pb2.ServerReflectionRequest(**fields)]), timeout=10))[0]


def _file_names(response):
    names = []
    for raw in response.file_descriptor_response.file_descriptor_proto:
        names.append(descriptor_pb2.FileDescriptorProto.FromString(raw).name)
    return names


def test_health_check_reports_the_server_and_each_hosted_service_serving(channel):
    stub = health_pb2_grpc.HealthStub(channel)
    assert stub.Check(health_pb2.HealthCheckRequest(service=""), timeout=10).status == SERVING
    assert stub.Check(health_pb2.HealthCheckRequest(service="grpc.testing.TestService"), timeout=10).status == SERVING


def test_health_check_of_an_unknown_service_is_not_found(channel):
    with pytest.raises(grpc.RpcError) as error:
        health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(service="no.such.Service"), timeout=10)
    assert error.value.code() == grpc.StatusCode.NOT_FOUND


def test_health_watch_sends_the_current_status_and_stays_open(channel):
    watch = health_pb2_grpc.HealthStub(channel).Watch(
        health_pb2.HealthCheckRequest(service="grpc.testing.TestService"), timeout=1.5)
    assert next(watch).status == SERVING
    with pytest.raises(grpc.RpcError) as error:
        next(watch)   # no change: the stream stays open until the deadline
    assert error.value.code() == grpc.StatusCode.DEADLINE_EXCEEDED


def test_health_watch_of_an_unknown_service_reports_service_unknown(channel):
    watch = health_pb2_grpc.HealthStub(channel).Watch(health_pb2.HealthCheckRequest(service="no.such.Service"),
                                                      timeout=10)
    assert next(watch).status == health_pb2.HealthCheckResponse.SERVICE_UNKNOWN
    watch.cancel()


def test_reflection_client_lists_the_services_of_this_server(channel):
    database = ProtoReflectionDescriptorDatabase(channel)
    assert sorted(database.get_services()) == EXPECTED_SERVICES


def test_reflection_client_describes_a_service_its_methods_and_messages(channel):
    pool = descriptor_pool.DescriptorPool(ProtoReflectionDescriptorDatabase(channel))
    service = pool.FindServiceByName("grpc.testing.TestService")
    methods = {method.name: method for method in service.methods}
    assert "FullDuplexCall" in methods and len(methods) == 8
    assert methods["UnaryCall"].input_type.full_name == "grpc.testing.SimpleRequest"
    assert methods["FullDuplexCall"].client_streaming and methods["FullDuplexCall"].server_streaming
    request = pool.FindMessageTypeByName("grpc.testing.SimpleRequest")
    assert request.fields_by_name["response_size"].number == 2
    assert request.fields_by_name["payload"].message_type.full_name == "grpc.testing.Payload"
    status = pool.FindEnumTypeByName("grpc.health.v1.HealthCheckResponse.ServingStatus")
    assert status.values_by_name["SERVICE_UNKNOWN"].number == 3
    method = pool.FindMethodByName("grpc.health.v1.Health.Watch")
    assert method.output_type.full_name == "grpc.health.v1.HealthCheckResponse"


@pytest.mark.parametrize("ask", [_ask_v1alpha, _ask_v1], ids=["v1alpha", "v1"])
def test_file_by_filename_returns_the_file_and_its_dependencies(channel, ask):
    names = _file_names(ask(channel, file_by_filename="grpc/testing/test.proto"))
    assert names[0] == "grpc/testing/test.proto"
    assert sorted(names[1:]) == ["grpc/testing/empty.proto", "grpc/testing/messages.proto"]


@pytest.mark.parametrize("ask", [_ask_v1alpha, _ask_v1], ids=["v1alpha", "v1"])
@pytest.mark.parametrize("symbol", ["grpc.testing.TestService", "grpc.testing.TestService.UnaryCall",
                                    "grpc.testing.SimpleRequest", "grpc.testing.PayloadType",
                                    "grpc.health.v1.HealthCheckResponse.ServingStatus"])
def test_file_containing_symbol_finds_services_methods_messages_and_enums(channel, ask, symbol):
    names = _file_names(ask(channel, file_containing_symbol=symbol))
    package = ".".join(symbol.split(".")[:2])
    assert names and names[0].startswith(package.replace(".", "/"))


@pytest.mark.parametrize("ask", [_ask_v1alpha, _ask_v1], ids=["v1alpha", "v1"])
def test_unknown_names_get_an_error_response_not_found(channel, ask):
    for fields in ({"file_containing_symbol": "no.such.Symbol"}, {"file_by_filename": "no/such.proto"},
                   {"all_extension_numbers_of_type": "no.such.Message"}):
        response = ask(channel, **fields)
        assert response.WhichOneof("message_response") == "error_response"
        assert response.error_response.error_code == grpc.StatusCode.NOT_FOUND.value[0]


@pytest.mark.parametrize("ask", [_ask_v1alpha, _ask_v1], ids=["v1alpha", "v1"])
def test_extension_numbers_of_a_known_type_are_an_empty_list(channel, ask):
    response = ask(channel, all_extension_numbers_of_type="grpc.testing.SimpleRequest")
    assert response.all_extension_numbers_response.base_type_name == "grpc.testing.SimpleRequest"
    assert list(response.all_extension_numbers_response.extension_number) == []


def test_v1_lists_the_same_services_as_v1alpha(channel):
    names = sorted(service.name for service in _ask_v1(channel, list_services="").list_services_response.service)
    assert names == EXPECTED_SERVICES
