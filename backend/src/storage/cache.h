/* cache: one Redis connection per worker, used only when Redis answers.
 *
 * Redis holds nothing that cannot be lost. Every call degrades to "miss" or "not stored" when
 * Redis is unreachable, and after a failure the connection is not retried for a second, so a dead
 * Redis costs requests nothing but that one timeout. */
#ifndef SC_CACHE_H
#define SC_CACHE_H

#include "core/buf.h"
#include "core/common.h"

typedef struct cache cache_t;

/* Creates a handle; connects lazily. NULL when out of memory. */
cache_t *cache_open(const char *host, int port, int timeout_ms);
void cache_close(cache_t *c);

/* On a hit, appends the stored value to out and returns true. A miss, an unreachable Redis or a
 * value over out's cap all return false. */
bool cache_get(cache_t *c, const char *key, buf_t *out);

/* Stores value under key for ttl_s seconds. Best effort: failures are only logged. */
void cache_set(cache_t *c, const char *key, const char *value, size_t len, int ttl_s);

/* Counts one more event in the fixed window of window_s seconds named by key (rate limits): *count
 * receives the events of the window so far, this one included, and *ttl_s the seconds until the
 * window ends. False when Redis is unreachable (the caller decides whether to fail open). */
bool cache_count_window(cache_t *c, const char *key, int window_s, long long *count,
                        long long *ttl_s) MUST_CHECK;

/* Stores value under key for ttl_s seconds only when key holds nothing (SET NX): a value written
 * meanwhile by someone who knows better (a revocation) is never overwritten. Best effort. */
void cache_set_nx(cache_t *c, const char *key, const char *value, int ttl_s);

/* Runs the Lua script (a static string) with EVALSHA, loading it the first time and again after
 * Redis forgot it (NOSCRIPT): one round trip in the usual case. args holds the nkeys keys, then
 * the other arguments. The reply, when it is an array, is flattened into out as its items
 * separated by '\n' (integers in decimal, nested arrays flattened too); a single value is written
 * alone. False when Redis is unreachable or the script failed (logged). */
#define CACHE_SCRIPTS_MAX 4
bool cache_script(cache_t *c, const char *script, int nkeys, const char *const *args, int nargs,
                  buf_t *out) MUST_CHECK;

/* True while the connection is up: after a cache_get that returned false, false says that Redis
 * was unreachable (no cache at all) rather than that the key was missing. */
bool cache_up(const cache_t *c);

/* True when Redis answers PING now. */
bool cache_ping(cache_t *c);

#endif
