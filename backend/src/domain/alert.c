#include "domain/alert.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain/rows.h"
#include "domain/search_where.h"
#include "domain/status.h"

const db_stmt_t alert_stmts[] = {
        {"alert_describe", "SELECT name, alert <> 'none' FROM saved_search WHERE id = $1::bigint",
         1, true},
        {"alert_unsubscribe",
         "UPDATE saved_search SET alert = 'none', updated_at = now(),"
         " version = version + CASE WHEN alert <> 'none' THEN 1 ELSE 0 END"
         " WHERE id = $1::bigint RETURNING name",
         1, false},
        /* Only to a live, verified address: an alert must not become a way to send mail to an
         * address that never confirmed it wanted any. */
        {"alert_take_due",
         "SELECT s.id, s.name, u.email, s.alert, s.last_alert_at::text, s.params::text"
         " FROM saved_search s JOIN app_user u ON u.id = s.user_id"
         " WHERE s.alert <> 'none' AND s.last_alert_at <= sc_now() - CASE s.alert"
         " WHEN 'daily' THEN interval '1 day' ELSE interval '7 days' END"
         " AND u.deleted_at IS NULL AND u.email_verified_at IS NOT NULL AND u.email IS NOT NULL"
         " ORDER BY s.last_alert_at, s.id LIMIT 1 FOR UPDATE OF s SKIP LOCKED",
         0, false},
        {"alert_done", "UPDATE saved_search SET last_alert_at = sc_now() WHERE id = $1::bigint", 1,
         false},
        {NULL, NULL, 0, false},
};

static void id_text(int64_t id, char out[24]) {
    snprintf(out, 24, "%" PRId64, id);
}

dom_status alert_describe(db_t *db, int64_t id, char name[ALERT_NAME_MAX], bool *active) {
    char ids[24];
    id_text(id, ids);
    const char *params[] = {ids};
    PGresult *r = NULL;
    dom_status st = dom_exec_one(db, "alert_describe", 1, params, &r);
    if (st == DOM_OK) {
        snprintf(name, ALERT_NAME_MAX, "%s", PQgetvalue(r, 0, 0));
        *active = PQgetvalue(r, 0, 1)[0] == 't';
    }
    PQclear(r);
    return st;
}

dom_status alert_unsubscribe(db_t *db, int64_t id, char name[ALERT_NAME_MAX]) {
    char ids[24];
    id_text(id, ids);
    const char *params[] = {ids};
    PGresult *r = NULL;
    dom_status st = dom_exec_one(db, "alert_unsubscribe", 1, params, &r);
    if (st == DOM_OK)
        snprintf(name, ALERT_NAME_MAX, "%s", PQgetvalue(r, 0, 0));
    PQclear(r);
    return st;
}

void alert_due_clear(alert_due_t *due) {
    free(due->name);
    free(due->email);
    free(due->frequency);
    free(due->since);
    json_decref(due->params);
    memset(due, 0, sizeof *due);
}

dom_status alert_take_due(db_t *db, alert_due_t *due) {
    PGresult *r = NULL;
    memset(due, 0, sizeof *due);
    dom_status st = dom_exec_one(db, "alert_take_due", 0, NULL, &r);
    if (st != DOM_OK)
        goto done;
    due->id = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
    due->name = strdup(PQgetvalue(r, 0, 1));
    due->email = strdup(PQgetvalue(r, 0, 2));
    due->frequency = strdup(PQgetvalue(r, 0, 3));
    due->since = strdup(PQgetvalue(r, 0, 4));
    due->params = json_loads(PQgetvalue(r, 0, 5), 0, NULL);
    if (due->name == NULL || due->email == NULL || due->frequency == NULL || due->since == NULL ||
        !json_is_object(due->params)) {
        alert_due_clear(due);
        st = DOM_INTERNAL;
    }
done:
    PQclear(r);
    return st;
}

search_status alert_matches(db_t *db, const search_query_t *sq, json_t **items, long *total,
                            search_error_t *err) {
    sqlb_t b;
    PGresult *r = NULL;
    *items = NULL;
    *total = 0;
    sqlb_init(&b);
    /* The whole count comes with the page (count(*) OVER () is taken before the LIMIT). */
    sqlb_sql(&b, "SELECT i.id, i.title, count(*) OVER () FROM initiative i");
    search_status ss = search_where_sql(db, sq, &b, err);
    if (ss != SEARCH_OK)
        goto done;
    sqlb_sql(&b, " ORDER BY GREATEST(i.created_at, i.updated_at) DESC, i.id DESC LIMIT ");
    sqlb_paramf(&b, "%d", ALERT_ITEMS_MAX);
    err->dom = dom_query_built(db, "alert matches", &b, &r);
    if (err->dom != DOM_OK) {
        ss = SEARCH_FAILED;
        goto done;
    }
    *items = json_array();
    for (int i = 0; *items && i < PQntuples(r); i++) {
        json_t *o = json_pack("{s:I,s:s}", "id", (json_int_t)strtoll(PQgetvalue(r, i, 0), NULL, 10),
                              "title", PQgetvalue(r, i, 1));
        if (o == NULL || json_array_append_new(*items, o) != 0) {
            json_decref(*items);
            *items = NULL;
        }
        *total = strtol(PQgetvalue(r, i, 2), NULL, 10);
    }
    if (*items == NULL) {
        err->dom = DOM_INTERNAL;
        ss = SEARCH_FAILED;
    }
done:
    PQclear(r);
    sqlb_free(&b);
    return ss;
}

dom_status alert_done(db_t *db, int64_t id) {
    char ids[24];
    id_text(id, ids);
    const char *params[] = {ids};
    PGresult *r = NULL;
    dom_status st = dom_from_db(db_exec(db, "alert_done", 1, params, &r));
    PQclear(r);
    return st;
}
