#include "domain/community/feed.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain/community/community.h"
#include "domain/rows.h"

const db_stmt_t feed_stmts[] = {
        {"cmf_page",
         "SELECT j::text, k, id FROM community_feed($1, nullif($2::bigint, 0), $3::int)", 3, true},
        {"cmf_scan", "SELECT community_scan_initiatives()", 0, false},
        {"cmf_digest", "SELECT community_digest_one($1)", 1, false},
        {NULL, NULL, 0, false},
};

dom_status feed_page(db_t *db, int64_t community, int64_t after, int limit, json_t **out) {
    char cid[24], aid[24], lim[16];
    snprintf(cid, sizeof cid, "%" PRId64, community);
    snprintf(aid, sizeof aid, "%" PRId64, after);
    snprintf(lim, sizeof lim, "%d", limit + 1);
    const char *params[] = {cid, aid, lim};
    return community_page(db, "cmf_page", 3, params, limit, out);
}

dom_status feed_scan_initiatives(db_t *db, long *added) {
    PGresult *r = NULL;
    *added = 0;
    dom_status st = dom_exec_one(db, "cmf_scan", 0, NULL, &r);
    if (st == DOM_OK)
        *added = strtol(PQgetvalue(r, 0, 0), NULL, 10);
    PQclear(r);
    return st;
}

dom_status feed_digest_one(db_t *db, const char *public_url, bool *done) {
    PGresult *r = NULL;
    const char *params[] = {public_url};
    *done = false;
    dom_status st = dom_exec_one(db, "cmf_digest", 1, params, &r);
    if (st == DOM_OK)
        *done = strcmp(PQgetvalue(r, 0, 0), "t") == 0;
    PQclear(r);
    return st;
}
