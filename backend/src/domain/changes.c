#include "domain/changes.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain/initiative.h"
#include "domain/rows.h"

/* The horizon is the xmin of this statement's snapshot: every transaction with a lower id has
 * ended (its rows are visible or rolled back for good), and every transaction that can still
 * commit has an id at or above it. An entry is superseded when a later servable entry of the same
 * initiative exists: the reader will meet that one, which carries the same current record. */
const db_stmt_t changes_stmts[] = {
        {"changes_page",
         "WITH h AS (SELECT pg_snapshot_xmin(pg_current_snapshot()) AS x),"
         " page AS (SELECT c.xid, c.seq, c.initiative_id, c.kind, c.changed_at"
         "            FROM initiative_change c, h"
         "           WHERE c.xid < h.x AND (c.xid, c.seq) > ($1::text::xid8, $2::bigint)"
         "             AND NOT EXISTS (SELECT 1 FROM initiative_change c2"
         "                              WHERE c2.initiative_id = c.initiative_id"
         "                                AND (c2.xid, c2.seq) > (c.xid, c.seq) AND c2.xid < h.x)"
         "           ORDER BY c.xid, c.seq LIMIT $3)"
         " SELECT p.xid::text, p.seq, p.initiative_id, p.kind, sc_iso(p.changed_at), i.status"
         "   FROM page p LEFT JOIN initiative i ON i.id = p.initiative_id"
         "  ORDER BY p.xid, p.seq",
         3, true},
        {NULL, NULL, 0, false},
};

static bool parse_u64(const char *s, size_t len, uint64_t *out) {
    uint64_t v = 0;
    if (len == 0 || len > 19)
        return false;
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        v = v * 10 + (uint64_t)(s[i] - '0');
    }
    *out = v;
    return true;
}

bool changes_cursor_decode(const char *text, changes_cursor_t *c) {
    const char *dot = strchr(text, '.');
    uint64_t xid, seq;
    if (dot == NULL || !parse_u64(text, (size_t)(dot - text), &xid) ||
        !parse_u64(dot + 1, strlen(dot + 1), &seq) || seq > INT64_MAX)
        return false;
    c->xid = xid;
    c->seq = (int64_t)seq;
    return true;
}

/* One entry: the initiative as GET /api/v1/initiatives/{id} shows it when it is published, else a
 * tombstone (record null) whose kind says whether the row still exists. */
static dom_status entry(db_t *db, const PGresult *r, int row, json_t **out) {
    int64_t id = strtoll(PQgetvalue(r, row, 2), NULL, 10);
    const char *kind = PQgetvalue(r, row, 3);
    json_t *record = NULL;
    dom_status st = DOM_NOT_FOUND;
    *out = NULL;
    if (!PQgetisnull(r, row, 5) && strcmp(PQgetvalue(r, row, 5), "published") == 0)
        st = initiative_get(db, id, "fr", &record);
    if (st == DOM_OK) {
        /* Published now: what the log says was a removal has been undone since. */
        if (strcmp(kind, "archived") == 0 || strcmp(kind, "deleted") == 0)
            kind = "created";
    } else if (st == DOM_NOT_FOUND) {
        kind = PQgetisnull(r, row, 5) ? "deleted" : "archived";
        record = json_null();
    } else {
        return st;
    }
    *out = json_pack("{s:s, s:s, s:I, s:o}", "kind", kind, "changed_at", PQgetvalue(r, row, 4),
                     "id", (json_int_t)id, "record", record);
    return *out ? DOM_OK : DOM_INTERNAL;
}

dom_status changes_page(db_t *db, const changes_cursor_t *after, int limit, json_t **out) {
    char xid[24], seq[24], lim[16], next[CHANGES_CURSOR_MAX];
    PGresult *r = NULL;
    json_t *list = NULL;
    dom_status st;
    snprintf(xid, sizeof xid, "%" PRIu64, after->xid);
    snprintf(seq, sizeof seq, "%" PRId64, after->seq);
    snprintf(lim, sizeof lim, "%d", limit);
    snprintf(next, sizeof next, "%s.%s", xid, seq);
    const char *params[] = {xid, seq, lim};
    *out = NULL;
    st = dom_from_db(db_exec(db, "changes_page", 3, params, &r));
    if (st != DOM_OK)
        goto done;
    int rows = PQntuples(r);
    st = DOM_INTERNAL;
    if ((list = json_array()) == NULL)
        goto done;
    for (int i = 0; i < rows; i++) {
        json_t *e;
        st = entry(db, r, i, &e);
        if (st != DOM_OK)
            goto done;
        if (json_array_append_new(list, e) != 0) {
            st = DOM_INTERNAL;
            goto done;
        }
    }
    if (rows > 0)
        snprintf(next, sizeof next, "%s.%s", PQgetvalue(r, rows - 1, 0),
                 PQgetvalue(r, rows - 1, 1));
    *out = json_pack("{s:O, s:s, s:b}", "changes", list, "next_cursor", next, "more",
                     rows == limit);
    st = *out ? DOM_OK : DOM_INTERNAL;
done:
    json_decref(list);
    PQclear(r);
    return st;
}
