"""A grpcio (C++ core, Python) health server for immigctl's interop test.

Prints its port, then flips the whole server between SERVING and NOT_SERVING
every 0.2 s, so a Watch stream keeps sending. "records" is always SERVING.
Runs until stdin closes (the test ends it by closing the pipe or terminating it).
"""
import sys
import threading
import time
from concurrent import futures

import grpc
from grpc_health.v1 import health, health_pb2, health_pb2_grpc


def main():
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=4))
    servicer = health.HealthServicer()
    health_pb2_grpc.add_HealthServicer_to_server(servicer, server)
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    servicer.set("records", health_pb2.HealthCheckResponse.SERVING)
    servicer.set("", health_pb2.HealthCheckResponse.SERVING)
    print(port, flush=True)

    def flip():
        states = [health_pb2.HealthCheckResponse.NOT_SERVING, health_pb2.HealthCheckResponse.SERVING]
        index = 0
        while True:
            time.sleep(0.2)
            servicer.set("", states[index % 2])
            index += 1

    threading.Thread(target=flip, daemon=True).start()
    sys.stdin.read()
    server.stop(0)


if __name__ == "__main__":
    main()
