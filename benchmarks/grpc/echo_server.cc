// The C++ reference for benchmarks/grpc/run.sh: grpc.testing.TestService's
// UnaryCall answering with the request's payload, on the callback API of
// Debian's libgrpc++ (the same C core as the Swift runtime). Nothing else in the
// path: no interceptors, no authorisation. Prints `PORT <port>`; serves until
// SIGTERM or SIGINT.
// Usage: echo_server [PORT]   (0 or none: any free port)
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

#include <grpcpp/grpcpp.h>

#include "grpc/testing/test.grpc.pb.h"

namespace {

class EchoService final : public grpc::testing::TestService::CallbackService {
    grpc::ServerUnaryReactor *UnaryCall(grpc::CallbackServerContext *context,
                                        const grpc::testing::SimpleRequest *request,
                                        grpc::testing::SimpleResponse *response) override {
        *response->mutable_payload() = request->payload();
        grpc::ServerUnaryReactor *reactor = context->DefaultReactor();
        reactor->Finish(grpc::Status::OK);
        return reactor;
    }
};

}  // namespace

int main(int argc, char **argv) {
    int port = argc > 1 ? std::atoi(argv[1]) : 0;
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGTERM);
    sigaddset(&signals, SIGINT);
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);  // inherited by the core's threads

    EchoService service;
    int bound = 0;
    grpc::ServerBuilder builder;
    builder.AddListeningPort("127.0.0.1:" + std::to_string(port), grpc::InsecureServerCredentials(), &bound);
    builder.RegisterService(&service);
    std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
    if (!server || bound == 0) {
        std::fprintf(stderr, "echo_server: could not listen on port %d\n", port);
        return 1;
    }
    std::printf("PORT %d\n", bound);
    std::fflush(stdout);
    int signal = 0;
    sigwait(&signals, &signal);
    server->Shutdown();
    return 0;
}
