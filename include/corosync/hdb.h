/*
 * hdb.h: the handle type that corosync's public headers expose.
 *
 * corosync's cmap.h includes <corosync/hdb.h>, so programs written for
 * corosync may rely on what that include brings: the hdb_handle_t type,
 * its printf formats, _GNU_SOURCE, and the standard headers below
 * (programs use PRIu64, strlen, malloc and errno from them without
 * including them). Those are provided here. corosync's version also
 * wraps libqb's handle database (hdb_handle_create() and the like) in
 * inline functions that need libqb; Cohort does not depend on libqb and
 * does not provide them (docs/compatibility.md).
 *
 * Copyright (c) 2026 The Cohort authors. License: see LICENSE in the source.
 */
#ifndef HDB_H_DEFINED
#define HDB_H_DEFINED

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* A 64-bit handle, as every corosync library hands out. */
typedef uint64_t hdb_handle_t;

#define HDB_D_FORMAT "%" PRIu64
#define HDB_X_FORMAT "%" PRIx64

#endif /* HDB_H_DEFINED */
