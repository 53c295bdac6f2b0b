/* worker: the FastCGI accept loop of one worker process.
 *
 * The only module that includes the FastCGI headers. It turns each FastCGI request into a req,
 * routes it, runs the handler, writes the resp and logs one line. */
#ifndef SC_WORKER_H
#define SC_WORKER_H

#include "core/common.h"
#include "server/router.h"

typedef struct worker_opts {
    int listen_fd;         /* from FCGX_OpenSocket, inherited from the master */
    const route_t *routes; /* borrowed; lives for the whole process */
    size_t nroutes;
    void *ctx;              /* handed to every handler */
    size_t max_body;        /* request bodies above this are refused with 413 */
    route_gate_fn gate;     /* may be NULL (router.h) */
    route_finish_fn finish; /* may be NULL */
} worker_opts_t;

/* Serves requests until SIGTERM (finishing the request in flight) or a fatal accept error.
 * Returns the process exit status. */
int worker_run(const worker_opts_t *opts);

#endif
