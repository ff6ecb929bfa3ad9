// The protobuf-c runtime (Debian libprotobuf-c-dev 1.4) as one Swift module.
#ifndef CPROTOBUFC_SHIM_H
#define CPROTOBUFC_SHIM_H
#include <protobuf-c/protobuf-c.h>
#endif
