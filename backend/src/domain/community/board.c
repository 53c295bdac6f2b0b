#include "domain/community/board.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "domain/community/community.h"
#include "domain/rows.h"

const db_stmt_t board_stmts[] = {
        {"cmb_collections", "SELECT community_collections($1)::text", 1, true},
        {"cmb_collection_create", "SELECT community_collection_create($1, $2, $3, $4)", 4, false},
        {"cmb_collection_community",
         "SELECT coalesce(community_id, 0) FROM collection WHERE id = $1", 1, true},
        {"cmb_proposals", "SELECT community_proposals($1)::text", 1, true},
        {"cmb_propose", "SELECT community_proposal_create($1, $2, $3, $4, $5)::text", 5, false},
        {"cmb_decide", "SELECT community_proposal_decide($1, $2, $3::boolean)::text", 3, false},
        {"cmb_map", "SELECT community_map($1)::text", 1, true},
        {NULL, NULL, 0, false},
};

#define BD_ID(buf, v) snprintf(buf, sizeof buf, "%" PRId64, (int64_t)(v))

dom_status board_collections(db_t *db, int64_t community, json_t **out) {
    char cid[24];
    BD_ID(cid, community);
    const char *params[] = {cid};
    return community_call(db, "cmb_collections", 1, params, out);
}

dom_status board_collection_create(db_t *db, int64_t community, int64_t actor, const char *title,
                                   const char *description, int64_t *id) {
    char cid[24], uid[24];
    PGresult *r = NULL;
    BD_ID(cid, community);
    BD_ID(uid, actor);
    const char *params[] = {cid, uid, title, description};
    *id = 0;
    dom_status st = dom_exec_one(db, "cmb_collection_create", 4, params, &r);
    if (st == DOM_OK)
        *id = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
    PQclear(r);
    return st;
}

dom_status board_collection_community(db_t *db, int64_t collection, int64_t *community) {
    char cid[24];
    PGresult *r = NULL;
    BD_ID(cid, collection);
    const char *params[] = {cid};
    *community = 0;
    dom_status st = dom_exec_one(db, "cmb_collection_community", 1, params, &r);
    if (st == DOM_OK)
        *community = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
    PQclear(r);
    return st;
}

dom_status board_proposals(db_t *db, int64_t community, json_t **out) {
    char cid[24];
    BD_ID(cid, community);
    const char *params[] = {cid};
    return community_call(db, "cmb_proposals", 1, params, out);
}

dom_status board_propose(db_t *db, int64_t community, int64_t actor, int64_t collection,
                         int64_t initiative, const char *note, json_t **out) {
    char cid[24], uid[24], col[24], ini[24];
    BD_ID(cid, community);
    BD_ID(uid, actor);
    BD_ID(col, collection);
    BD_ID(ini, initiative);
    const char *params[] = {cid, uid, col, ini, note};
    return community_call(db, "cmb_propose", 5, params, out);
}

dom_status board_decide(db_t *db, int64_t community, int64_t proposal, bool accept, json_t **out) {
    char cid[24], pid[24];
    BD_ID(cid, community);
    BD_ID(pid, proposal);
    const char *params[] = {cid, pid, accept ? "true" : "false"};
    return community_call(db, "cmb_decide", 3, params, out);
}

dom_status board_map(db_t *db, int64_t community, json_t **out) {
    char cid[24];
    BD_ID(cid, community);
    const char *params[] = {cid};
    return community_call(db, "cmb_map", 1, params, out);
}
