#include "domain/community/thread.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain/community/community.h"
#include "domain/rows.h"

const db_stmt_t thread_stmts[] = {
        {"cmt_create",
         "SELECT community_thread_create($1, $2, $3, $4, coalesce($5, '{}')::bigint[])::text", 5,
         false},
        {"cmt_get", "SELECT community_thread_get($1, $2)::text", 2, true},
        {"cmt_author", "SELECT a FROM community_thread_author($1, $2) a WHERE a IS NOT NULL", 2,
         true},
        {"cmt_reply_author", "SELECT a FROM community_reply_author($1, $2) a WHERE a IS NOT NULL",
         2, true},
        {"cmt_list",
         "SELECT j::text, k, id FROM community_threads($1, $2::bigint,"
         " nullif($3::bigint, 0), $4::int)",
         4, true},
        {"cmt_update",
         "SELECT community_thread_update($1, $2, $3::int, $4, $5, $6::boolean, $7::boolean)::text",
         7, false},
        {"cmt_delete", "DELETE FROM community_thread WHERE community_id = $1 AND id = $2", 2,
         false},
        {"cmt_reply_create",
         "SELECT community_reply_create($1, $2, $3, $4, coalesce($5, '{}')::bigint[])::text", 5,
         false},
        {"cmt_replies",
         "SELECT j::text, k, id FROM community_replies($1, $2, nullif($3::bigint, 0), $4::int)", 4,
         true},
        {"cmt_reply_update", "SELECT community_reply_update($1, $2, $3::int, $4)::text", 4, false},
        {"cmt_reply_delete", "SELECT community_reply_delete($1, $2)::text", 2, false},
        {"cmt_report",
         "SELECT community_report_create($1, nullif($2::bigint, 0), nullif($3::bigint, 0), $4,"
         " $5)::text",
         5, false},
        {"cmt_reports", "SELECT community_reports($1)::text", 1, true},
        {NULL, NULL, 0, false},
};

#define TH_ID(buf, v) snprintf(buf, sizeof buf, "%" PRId64, (int64_t)(v))

dom_status thread_create(db_t *db, int64_t community, int64_t actor, const char *title,
                         const char *body, const char *mentions, json_t **out) {
    char cid[24], uid[24];
    TH_ID(cid, community);
    TH_ID(uid, actor);
    const char *params[] = {cid, uid, title, body, mentions};
    return community_call(db, "cmt_create", 5, params, out);
}

dom_status thread_get(db_t *db, int64_t community, int64_t id, json_t **out) {
    char cid[24], tid[24];
    TH_ID(cid, community);
    TH_ID(tid, id);
    const char *params[] = {cid, tid};
    return community_call(db, "cmt_get", 2, params, out);
}

static dom_status th_author_of(db_t *db, const char *stmt, int64_t community, int64_t id,
                               int64_t *author) {
    char cid[24], tid[24];
    PGresult *r = NULL;
    TH_ID(cid, community);
    TH_ID(tid, id);
    const char *params[] = {cid, tid};
    *author = 0;
    dom_status st = dom_exec_one(db, stmt, 2, params, &r);
    if (st == DOM_OK)
        *author = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
    PQclear(r);
    return st;
}

dom_status thread_author(db_t *db, int64_t community, int64_t id, int64_t *author) {
    return th_author_of(db, "cmt_author", community, id, author);
}

dom_status thread_reply_author(db_t *db, int64_t community, int64_t id, int64_t *author) {
    return th_author_of(db, "cmt_reply_author", community, id, author);
}

dom_status thread_list(db_t *db, int64_t community, int64_t after_key, int64_t after_id, int limit,
                       json_t **out) {
    char cid[24], key[24], aid[24], lim[16];
    TH_ID(cid, community);
    TH_ID(key, after_key);
    TH_ID(aid, after_id);
    snprintf(lim, sizeof lim, "%d", limit + 1);
    const char *params[] = {cid, key, aid, lim};
    return community_page(db, "cmt_list", 4, params, limit, out);
}

dom_status thread_update(db_t *db, int64_t community, int64_t id, long long version,
                         const char *title, const char *body, const char *pinned,
                         const char *locked, json_t **out) {
    char cid[24], tid[24], ver[24];
    TH_ID(cid, community);
    TH_ID(tid, id);
    snprintf(ver, sizeof ver, "%lld", version);
    const char *params[] = {cid, tid, ver, title, body, pinned, locked};
    return community_call(db, "cmt_update", 7, params, out);
}

dom_status thread_delete(db_t *db, int64_t community, int64_t id) {
    char cid[24], tid[24];
    PGresult *r = NULL;
    TH_ID(cid, community);
    TH_ID(tid, id);
    const char *params[] = {cid, tid};
    dom_status st = dom_from_db(db_exec(db, "cmt_delete", 2, params, &r));
    if (st == DOM_OK && strcmp(PQcmdTuples(r), "1") != 0)
        st = DOM_NOT_FOUND;
    PQclear(r);
    return st;
}

dom_status thread_reply_create(db_t *db, int64_t community, int64_t thread, int64_t actor,
                               const char *body, const char *mentions, json_t **out) {
    char cid[24], tid[24], uid[24];
    TH_ID(cid, community);
    TH_ID(tid, thread);
    TH_ID(uid, actor);
    const char *params[] = {cid, tid, uid, body, mentions};
    return community_call(db, "cmt_reply_create", 5, params, out);
}

dom_status thread_replies(db_t *db, int64_t community, int64_t thread, int64_t after, int limit,
                          json_t **out) {
    char cid[24], tid[24], aid[24], lim[16];
    TH_ID(cid, community);
    TH_ID(tid, thread);
    TH_ID(aid, after);
    snprintf(lim, sizeof lim, "%d", limit + 1);
    const char *params[] = {cid, tid, aid, lim};
    return community_page(db, "cmt_replies", 4, params, limit, out);
}

dom_status thread_reply_update(db_t *db, int64_t community, int64_t id, long long version,
                               const char *body, json_t **out) {
    char cid[24], rid[24], ver[24];
    TH_ID(cid, community);
    TH_ID(rid, id);
    snprintf(ver, sizeof ver, "%lld", version);
    const char *params[] = {cid, rid, ver, body};
    return community_call(db, "cmt_reply_update", 4, params, out);
}

dom_status thread_reply_delete(db_t *db, int64_t community, int64_t id, json_t **out) {
    char cid[24], rid[24];
    TH_ID(cid, community);
    TH_ID(rid, id);
    const char *params[] = {cid, rid};
    return community_call(db, "cmt_reply_delete", 2, params, out);
}

dom_status thread_report(db_t *db, int64_t community, int64_t thread, int64_t reply, int64_t actor,
                         const char *reason, json_t **out) {
    char cid[24], tid[24], rid[24], uid[24];
    TH_ID(cid, community);
    TH_ID(tid, thread);
    TH_ID(rid, reply);
    TH_ID(uid, actor);
    const char *params[] = {cid, tid, rid, uid, reason};
    return community_call(db, "cmt_report", 5, params, out);
}

dom_status thread_reports(db_t *db, int64_t community, json_t **out) {
    char cid[24];
    TH_ID(cid, community);
    const char *params[] = {cid};
    return community_call(db, "cmt_reports", 1, params, out);
}
