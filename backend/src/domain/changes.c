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
         /* Gone now, and not published at the cursor (its first change since is 'created'):
          * the reader never had it, so no tombstone (a mirror started from empty does not wade
          * through the records created and removed before it came). */
         "             AND NOT (c.kind IN ('archived', 'deleted') AND 'created' = ("
         "                      SELECT c3.kind FROM initiative_change c3"
         "                       WHERE c3.initiative_id = c.initiative_id"
         "                         AND (c3.xid, c3.seq) > ($1::text::xid8, $2::bigint)"
         "                       ORDER BY c3.xid, c3.seq LIMIT 1))"
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

/* One entry: record is the initiative as GET /api/v1/initiatives/{id} shows it (taken), or NULL
 * when it is not published now: a tombstone (record null) whose kind says whether the row still
 * exists. */
static json_t *entry(const PGresult *r, int row, json_t *record) {
    const char *kind = PQgetvalue(r, row, 3);
    if (record) {
        /* Published now: what the log says was a removal has been undone since. */
        if (strcmp(kind, "archived") == 0 || strcmp(kind, "deleted") == 0)
            kind = "created";
    } else {
        kind = PQgetisnull(r, row, 5) ? "deleted" : "archived";
        record = json_null();
    }
    return json_pack("{s:s, s:s, s:I, s:o}", "kind", kind, "changed_at", PQgetvalue(r, row, 4),
                     "id", (json_int_t)strtoll(PQgetvalue(r, row, 2), NULL, 10), "record", record);
}

dom_status changes_page(db_t *db, const changes_cursor_t *after, int limit, json_t **out) {
    char xid[24], seq[24], lim[16], next[CHANGES_CURSOR_MAX];
    PGresult *r = NULL;
    json_t *list = NULL;
    int64_t ids[CHANGES_LIMIT_MAX];
    json_t *records[CHANGES_LIMIT_MAX] = {NULL};
    dom_status st;
    snprintf(xid, sizeof xid, "%" PRIu64, after->xid);
    snprintf(seq, sizeof seq, "%" PRId64, after->seq);
    if (limit < 1 || limit > CHANGES_LIMIT_MAX)
        return DOM_INTERNAL;
    snprintf(lim, sizeof lim, "%d", limit);
    snprintf(next, sizeof next, "%s.%s", xid, seq);
    const char *params[] = {xid, seq, lim};
    *out = NULL;
    st = dom_from_db(db_exec(db, "changes_page", 3, params, &r));
    if (st != DOM_OK)
        goto done;
    int rows = PQntuples(r);
    /* The records of the entries whose initiative is published, read in one round trip. */
    for (int i = 0; i < rows; i++)
        ids[i] = strtoll(PQgetvalue(r, i, 2), NULL, 10);
    st = initiative_get_many(db, ids, (size_t)rows, "fr", records);
    if (st != DOM_OK)
        goto done;
    st = DOM_INTERNAL;
    if ((list = json_array()) == NULL)
        goto done;
    for (int i = 0; i < rows; i++) {
        json_t *e = entry(r, i, records[i]);
        records[i] = NULL; /* taken by entry */
        if (e == NULL || json_array_append_new(list, e) != 0)
            goto done;
    }
    if (rows > 0)
        snprintf(next, sizeof next, "%s.%s", PQgetvalue(r, rows - 1, 0),
                 PQgetvalue(r, rows - 1, 1));
    *out = json_pack("{s:O, s:s, s:b}", "changes", list, "next_cursor", next, "more",
                     rows == limit);
    st = *out ? DOM_OK : DOM_INTERNAL;
done:
    for (int i = 0; i < CHANGES_LIMIT_MAX; i++)
        json_decref(records[i]);
    json_decref(list);
    PQclear(r);
    return st;
}
