/*
 * grpc-load: a lean closed-loop gRPC load generator for RecordsService's reads
 * (benchmarks/records/reads-cpu.sh and run.sh with CLIENT=c; docs/benchmarks.md,
 * "RecordsService").
 *
 * Why it exists: issue 6 asks for a p99 under 5 ms at 64 concurrent callers. In
 * a closed loop of 64 on this 2-core machine, latency is 64 / throughput, and
 * throughput is 2 cores over the CPU a call costs the client, the service and
 * PostgreSQL together. The generated Swift client (RecordsBenchmark) costs
 * several times this program's CPU a call (figures: docs/benchmarks.md,
 * "RecordsService", "Session 7"), on the same two cores as the service, where
 * real callers (gates, portals) run on other machines. h2load, our echo
 * benchmarks' driver, costs a few us a call but sends one fixed body (the reads
 * must vary over the 1 M persons) and has no client certificate (the service
 * takes roles from the certificate's SPIFFE id).
 * This program sends pre-encoded requests (RecordsBenchmark's `requests` mode)
 * over HTTP/2 and TLS with a client certificate, on one thread, and checks every
 * answer cheaply.
 *
 *   grpc-load get-person|can-cross CONCURRENCY SECONDS REQUESTS_FILE
 *
 * REQUESTS_FILE: repeated (u32 little-endian length, request message, u32
 * length, expected bytes). Call n sends entry pick(n), SplitMix64 of n and a
 * per-process random offset, as RecordsBenchmark picks its samples. A call
 * succeeds when :status is 200, grpc-status is 0, exactly one complete
 * uncompressed message arrived and its identifying field (the mode's, `modes`
 * below: GetPersonResponse.person.person_id, the check's person_id) is exactly
 * the entry's expected bytes, or, when those are empty, present and non-empty (an
 * unknown document is answered OK, with the reason DOCUMENT_UNKNOWN and no
 * person_id).
 *
 * Each call is HEADERS (POST to the mode's method, content-type application/grpc,
 * te trailers, grpc-timeout 600S as RecordsBenchmark's 600 s deadline) and one DATA
 * frame with END_STREAM.
 *
 * CONCURRENCY calls in flight over CONNECTIONS TLS connections (1), each
 * started again as soon as it closes, for SECONDS after a closed-loop warm-up of
 * WARMUP_SECONDS (2; its calls are not counted). Latency from the submission of
 * the stream to its close (CLOCK_MONOTONIC). Environment as RecordsBenchmark:
 * RECORDS_TARGET (127.0.0.1:50051), TLS_CERT, TLS_KEY, TLS_CA (required),
 * TLS_SERVER_NAME (the name the server's certificate must carry, and the
 * :authority; default the target's host).
 *
 * Prints one line as RecordsBenchmark does:
 *   MODE CONCURRENCY CALLS SECONDS PER_SECOND P50_US P99_US CLIENT_CPU_S ERRORS
 * and, when calls failed, the first failure on stderr. Exits 2 without that line
 * when the run cannot go on: the connection lost, a GOAWAY from the server, no
 * call closing for 60 s.
 *
 * Build: see grpc-load.sh.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <nghttp2/nghttp2.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

static void fail(const char *format, ...) __attribute__((noreturn, format(printf, 1, 2)));
static void fail(const char *format, ...) {
    va_list arguments;
    va_start(arguments, format);
    fputs("grpc-load: ", stderr);
    vfprintf(stderr, format, arguments);
    fputc('\n', stderr);
    va_end(arguments);
    ERR_print_errors_fp(stderr);
    exit(2);
}

static void *grow(void *pointer, size_t bytes) {
    void *grown = realloc(pointer, bytes);
    if (grown == NULL) fail("out of memory");
    return grown;
}

static uint64_t now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

static double cpu_seconds(void) {
    struct rusage usage;
    getrusage(RUSAGE_SELF, &usage);
    return (double)(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
           (double)(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

/* ------------------------------------------------------------ requests */

/* One request: the gRPC frame (5-byte prefix and message) and what its answer must contain. */
struct entry {
    uint8_t *frame;
    size_t frame_length;
    const uint8_t *expected;
    size_t expected_length;
};

static struct entry *entries;
static size_t entry_count;

static uint32_t little_endian32(const uint8_t *p) {
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Reads REQUESTS_FILE whole; entries point into it (the expected bytes) or own their frame. */
static void read_requests(const char *path) {
    FILE *file = fopen(path, "rb");
    if (file == NULL) fail("cannot open %s: %s", path, strerror(errno));
    uint8_t *bytes = NULL;
    size_t length = 0, capacity = 0, n;
    do {
        if (capacity - length < 65536) bytes = grow(bytes, capacity = capacity * 2 + 65536);
        n = fread(bytes + length, 1, capacity - length, file);
        length += n;
    } while (n > 0);
    if (ferror(file)) fail("cannot read %s", path);
    fclose(file);
    size_t capacity_entries = 0;
    for (size_t at = 0; at < length;) {
        const uint8_t *parts[2];
        size_t sizes[2];
        for (int part = 0; part < 2; part++) {
            if (length - at < 4) fail("%s: entry %zu cut short", path, entry_count);
            sizes[part] = little_endian32(bytes + at);
            at += 4;
            if (length - at < sizes[part]) fail("%s: entry %zu cut short", path, entry_count);
            parts[part] = bytes + at;
            at += sizes[part];
        }
        if (entry_count == capacity_entries) entries = grow(entries, (capacity_entries = capacity_entries * 2 + 1024) * sizeof *entries);
        struct entry *e = &entries[entry_count++];
        e->frame_length = 5 + sizes[0];
        e->frame = grow(NULL, e->frame_length);
        e->frame[0] = 0; /* not compressed */
        e->frame[1] = (uint8_t)(sizes[0] >> 24);
        e->frame[2] = (uint8_t)(sizes[0] >> 16);
        e->frame[3] = (uint8_t)(sizes[0] >> 8);
        e->frame[4] = (uint8_t)sizes[0];
        memcpy(e->frame + 5, parts[0], sizes[0]);
        e->expected = parts[1];
        e->expected_length = sizes[1];
    }
    if (entry_count == 0) fail("no requests in %s", path);
}

/* Where this process's draws start (one getrandom), as RecordsBenchmark's drawOffset. */
static uint64_t draw_offset;

/* The entry of call n: SplitMix64 of n and the offset, as `pick` in RecordsBenchmark's main.swift. */
static size_t pick(uint64_t n, size_t count) {
    uint64_t z = (n + draw_offset) * 0x9E3779B97F4A7C15u;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
    return (size_t)((z ^ (z >> 31)) % count);
}

/* ------------------------------------------------------------ answers */

static bool read_varint(const uint8_t **p, const uint8_t *end, uint64_t *value) {
    *value = 0;
    for (int shift = 0; shift < 64 && *p < end; shift += 7) {
        uint8_t byte = *(*p)++;
        *value |= (uint64_t)(byte & 0x7f) << shift;
        if (!(byte & 0x80)) return true;
    }
    return false;
}

/* A field named by the field numbers leading to it (GetPersonResponse.person = 1, then
 * Person.person_id = 1: {1, 1}), which must be length-delimited at every step. */
struct field_path {
    uint64_t numbers[4];
    size_t depth;
    const char *name; /* for failures */
};

/* Finds the field at path[0..depth) in the message, as a protobuf parser sees it: the
 * last occurrence of a string wins, and the occurrences of a message merge (so the last
 * of its field's occurrences in any of them). Returns false when the message is
 * malformed; leaves *found as it was (NULL) when the field is absent. */
static bool find_field(const uint8_t *p, size_t length, const uint64_t *path, size_t depth, const uint8_t **found,
                       size_t *found_length) {
    const uint8_t *end = p + length;
    while (p < end) {
        uint64_t tag, size;
        if (!read_varint(&p, end, &tag)) return false;
        switch (tag & 7) {
        case 0: if (!read_varint(&p, end, &size)) return false; break;
        case 1: if (end - p < 8) return false; p += 8; break;
        case 5: if (end - p < 4) return false; p += 4; break;
        case 2:
            if (!read_varint(&p, end, &size) || size > (uint64_t)(end - p)) return false;
            if (tag >> 3 == path[0]) {
                if (depth == 1) *found = p, *found_length = (size_t)size;
                else if (!find_field(p, (size_t)size, path + 1, depth - 1, found, found_length)) return false;
            }
            p += size;
            break;
        default: return false;
        }
    }
    return true;
}

/* Why the answer `message` does not carry `expected` at `path` (when `expected` is empty:
 * does not carry a non-empty value there), or NULL when it does. */
static const char *answer_mismatch(const uint8_t *message, size_t length, const struct field_path *path,
                                   const uint8_t *expected, size_t expected_length) {
    const uint8_t *value = NULL;
    size_t value_length = 0;
    if (!find_field(message, length, path->numbers, path->depth, &value, &value_length)) return "is not a valid message";
    if (value == NULL || value_length == 0) return "has no value at the identifying field";
    if (expected_length > 0 && (value_length != expected_length || memcmp(value, expected, value_length) != 0))
        return "has another value than the expected one at the identifying field";
    return NULL;
}

/* ------------------------------------------------------------ calls */

struct connection;

/* One caller of the closed loop: its current call's state, reused call after call. */
struct call {
    struct connection *connection;
    const struct entry *entry;
    size_t sent;
    uint64_t started;
    int http_status;
    int grpc_status; /* -1 until the trailers say */
    char grpc_message[120];
    uint8_t *answer;
    size_t answer_length, answer_capacity;
    bool busy;
};

/* One TLS connection with its HTTP/2 session and the bytes waiting to be written. */
struct connection {
    int fd;
    SSL *tls;
    nghttp2_session *session;
    uint8_t *out;
    size_t out_length, out_sent, out_capacity;
    bool write_blocked;    /* poll for POLLOUT */
    bool read_wants_write; /* SSL_read asked to be called again once the socket is writable */
};

static struct {
    const char *mode;
    const char *path;
    const struct field_path *identifying; /* the answer's field the entries' expected bytes are about */
    const char *authority;
    bool measuring;
    uint64_t end;
    uint64_t next_call;
    size_t in_flight;
    uint64_t closed; /* calls closed so far: the watchdog's measure of progress */
    int64_t *latencies;
    size_t latency_count, latency_capacity;
    size_t errors;
    char first_error[256];
} run;

/* Counts a failed call (in the measured run) and keeps the first one's description; returns false. */
static bool call_failed(const struct call *call, const char *format, ...) __attribute__((format(printf, 2, 3)));
static bool call_failed(const struct call *call, const char *format, ...) {
    if (!run.measuring || run.errors++ > 0) return false; /* the warm-up's outcome is not reported, as in RecordsBenchmark */
    int n = snprintf(run.first_error, sizeof run.first_error, "entry %zu: ", (size_t)(call->entry - entries));
    va_list arguments;
    va_start(arguments, format);
    vsnprintf(run.first_error + n, sizeof run.first_error - (size_t)n, format, arguments);
    va_end(arguments);
    return false;
}

/* Whether the call that just closed succeeded (see the top of the file); if not, counts it. */
static bool succeeded(const struct call *call, uint32_t error_code) {
    if (error_code != NGHTTP2_NO_ERROR)
        return call_failed(call, "stream closed with HTTP/2 error %u (%s)", error_code, nghttp2_http2_strerror(error_code));
    if (call->http_status != 200) return call_failed(call, ":status %d", call->http_status);
    if (call->grpc_status < 0) return call_failed(call, "no grpc-status in the trailers");
    if (call->grpc_status != 0)
        return call_failed(call, "grpc-status %d, grpc-message \"%s\"", call->grpc_status, call->grpc_message);
    if (call->answer_length < 5) return call_failed(call, "no message in the answer (%zu bytes)", call->answer_length);
    if (call->answer[0] != 0) return call_failed(call, "compressed message (flag %u)", call->answer[0]);
    const uint8_t *message = call->answer + 5;
    size_t length = call->answer_length - 5;
    uint32_t declared = (uint32_t)call->answer[1] << 24 | (uint32_t)call->answer[2] << 16 | (uint32_t)call->answer[3] << 8 |
                        call->answer[4];
    if (declared != length) return call_failed(call, "not exactly one message: %zu bytes after a prefix of %u", length, declared);
    const char *mismatch = answer_mismatch(message, length, run.identifying, call->entry->expected, call->entry->expected_length);
    if (mismatch != NULL) return call_failed(call, "the answer (%zu bytes) %s, %s", length, mismatch, run.identifying->name);
    return true;
}

/* The call that just closed: its latency kept if it succeeded in the measured run. */
static void finish(const struct call *call, uint32_t error_code) {
    uint64_t latency = now_ns() - call->started;
    if (!succeeded(call, error_code) || !run.measuring) return;
    if (run.latency_count == run.latency_capacity)
        run.latencies = grow(run.latencies, (run.latency_capacity = run.latency_capacity * 2 + 65536) * sizeof *run.latencies);
    run.latencies[run.latency_count++] = (int64_t)latency;
}

static ssize_t read_request(nghttp2_session *session, int32_t stream_id, uint8_t *buffer, size_t length, uint32_t *flags,
                            nghttp2_data_source *source, void *user_data) {
    (void)session, (void)stream_id, (void)user_data;
    struct call *call = source->ptr;
    size_t n = call->entry->frame_length - call->sent;
    if (n > length) n = length;
    memcpy(buffer, call->entry->frame + call->sent, n);
    call->sent += n;
    if (call->sent == call->entry->frame_length) *flags |= NGHTTP2_DATA_FLAG_EOF;
    return (ssize_t)n;
}

#define HEADER(name, value) {(uint8_t *)(name), (uint8_t *)(value), sizeof(name) - 1, strlen(value), \
                             NGHTTP2_NV_FLAG_NO_COPY_NAME | NGHTTP2_NV_FLAG_NO_COPY_VALUE}

/* Starts the caller's next call: the next call number's entry, on the caller's connection. */
static void start(struct call *call) {
    call->entry = &entries[pick(run.next_call++, entry_count)];
    call->sent = 0;
    call->http_status = 0;
    call->grpc_status = -1;
    call->grpc_message[0] = 0;
    call->answer_length = 0;
    nghttp2_nv headers[] = {
        HEADER(":method", "POST"), HEADER(":scheme", "https"), HEADER(":path", run.path),
        HEADER(":authority", run.authority), HEADER("content-type", "application/grpc"), HEADER("te", "trailers"),
        HEADER("grpc-timeout", "600S"), /* RecordsBenchmark's deadline: the service keeps the same timer a call */
    };
    nghttp2_data_provider body = {.source.ptr = call, .read_callback = read_request};
    call->started = now_ns();
    int32_t stream = nghttp2_submit_request(call->connection->session, NULL, headers, sizeof headers / sizeof *headers, &body, call);
    if (stream < 0) fail("cannot start a call: %s", nghttp2_strerror(stream));
    call->busy = true;
    run.in_flight++;
}

static int on_header(nghttp2_session *session, const nghttp2_frame *frame, const uint8_t *name, size_t name_length,
                     const uint8_t *value, size_t value_length, uint8_t flags, void *user_data) {
    (void)flags, (void)user_data;
    struct call *call = nghttp2_session_get_stream_user_data(session, frame->hd.stream_id);
    if (call == NULL || frame->hd.type != NGHTTP2_HEADERS) return 0;
    if (name_length == 7 && memcmp(name, ":status", 7) == 0) {
        call->http_status = atoi((const char *)value);
    } else if (name_length == 11 && memcmp(name, "grpc-status", 11) == 0) {
        call->grpc_status = atoi((const char *)value);
    } else if (name_length == 12 && memcmp(name, "grpc-message", 12) == 0) {
        snprintf(call->grpc_message, sizeof call->grpc_message, "%.*s", (int)value_length, (const char *)value);
    }
    return 0;
}

static int on_data(nghttp2_session *session, uint8_t flags, int32_t stream_id, const uint8_t *data, size_t length,
                   void *user_data) {
    (void)flags, (void)user_data;
    struct call *call = nghttp2_session_get_stream_user_data(session, stream_id);
    if (call == NULL) return 0;
    if (call->answer_capacity - call->answer_length < length)
        call->answer = grow(call->answer, call->answer_capacity = (call->answer_length + length) * 2);
    memcpy(call->answer + call->answer_length, data, length);
    call->answer_length += length;
    return 0;
}

static int on_close(nghttp2_session *session, int32_t stream_id, uint32_t error_code, void *user_data) {
    (void)user_data;
    struct call *call = nghttp2_session_get_stream_user_data(session, stream_id);
    if (call == NULL) return 0;
    finish(call, error_code);
    call->busy = false;
    run.in_flight--;
    run.closed++;
    return 0;
}

/* A GOAWAY refuses every call started after it (inside nghttp2_session_mem_send, with no
 * callback), so the run cannot go on: it ends here, with the server's reason. */
static int on_frame(nghttp2_session *session, const nghttp2_frame *frame, void *user_data) {
    (void)session, (void)user_data;
    if (frame->hd.type == NGHTTP2_GOAWAY)
        fail("the server sent GOAWAY: HTTP/2 error %u (%s), last stream %d, \"%.*s\" (%zu calls in flight)",
             frame->goaway.error_code, nghttp2_http2_strerror(frame->goaway.error_code), frame->goaway.last_stream_id,
             (int)(frame->goaway.opaque_data_len < 200 ? frame->goaway.opaque_data_len : 200),
             frame->goaway.opaque_data != NULL ? (const char *)frame->goaway.opaque_data : "", run.in_flight);
    return 0;
}

/* ------------------------------------------------------------ connections */

static SSL_CTX *tls_context(void) {
    const char *cert = getenv("TLS_CERT"), *key = getenv("TLS_KEY"), *ca = getenv("TLS_CA");
    if (cert == NULL || key == NULL || ca == NULL) fail("TLS_CERT, TLS_KEY and TLS_CA are required (mutual TLS)");
    SSL_CTX *context = SSL_CTX_new(TLS_client_method());
    if (context == NULL) fail("SSL_CTX_new");
    SSL_CTX_set_min_proto_version(context, TLS1_2_VERSION);
    if (SSL_CTX_use_certificate_chain_file(context, cert) != 1) fail("cannot use the certificate %s", cert);
    if (SSL_CTX_use_PrivateKey_file(context, key, SSL_FILETYPE_PEM) != 1) fail("cannot use the key %s", key);
    if (SSL_CTX_check_private_key(context) != 1) fail("%s does not match %s", key, cert);
    if (SSL_CTX_load_verify_locations(context, ca, NULL) != 1) fail("cannot read the CA file %s", ca);
    SSL_CTX_set_verify(context, SSL_VERIFY_PEER, NULL);
    static const uint8_t alpn[] = "\x02h2";
    if (SSL_CTX_set_alpn_protos(context, alpn, sizeof alpn - 1) != 0) fail("SSL_CTX_set_alpn_protos");
    SSL_CTX_set_mode(context, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
    /* A connection closed without close_notify reads as end of file (SSL_ERROR_ZERO_RETURN). */
    SSL_CTX_set_options(context, SSL_OP_IGNORE_UNEXPECTED_EOF);
    /* One read(2) for every record that arrived, not two a record (header, then body). */
    SSL_CTX_set_read_ahead(context, 1);
    SSL_CTX_set_default_read_buffer_len(context, 1 << 17);
    return context;
}

/* Connects (blocking: not measured), verifies the server as `name`, then makes the socket non-blocking. */
static void connect_to(struct connection *c, SSL_CTX *context, const char *host, const char *port, const char *name) {
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM}, *addresses;
    int status = getaddrinfo(host, port, &hints, &addresses);
    if (status != 0) fail("cannot resolve %s: %s", host, gai_strerror(status));
    c->fd = -1;
    for (struct addrinfo *a = addresses; a != NULL && c->fd < 0; a = a->ai_next) {
        c->fd = socket(a->ai_family, a->ai_socktype, a->ai_protocol);
        if (c->fd >= 0 && connect(c->fd, a->ai_addr, a->ai_addrlen) != 0) close(c->fd), c->fd = -1;
    }
    freeaddrinfo(addresses);
    if (c->fd < 0) fail("cannot connect to %s:%s: %s", host, port, strerror(errno));
    int on = 1;
    setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);

    c->tls = SSL_new(context);
    unsigned char address[sizeof(struct in6_addr)];
    if (inet_pton(AF_INET, name, address) == 1 || inet_pton(AF_INET6, name, address) == 1) {
        if (X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(c->tls), name) != 1) fail("cannot verify against %s", name);
    } else {
        SSL_set_tlsext_host_name(c->tls, name);
        if (SSL_set1_host(c->tls, name) != 1) fail("cannot verify against %s", name);
    }
    SSL_set_fd(c->tls, c->fd);
    if (SSL_connect(c->tls) != 1) fail("TLS handshake with %s:%s failed (server verified as %s)", host, port, name);
    const unsigned char *protocol;
    unsigned int protocol_length;
    SSL_get0_alpn_selected(c->tls, &protocol, &protocol_length);
    if (protocol_length != 2 || memcmp(protocol, "h2", 2) != 0) fail("the server did not agree to h2 (ALPN)");
    if (fcntl(c->fd, F_SETFL, fcntl(c->fd, F_GETFL) | O_NONBLOCK) != 0) fail("fcntl: %s", strerror(errno));

    nghttp2_session_callbacks *callbacks;
    nghttp2_session_callbacks_new(&callbacks);
    nghttp2_session_callbacks_set_on_header_callback(callbacks, on_header);
    nghttp2_session_callbacks_set_on_data_chunk_recv_callback(callbacks, on_data);
    nghttp2_session_callbacks_set_on_stream_close_callback(callbacks, on_close);
    nghttp2_session_callbacks_set_on_frame_recv_callback(callbacks, on_frame);
    if (nghttp2_session_client_new(&c->session, callbacks, c) != 0) fail("nghttp2_session_client_new");
    nghttp2_session_callbacks_del(callbacks);
    /* Windows large enough that flow control never holds an answer back (GetPerson's are kilobytes). */
    nghttp2_settings_entry settings[] = {
        {NGHTTP2_SETTINGS_ENABLE_PUSH, 0},
        {NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE, 1 << 24},
    };
    nghttp2_submit_settings(c->session, NGHTTP2_FLAG_NONE, settings, sizeof settings / sizeof *settings);
    nghttp2_session_set_local_window_size(c->session, NGHTTP2_FLAG_NONE, 0, 1 << 30);
}

/* What SSL_read or SSL_write returning `n` means: returns the SSL_ERROR_WANT_* to wait
 * for; ends the run on anything else, saying whether the server closed the connection.
 * The caller cleared the error queue and errno before the call. */
static int tls_wait(struct connection *c, int n, const char *doing) {
    int error = SSL_get_error(c->tls, n);
    if (error == SSL_ERROR_WANT_READ || error == SSL_ERROR_WANT_WRITE) return error;
    unsigned long reason = ERR_peek_error();
    if (error == SSL_ERROR_ZERO_RETURN || (error == SSL_ERROR_SYSCALL && (errno == 0 || errno == ECONNRESET || errno == EPIPE)) ||
        (error == SSL_ERROR_SSL && ERR_GET_LIB(reason) == ERR_LIB_SSL && ERR_GET_REASON(reason) == SSL_R_UNEXPECTED_EOF_WHILE_READING))
        fail("the server closed the connection while %s (%s; %zu calls in flight)", doing,
             errno != 0 ? strerror(errno) : "end of file", run.in_flight);
    fail("cannot go on %s (TLS error %d, %s)", doing, error, errno != 0 ? strerror(errno) : "no system error");
}

/* Writes what the session has to send, gathered into one buffer (few TLS records, few system calls). */
static void flush(struct connection *c) {
    for (;;) {
        if (c->out_sent == c->out_length) {
            c->out_sent = c->out_length = 0;
            const uint8_t *data;
            ssize_t n;
            while (c->out_length < 65536 && (n = nghttp2_session_mem_send(c->session, &data)) != 0) {
                if (n < 0) fail("nghttp2_session_mem_send: %s", nghttp2_strerror((int)n));
                if (c->out_capacity - c->out_length < (size_t)n)
                    c->out = grow(c->out, c->out_capacity = (c->out_length + (size_t)n) * 2);
                memcpy(c->out + c->out_length, data, (size_t)n);
                c->out_length += (size_t)n;
            }
            if (c->out_length == 0) return;
        }
        ERR_clear_error();
        errno = 0;
        int n = SSL_write(c->tls, c->out + c->out_sent, (int)(c->out_length - c->out_sent));
        if (n > 0) {
            c->out_sent += (size_t)n;
            continue;
        }
        /* WANT_READ: tried again after the next poll, which always waits for POLLIN. */
        if (tls_wait(c, n, "writing to the server") == SSL_ERROR_WANT_WRITE) c->write_blocked = true;
        return;
    }
}

/* Reads what arrived and hands it to the session (whose callbacks close calls). */
static void receive(struct connection *c) {
    static uint8_t buffer[65536];
    for (;;) {
        ERR_clear_error();
        errno = 0;
        int n = SSL_read(c->tls, buffer, sizeof buffer);
        if (n > 0) {
            ssize_t used = nghttp2_session_mem_recv(c->session, buffer, (size_t)n);
            if (used < 0) fail("HTTP/2 error from the server: %s", nghttp2_strerror((int)used));
            continue;
        }
        if (tls_wait(c, n, "reading from the server") == SSL_ERROR_WANT_WRITE) c->read_wants_write = c->write_blocked = true;
        return;
    }
}

/* After the result line: tells the server the client is done (GOAWAY, close_notify), as
 * far as the socket takes it without waiting; a failure here changes nothing. */
static void say_goodbye(struct connection *c) {
    nghttp2_session_terminate_session(c->session, NGHTTP2_NO_ERROR);
    const uint8_t *data;
    ssize_t n;
    while ((n = nghttp2_session_mem_send(c->session, &data)) > 0 && SSL_write(c->tls, data, (int)n) == (int)n) continue;
    SSL_shutdown(c->tls);
    close(c->fd);
}

/* ------------------------------------------------------------ the closed loop */

static struct connection *connections;
static size_t connection_count;
static struct pollfd *polls;
static struct call *calls;
static size_t concurrency;

/* Every caller calls back to back until `seconds` have passed; returns once the last call closed. */
static void closed_loop(double seconds, bool measuring, uint64_t first_call) {
    run.measuring = measuring;
    run.next_call = first_call;
    run.end = now_ns() + (uint64_t)(seconds * 1e9);
    for (size_t i = 0; i < concurrency; i++) start(&calls[i]);
    uint64_t last_progress = now_ns(), closed = run.closed;
    while (run.in_flight > 0) {
        for (size_t i = 0; i < connection_count; i++) {
            if (!nghttp2_session_want_read(connections[i].session) && !nghttp2_session_want_write(connections[i].session))
                fail("the HTTP/2 session of connection %zu ended (%zu calls in flight)", i, run.in_flight);
            flush(&connections[i]);
            polls[i] = (struct pollfd){.fd = connections[i].fd,
                                       .events = (short)(POLLIN | (connections[i].write_blocked ? POLLOUT : 0))};
        }
        int ready = poll(polls, (nfds_t)connection_count, 1000);
        if (ready < 0 && errno != EINTR) fail("poll: %s", strerror(errno));
        for (size_t i = 0; ready > 0 && i < connection_count; i++) {
            struct connection *c = &connections[i];
            bool read = polls[i].revents & (POLLIN | POLLERR | POLLHUP);
            if (polls[i].revents & POLLOUT) {
                c->write_blocked = false;
                if (c->read_wants_write) read = true;
            }
            if (read) {
                c->read_wants_write = false;
                receive(c);
            }
        }
        uint64_t now = now_ns();
        for (size_t i = 0; i < concurrency; i++)
            if (!calls[i].busy && now < run.end) start(&calls[i]);
        if (run.closed != closed) last_progress = now, closed = run.closed;
        else if (now - last_progress > 60 * 1000000000ull) fail("no call closed for 60 s (%zu calls in flight)", run.in_flight);
    }
}

static int compare(const void *a, const void *b) {
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* As Latencies.percentile in Load.swift: the value at rank ceil(count * p), in microseconds. */
static double percentile(double p) {
    if (run.latency_count == 0) return 0;
    double rank = (double)run.latency_count * p;
    size_t index = (size_t)rank;
    if ((double)index < rank) index++; /* rounded up */
    index = index == 0 ? 0 : index - 1;
    if (index > run.latency_count - 1) index = run.latency_count - 1;
    return (double)run.latencies[index] / 1000;
}

/* A whole decimal number of at least `minimum` (the whole text: no sign, no suffix). */
static size_t number(const char *text, const char *name, size_t minimum) {
    char *end;
    errno = 0;
    unsigned long long value = strtoull(text, &end, 10);
    if (*text < '0' || *text > '9' || *end != 0 || errno != 0 || value < minimum || value > 1000000000)
        fail("%s must be a whole number from %zu, not \"%s\"", name, minimum, text);
    return (size_t)value;
}

/* The modes: the method each calls and the answer's field its entries' expected bytes are
 * about (Protos/immigration/records/v1/records.proto; RecordsBenchmark's `requests`). */
static const struct {
    const char *name, *path;
    struct field_path identifying;
} modes[] = {
    {"get-person", "/immigration.records.v1.RecordsService/GetPerson",
     {{1, 1}, 2, "person.person_id (GetPersonResponse field 1, Person field 1)"}},
    {"can-cross", "/immigration.records.v1.RecordsService/CheckCrossingEligibility",
     {{3}, 1, "person_id (CheckCrossingEligibilityResponse field 3)"}},
};

int main(int argc, char **argv) {
    /* A connection the server resets must end the run with a message, not kill it silently. */
    signal(SIGPIPE, SIG_IGN);
    if (argc != 5) fail("usage: grpc-load get-person|can-cross CONCURRENCY SECONDS REQUESTS_FILE");
    run.mode = argv[1];
    for (size_t i = 0; i < sizeof modes / sizeof *modes; i++)
        if (strcmp(run.mode, modes[i].name) == 0) run.path = modes[i].path, run.identifying = &modes[i].identifying;
    if (run.path == NULL) fail("MODE must be get-person or can-cross, not %s", run.mode);
    concurrency = number(argv[2], "CONCURRENCY", 1);
    size_t seconds = number(argv[3], "SECONDS", 1);
    read_requests(argv[4]);
    const char *warm_up = getenv("WARMUP_SECONDS");
    size_t warm_up_seconds = warm_up != NULL ? number(warm_up, "WARMUP_SECONDS", 0) : 2;
    const char *connections_setting = getenv("CONNECTIONS");
    connection_count = connections_setting != NULL ? number(connections_setting, "CONNECTIONS", 1) : 1;
    if (getrandom(&draw_offset, sizeof draw_offset, 0) != sizeof draw_offset) fail("getrandom: %s", strerror(errno));

    const char *target = getenv("RECORDS_TARGET");
    char *host = strdup(target != NULL ? target : "127.0.0.1:50051");
    char *colon = strrchr(host, ':');
    if (colon == NULL) fail("RECORDS_TARGET must be HOST:PORT");
    *colon = 0;
    const char *port = colon + 1;
    if (host[0] == '[' && colon[-1] == ']') host++, colon[-1] = 0; /* [::1]:50051 */
    const char *name = getenv("TLS_SERVER_NAME");
    if (name == NULL || *name == 0) name = host;
    run.authority = name;

    SSL_CTX *context = tls_context();
    connections = calloc(connection_count, sizeof *connections);
    polls = calloc(connection_count, sizeof *polls);
    calls = calloc(concurrency, sizeof *calls);
    if (connections == NULL || polls == NULL || calls == NULL) fail("out of memory");
    for (size_t i = 0; i < connection_count; i++) connect_to(&connections[i], context, host, port, name);
    for (size_t i = 0; i < concurrency; i++) calls[i].connection = &connections[i % connection_count];

    if (warm_up_seconds > 0) closed_loop((double)warm_up_seconds, false, (uint64_t)1 << 40); /* other draws than the run's */
    double cpu = cpu_seconds();
    uint64_t began = now_ns();
    closed_loop((double)seconds, true, 0);
    double elapsed = (double)(now_ns() - began) / 1e9;
    cpu = cpu_seconds() - cpu;

    if (run.errors > 0) fprintf(stderr, "grpc-load: %zu errors, first: %s\n", run.errors, run.first_error);
    qsort(run.latencies, run.latency_count, sizeof *run.latencies, compare);
    printf("%s %zu %zu %.2f %lld %.0f %.0f %.2f %zu\n", run.mode, concurrency, run.latency_count, elapsed,
           (long long)((double)run.latency_count / elapsed), percentile(0.5), percentile(0.99), cpu, run.errors);
    fflush(stdout);
    for (size_t i = 0; i < connection_count; i++) say_goodbye(&connections[i]);
    return 0;
}
