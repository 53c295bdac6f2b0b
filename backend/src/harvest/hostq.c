#include "harvest/hostq.h"

#include <stdlib.h>
#include <string.h>

typedef struct node {
    void *item; /* the caller's */
    int64_t ready_at;
    bool priority;
} node;

struct hv_hostq {
    node *v; /* FIFO, priority items first; a plain array: a host's queue is a few thousand
                pages at most, so scanning it costs less than a heap would in code */
    size_t n, cap;
    int max_in_flight;
    int in_flight;
    int delay_ms;
    bool started_once; /* last_start means something */
    int64_t last_start;
    int64_t defer_until;
    bool hold;
};

hv_hostq *hv_hostq_new(int max_in_flight, int delay_ms) {
    hv_hostq *q = calloc(1, sizeof *q);
    if (q == NULL)
        return NULL;
    q->max_in_flight = max_in_flight < 1 ? 1 : max_in_flight;
    q->delay_ms = delay_ms < 0 ? 0 : delay_ms;
    return q;
}

void hv_hostq_free(hv_hostq *q) {
    if (q == NULL)
        return;
    free(q->v);
    free(q);
}

bool hv_hostq_push(hv_hostq *q, void *item, int64_t ready_at, bool priority) {
    if (q->n == q->cap) {
        size_t cap = q->cap ? 2 * q->cap : 16;
        node *v = realloc(q->v, cap * sizeof *v);
        if (v == NULL)
            return false;
        q->v = v;
        q->cap = cap;
    }
    size_t at = q->n;
    if (priority) {
        at = 0;
        while (at < q->n && q->v[at].priority)
            at++;
        memmove(&q->v[at + 1], &q->v[at], (q->n - at) * sizeof *q->v);
    }
    q->v[at] = (node){.item = item, .ready_at = ready_at, .priority = priority};
    q->n++;
    return true;
}

static int64_t max64(int64_t a, int64_t b) {
    return a > b ? a : b;
}

void *hv_hostq_next(hv_hostq *q, int64_t now, int64_t *wake) {
    *wake = HV_HOSTQ_NEVER;
    if (q->in_flight >= q->max_in_flight)
        return NULL;
    int64_t slot = q->defer_until;
    if (q->started_once)
        slot = max64(slot, q->last_start + q->delay_ms);
    int64_t earliest = HV_HOSTQ_NEVER;
    for (size_t i = 0; i < q->n; i++) {
        node *nd = &q->v[i];
        if (q->hold && !nd->priority)
            break;
        if (nd->ready_at > now) {
            if (nd->ready_at < earliest)
                earliest = nd->ready_at;
            continue;
        }
        if (now < slot) {
            *wake = slot;
            return NULL;
        }
        void *item = nd->item;
        memmove(nd, nd + 1, (q->n - i - 1) * sizeof *nd);
        q->n--;
        return item;
    }
    if (earliest != HV_HOSTQ_NEVER)
        *wake = max64(earliest, slot);
    return NULL;
}

void hv_hostq_started(hv_hostq *q, int64_t now) {
    q->in_flight++;
    q->last_start = now;
    q->started_once = true;
}

void hv_hostq_finished(hv_hostq *q) {
    if (q->in_flight > 0)
        q->in_flight--;
}

void hv_hostq_min_delay(hv_hostq *q, int delay_ms) {
    if (delay_ms > q->delay_ms)
        q->delay_ms = delay_ms;
}

void hv_hostq_defer(hv_hostq *q, int64_t until) {
    if (until > q->defer_until)
        q->defer_until = until;
}

void hv_hostq_hold(hv_hostq *q, bool hold) {
    q->hold = hold;
}

size_t hv_hostq_queued(const hv_hostq *q) {
    return q->n;
}

int hv_hostq_in_flight(const hv_hostq *q) {
    return q->in_flight;
}
