/* Encode and decode of the benchmark's person through protobuf-c called
 * directly: pack of a ready C struct, then unpack + free_unpacked of the bytes.
 * The same content as Sources/ContractsBenchmark/SamplePerson.swift.
 * Usage: person_c ITERATIONS
 * Prints one line: c ITERATIONS ENCODE_SECONDS DECODE_SECONDS BYTES FNV1A64 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "immigration/testing/v1/field_kinds.pb-c.h"

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);  /* CPU time: steadier on a shared machine */
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

typedef struct {
    Immigration__Testing__V1__TravelDocument document;
    Immigration__Common__V1__DocumentReference reference;
    Immigration__Common__V1__CalendarDate issued, expires;
} Document;

static void fill_document(Document *d, Immigration__Common__V1__DocumentKind kind, char *number, char *state,
                          int iy, int im, int id, int ey, int em, int ed, int chip, char *authority) {
    immigration__testing__v1__travel_document__init(&d->document);
    immigration__common__v1__document_reference__init(&d->reference);
    immigration__common__v1__calendar_date__init(&d->issued);
    immigration__common__v1__calendar_date__init(&d->expires);
    d->reference.kind = kind;
    d->reference.number = number;
    d->reference.issuing_state = state;
    d->issued.year = iy; d->issued.month = im; d->issued.day = id;
    d->expires.year = ey; d->expires.month = em; d->expires.day = ed;
    d->document.reference = &d->reference;
    d->document.issued_on = &d->issued;
    d->document.expires_on = &d->expires;
    d->document.has_chip = chip;
    d->document.issuing_authority = authority;
}

int main(int argc, char **argv) {
    long iterations = argc > 1 ? atol(argv[1]) : 0;
    if (iterations <= 0) { fprintf(stderr, "usage: person_c ITERATIONS\n"); return 2; }

    Immigration__Testing__V1__PersonWithDocuments person;
    Immigration__Common__V1__PersonName name;
    Immigration__Common__V1__PartialDate birth;
    Immigration__Common__V1__Provenance provenance;
    Google__Protobuf__Timestamp recorded, updated;
    Document documents[3];
    Immigration__Testing__V1__TravelDocument *document_pointers[3];

    immigration__testing__v1__person_with_documents__init(&person);
    immigration__common__v1__person_name__init(&name);
    immigration__common__v1__partial_date__init(&birth);
    immigration__common__v1__provenance__init(&provenance);
    google__protobuf__timestamp__init(&recorded);
    google__protobuf__timestamp__init(&updated);

    person.person_id = "3f6c1e8a-5b2d-4c7e-9a41-0d2f7b8e6c15";
    name.family_name = "Nguyễn";
    name.middle_name = "Thị Thanh";
    name.given_name = "Hương";
    person.name = &name;
    birth.year = 1986; birth.month = 4; birth.day = 17;
    person.date_of_birth = &birth;
    person.sex = IMMIGRATION__COMMON__V1__SEX__SEX_FEMALE;
    person.nationality = "VNM";
    fill_document(&documents[0], IMMIGRATION__COMMON__V1__DOCUMENT_KIND__DOCUMENT_KIND_ORDINARY_PASSPORT,
                  "C1234567", "VNM", 2019, 3, 12, 2029, 3, 12, 1, "Cục Quản lý xuất nhập cảnh");
    fill_document(&documents[1], IMMIGRATION__COMMON__V1__DOCUMENT_KIND__DOCUMENT_KIND_VISA,
                  "JP4471823", "JPN", 2023, 6, 1, 2024, 5, 31, 0, "Đại sứ quán Nhật Bản tại Hà Nội");
    fill_document(&documents[2], IMMIGRATION__COMMON__V1__DOCUMENT_KIND__DOCUMENT_KIND_OFFICIAL_PASSPORT,
                  "B7654321", "VNM", 2017, 9, 5, 2022, 9, 5, 0, "Cục Lãnh sự - Bộ Ngoại giao");
    for (int i = 0; i < 3; i++) document_pointers[i] = &documents[i].document;
    person.n_documents = 3;
    person.documents = document_pointers;
    provenance.source = IMMIGRATION__COMMON__V1__INFORMATION_SOURCE__INFORMATION_SOURCE_PROCEDURE;
    provenance.unit_code = "A08-HN";
    provenance.actor_id = "officer-20417";
    recorded.seconds = 1730535330; recorded.nanos = 250000000;
    provenance.recorded_at = &recorded;
    person.provenance = &provenance;
    updated.seconds = 1730535331; updated.nanos = 125000000;
    person.updated_at = &updated;

    size_t size = immigration__testing__v1__person_with_documents__get_packed_size(&person);
    uint8_t *bytes = malloc(size);
    immigration__testing__v1__person_with_documents__pack(&person, bytes);

    /* Encode: what a C service does per message, sizing then packing into a fresh buffer. */
    long sink = 0;
    double start = now();
    for (long i = 0; i < iterations; i++) {
        size_t n = immigration__testing__v1__person_with_documents__get_packed_size(&person);
        uint8_t *out = malloc(n);
        sink += (long)immigration__testing__v1__person_with_documents__pack(&person, out);
        free(out);
    }
    double encode = now() - start;

    start = now();
    for (long i = 0; i < iterations; i++) {
        Immigration__Testing__V1__PersonWithDocuments *decoded =
            immigration__testing__v1__person_with_documents__unpack(NULL, size, bytes);
        if (decoded == NULL) { fprintf(stderr, "c: unpack failed\n"); return 1; }
        sink += (long)decoded->n_documents + (long)strlen(decoded->name->given_name);
        immigration__testing__v1__person_with_documents__free_unpacked(decoded, NULL);
    }
    double decode = now() - start;

    if (sink != iterations * ((long)size + 3 + (long)strlen(name.given_name))) {
        fprintf(stderr, "c: unexpected work total %ld\n", sink);
        return 1;
    }
    uint64_t hash = 0xcbf29ce484222325ULL;
    for (size_t i = 0; i < size; i++) hash = (hash ^ bytes[i]) * 0x100000001b3ULL;
    printf("c %ld %.6f %.6f %zu %llx\n", iterations, encode, decode, size, (unsigned long long)hash);
    free(bytes);
    return 0;
}
