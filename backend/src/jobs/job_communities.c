#include "jobs/job_communities.h"

#include "core/log.h"
#include "domain/community/feed.h"

dom_status job_communities_run(const job_ctx_t *ctx, long *digests) {
    long added = 0;
    bool done = true;
    *digests = 0;
    dom_status st = feed_scan_initiatives(ctx->db, &added);
    if (st == DOM_OK && added > 0)
        log_msg(LOG_INFO, "communities: %ld new initiative(s) in their feeds", added);
    /* One membership per transaction: FOR UPDATE SKIP LOCKED shares the work between runners,
     * and a runner stopped mid-way leaves the rest due. */
    while (st == DOM_OK && done && !*ctx->stop) {
        st = dom_from_db(db_tx_begin(ctx->db));
        if (st != DOM_OK)
            break;
        st = feed_digest_one(ctx->db, ctx->public_url, &done);
        if (st != DOM_OK) {
            db_tx_rollback(ctx->db);
            break;
        }
        st = dom_from_db(db_tx_commit(ctx->db));
        if (st == DOM_OK && done)
            (*digests)++;
    }
    return st;
}
