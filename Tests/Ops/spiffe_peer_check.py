"""Proves that the gRPC C core (the engine of the Swift runtime) accepts the
development certificates for mutual TLS and exposes the caller's SPIFFE ID.

usage: spiffe_peer_check.py <cert-dir> <server-name> <target-host> <client-name> <expected-spiffe-id>
                            [<client's trusted CA file> [<client's cert-dir>]]
Prints the server-side auth context as JSON and exits 0 when peer_spiffe_id is
the expected one; exits 1 otherwise (including a failed handshake)."""
import json
import sys
from concurrent import futures

import grpc


def read(path):
    with open(path, "rb") as f:
        return f.read()


def main():
    certs, server_name, target_host, client_name, expected = sys.argv[1:6]
    ca = read(f"{certs}/ca.crt")

    def who(_request, context):
        props = {k: [v.decode() for v in vs] for k, vs in context.auth_context().items()}
        return json.dumps(props).encode()

    server = grpc.server(futures.ThreadPoolExecutor(max_workers=2))
    server.add_generic_rpc_handlers((grpc.method_handlers_generic_handler(
        "ops.test.Identity", {"Who": grpc.unary_unary_rpc_method_handler(who)}),))
    creds = grpc.ssl_server_credentials(
        [(read(f"{certs}/{server_name}.key"), read(f"{certs}/{server_name}.crt"))],
        root_certificates=ca, require_client_auth=True)
    port = server.add_secure_port("127.0.0.1:0", creds)
    server.start()
    try:
        client_ca = read(sys.argv[6]) if len(sys.argv) > 6 else ca
        client_certs = sys.argv[7] if len(sys.argv) > 7 else certs
        channel_creds = grpc.ssl_channel_credentials(
            root_certificates=client_ca,
            private_key=read(f"{client_certs}/{client_name}.key"),
            certificate_chain=read(f"{client_certs}/{client_name}.crt"))
        options = []
        if target_host not in ("localhost", "127.0.0.1"):
            # Connect over loopback but verify the server certificate as <target_host>.
            options.append(("grpc.ssl_target_name_override", target_host))
            address = f"127.0.0.1:{port}"
        else:
            address = f"{target_host}:{port}"
        with grpc.secure_channel(address, channel_creds, options=options) as channel:
            call = channel.unary_unary("/ops.test.Identity/Who")
            try:
                props = json.loads(call(b"", timeout=10))
            except grpc.RpcError as e:
                print(f"call failed: {e.code().name}: {e.details()}")
                return 1
        shown = {k: v for k, v in props.items() if k.startswith("peer_") or k == "transport_security_type"}
        print(json.dumps(shown, sort_keys=True))
        got = props.get("peer_spiffe_id", [])
        return 0 if got == [expected] else 1
    finally:
        server.stop(None)


if __name__ == "__main__":
    sys.exit(main())
