// libpq (Debian libpq-dev, PostgreSQL 15) as one Swift module.
#ifndef CLIBPQ_SHIM_H
#define CLIBPQ_SHIM_H
#include <postgresql/libpq-fe.h>
#endif
