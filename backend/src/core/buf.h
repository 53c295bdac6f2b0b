/* buf: a growable byte buffer with a hard cap.
 *
 * Everything built from outside input (request bodies, decoded parameters, response bodies) goes
 * through a buf so that no input can make the process allocate without bound. The content is
 * always NUL-terminated, so `data` can be used as a C string when the bytes are text. */
#ifndef SC_BUF_H
#define SC_BUF_H

#include "core/common.h"

typedef struct buf {
    char *data;  /* owned; NULL until the first append */
    size_t len;  /* bytes used, excluding the terminating NUL */
    size_t cap;  /* bytes allocated */
    size_t max;  /* the cap: len never exceeds it */
    bool toobig; /* set when an append was refused for the cap */
} buf_t;

/* Prepares an empty buffer that will never hold more than `max` bytes. Allocates nothing. */
void buf_init(buf_t *b, size_t max);

/* Appends n bytes. Returns false, leaving the content unchanged, when the result would pass the
 * cap (and sets b->toobig) or when memory runs out. */
bool buf_append(buf_t *b, const void *p, size_t n) MUST_CHECK;
bool buf_append_str(buf_t *b, const char *s) MUST_CHECK;
bool buf_appendf(buf_t *b, const char *fmt, ...) MUST_CHECK PRINTF_LIKE(2, 3);

/* Empties the buffer and keeps its memory. */
void buf_reset(buf_t *b);

/* Frees the memory; the buffer can be reused after buf_init. */
void buf_free(buf_t *b);

/* The content as a C string: "" when nothing was appended. Valid until the next append or free. */
const char *buf_cstr(const buf_t *b);

#endif
