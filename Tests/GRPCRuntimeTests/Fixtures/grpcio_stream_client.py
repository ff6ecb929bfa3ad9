"""Opens a bidirectional stream to /test.Edge/Endless on 127.0.0.1:<port>,
sends one message, prints "STREAMING" when the echo came back, then waits
to be killed: the test kills this process to cut the connection mid-stream."""
import sys
import threading

import grpc


def main():
    channel = grpc.insecure_channel(f"127.0.0.1:{sys.argv[1]}")
    endless = channel.stream_stream("/test.Edge/Endless")
    forever = threading.Event()

    def requests():
        yield b"hello"
        forever.wait()

    for _ in endless(requests()):
        print("STREAMING", flush=True)
        forever.wait()


if __name__ == "__main__":
    main()
