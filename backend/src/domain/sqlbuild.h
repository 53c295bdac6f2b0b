/* sqlbuild: assembles a query whose shape depends on which options are present.
 *
 * The text is made only of the caller's fixed fragments; every value goes into the parameter list
 * and is referenced as $n, so nothing received from outside ever becomes SQL. Errors are sticky
 * (like ferror on a FILE): a failed append marks the builder, and sqlb_ok says at the end whether
 * the query may run, which keeps the assembly code linear. */
#ifndef SC_SQLBUILD_H
#define SC_SQLBUILD_H

#include "core/buf.h"
#include "core/common.h"

#define SQLB_MAX_PARAMS 48
#define SQLB_MAX_SQL    (32 * 1024)

typedef struct sqlb {
    buf_t sql;                     /* owned */
    char *params[SQLB_MAX_PARAMS]; /* owned copies */
    int n;
    bool failed;
} sqlb_t;

void sqlb_init(sqlb_t *b);
void sqlb_free(sqlb_t *b);

/* Appends a fixed fragment (a string literal of the caller, never input). */
void sqlb_sql(sqlb_t *b, const char *fragment);

/* Binds a copy of value (NULL for SQL NULL) and appends its placeholder "$n". */
void sqlb_param(sqlb_t *b, const char *value);

/* Binds a number written with printf-style format and appends its placeholder. */
void sqlb_paramf(sqlb_t *b, const char *fmt, ...) PRINTF_LIKE(2, 3);

/* Binds a copy of value without writing anything; returns its number (0 on failure). */
int sqlb_bind(sqlb_t *b, const char *value);

/* Appends "$n" for an already bound parameter. */
void sqlb_ref(sqlb_t *b, int n);

/* True when every append and bind succeeded. */
bool sqlb_ok(const sqlb_t *b) MUST_CHECK;

#endif
