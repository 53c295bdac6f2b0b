/* response: what a handler produces — a status, a few headers and a body.
 *
 * Bodies are JSON written with jansson. Every failure uses resp_error, which writes the one error
 * shape of the API: {"error":{"code":…,"message":…,"field":…}}. */
#ifndef SC_RESPONSE_H
#define SC_RESPONSE_H

#include <jansson.h>

#include "core/buf.h"
#include "core/common.h"

#define RESP_MAX_HEADERS 20

typedef struct resp_header {
    char name[40];
    char value[200];
} resp_header_t;

/* Where a streamed body goes (the FastCGI output stream in the worker). Opaque to handlers. */
typedef struct resp_sink resp_sink_t;

/* Writes n bytes of a streamed body. False when the client is gone or the write failed: the
 * producer then stops. */
bool resp_sink_write(resp_sink_t *sink, const void *data, size_t n) MUST_CHECK;

/* A body produced after the headers are sent, piece by piece, rather than held in resp->body:
 * for answers too large to keep in a worker's memory (exports). run writes the body to sink and
 * returns false when it had to stop early (the body is then cut; the headers were already sent).
 * release frees ctx, whether run was called or not (HEAD, or a write that failed first). */
typedef struct resp_stream {
    bool (*run)(void *ctx, resp_sink_t *sink);
    void (*release)(void *ctx);
    void *ctx; /* owned by the response once set: released by resp_free */
} resp_stream_t;

typedef struct resp {
    int status;
    const char *content_type; /* static string */
    buf_t body;               /* owned */
    resp_header_t headers[RESP_MAX_HEADERS];
    size_t nheaders;
    const char *cache; /* "hit", "stale", "miss", "bypass" or "none": logged with the request */
    /* The entity tag of a public cached answer (http/reply.c: data version and cache key), "" for
     * others; the HTTP layer sends it with a 200 and answers 304 when the client holds it. */
    char etag[64];
    resp_stream_t stream; /* run == NULL: the body is in body (every answer but a streamed one) */
} resp_t;

/* Prepares an empty 500 response whose body may grow to max_body bytes. */
void resp_init(resp_t *resp, size_t max_body);
void resp_free(resp_t *resp);

/* Adds a header. Names and values are bounded; a header that does not fit is dropped (false). */
bool resp_header(resp_t *resp, const char *name, const char *value);

/* Sets status and a JSON body. Takes ownership of body (decref'd here). When the JSON cannot be
 * serialised, the response becomes a 500 internal error. */
void resp_json(resp_t *resp, int status, json_t *body);

/* Sets status and a body already serialised (a cached response). */
void resp_raw(resp_t *resp, int status, const char *content_type, const char *body, size_t len);

/* Makes resp a streamed answer with status 200 (no Content-Length: the web server sends it
 * chunked): takes ownership of ctx (released by resp_free). */
void resp_stream(resp_t *resp, const char *content_type, resp_stream_t stream);

/* Sets an error response. field may be NULL. message is French, shown to people. */
void resp_error(resp_t *resp, int status, const char *code, const char *message, const char *field);

/* The reason phrase for a status code ("Not Found"). */
const char *resp_reason(int status);

#endif
