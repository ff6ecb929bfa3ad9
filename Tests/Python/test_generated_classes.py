"""The contracts compile with grpcio-tools and load beside the upstream standard protos."""
import importlib


def test_every_contract_loads_in_python():
    for module in [
        "immigration.common.v1.common_pb2",
        "immigration.records.v1.records_pb2",
        "grpc.testing.test_pb2",
        "grpc_health.v1.health_pb2",
        "grpc_reflection.v1alpha.reflection_pb2",
        "google.rpc.status_pb2",
        "google.rpc.error_details_pb2",
    ]:
        loaded = importlib.import_module(module)
        assert loaded.DESCRIPTOR is not None
