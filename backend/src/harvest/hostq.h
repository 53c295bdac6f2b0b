/* hv_hostq: when the next request to one host may start.
 *
 * One queue per host (scheme, name and port). It holds the caller's items in arrival order, each
 * with the time before which it must not start (a retry's back-off), and it keeps the host's
 * politeness: at most max_in_flight requests at once, delay_ms between two starts, and an optional
 * pause ("defer") asked by the server through Retry-After. Items marked priority (robots.txt) go
 * before the others, and while the queue is held only priority items come out: nothing is sent to
 * a host before its robots.txt is known. Times are milliseconds on any monotonic clock; the queue
 * never reads the clock itself, which keeps it testable. */
#ifndef SC_HV_HOSTQ_H
#define SC_HV_HOSTQ_H

#include <stddef.h>
#include <stdint.h>

#include "core/common.h"

#define HV_HOSTQ_NEVER INT64_MAX

typedef struct hv_hostq hv_hostq;

/* max_in_flight is at least 1. Returns NULL when out of memory. */
hv_hostq *hv_hostq_new(int max_in_flight, int delay_ms);
/* Frees the queue, not the items still in it (the caller owns items throughout). */
void hv_hostq_free(hv_hostq *q);

/* Queues item, not to start before ready_at. Returns false when out of memory. */
bool hv_hostq_push(hv_hostq *q, void *item, int64_t ready_at, bool priority) MUST_CHECK;

/* Takes out the first item that may start at now, or returns NULL and sets *wake to the earliest
 * time one might (HV_HOSTQ_NEVER when only a finishing request or a new item can change that).
 * Taking an item does not count it as started: call hv_hostq_started when it is sent, so that an
 * item dropped without a request (robots.txt forbids it) costs no delay. */
void *hv_hostq_next(hv_hostq *q, int64_t now, int64_t *wake);

void hv_hostq_started(hv_hostq *q, int64_t now);
void hv_hostq_finished(hv_hostq *q);

/* Raises the delay between starts (Crawl-delay); never lowers it. */
void hv_hostq_min_delay(hv_hostq *q, int delay_ms);
/* Starts nothing before until (Retry-After). */
void hv_hostq_defer(hv_hostq *q, int64_t until);
void hv_hostq_hold(hv_hostq *q, bool hold);

size_t hv_hostq_queued(const hv_hostq *q);
int hv_hostq_in_flight(const hv_hostq *q);

#endif
