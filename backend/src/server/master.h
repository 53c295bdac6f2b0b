/* master: the process model of the API.
 *
 * The master opens the FastCGI socket, forks the workers, restarts a worker that dies, replaces
 * all workers on SIGHUP (new ones first, then the old ones finish what they serve and leave) and
 * stops gracefully on SIGTERM or SIGINT: workers finish the request in flight, then exit. */
#ifndef SC_MASTER_H
#define SC_MASTER_H

#include "core/common.h"
#include "server/router.h"

typedef struct master_opts {
    const char *socket;    /* unix socket path, or ":PORT" / "HOST:PORT" */
    int workers;           /* how many worker processes */
    int grace_s;           /* how long workers may take to finish on shutdown before SIGKILL */
    const route_t *routes; /* borrowed; static for the life of the program */
    size_t nroutes;
    size_t max_body;
    route_gate_fn gate;     /* handed to the workers; may be NULL (router.h) */
    route_finish_fn finish; /* may be NULL */
    /* Runs in each new worker process before it accepts requests: returns the context handed to
     * every handler (NULL on failure, and the worker exits). */
    void *(*worker_init)(void *arg);
    /* Runs in the worker when it stops; releases what worker_init returned. */
    void (*worker_fini)(void *ctx);
    void *arg;
} master_opts_t;

/* Runs until shutdown. Returns the process exit status. */
int master_run(const master_opts_t *opts);

#endif
