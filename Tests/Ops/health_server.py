"""A grpc.health.v1 server over mutual TLS for testing compose/service/grpc-health.sh.

usage: health_server.py <cert-dir> <service-name> <status: SERVING|NOT_SERVING>
Listens on 127.0.0.1 (a free port), prints the port on stdout, serves until killed."""
import sys
import time
from concurrent import futures

import grpc
from grpc_health.v1 import health, health_pb2, health_pb2_grpc


def read(path):
    with open(path, "rb") as f:
        return f.read()


def main():
    certs, name, status = sys.argv[1:4]
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=2))
    servicer = health.HealthServicer()
    servicer.set("", getattr(health_pb2.HealthCheckResponse, status))
    health_pb2_grpc.add_HealthServicer_to_server(servicer, server)
    creds = grpc.ssl_server_credentials(
        [(read(f"{certs}/{name}.key"), read(f"{certs}/{name}.crt"))],
        root_certificates=read(f"{certs}/ca.crt"), require_client_auth=True)
    port = server.add_secure_port("127.0.0.1:0", creds)
    server.start()
    print(port, flush=True)
    while True:
        time.sleep(3600)


if __name__ == "__main__":
    main()
