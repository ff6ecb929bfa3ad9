/* A gate-firmware-style program: encodes a PersonName with the protobuf-c
 * contracts, decodes it back and checks every field. Writes the encoding to
 * the file named by argv[1] so that other tests can decode it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "immigration/common/v1/common.pb-c.h"

int main(int argc, char **argv) {
    Immigration__Common__V1__PersonName name = IMMIGRATION__COMMON__V1__PERSON_NAME__INIT;
    name.family_name = "Nguyễn";
    name.middle_name = "Văn";
    name.given_name = "An";
    size_t size = immigration__common__v1__person_name__get_packed_size(&name);
    uint8_t *buffer = malloc(size);
    if (buffer == NULL) return 2;
    immigration__common__v1__person_name__pack(&name, buffer);
    Immigration__Common__V1__PersonName *decoded =
        immigration__common__v1__person_name__unpack(NULL, size, buffer);
    if (decoded == NULL) { fprintf(stderr, "decode failed\n"); return 1; }
    int ok = strcmp(decoded->family_name, "Nguyễn") == 0 && strcmp(decoded->middle_name, "Văn") == 0
        && strcmp(decoded->given_name, "An") == 0;
    immigration__common__v1__person_name__free_unpacked(decoded, NULL);
    if (argc > 1) {
        FILE *f = fopen(argv[1], "wb");
        if (f == NULL || fwrite(buffer, 1, size, f) != size) return 3;
        fclose(f);
    }
    free(buffer);
    if (!ok) { fprintf(stderr, "fields differ after round trip\n"); return 1; }
    return 0;
}
