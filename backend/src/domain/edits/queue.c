#include "domain/edits/queue.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "domain/edits/edits_common.h"
#include "domain/status.h"

/* Every kind of waiting item in one shape: kind, id, version, waiting since, initiative, the
 * person who asked, themes and place (for the filters), a French summary, and what the review
 * panel shows (detail). */
#define QUEUE_ITEMS                                                                               \
    "SELECT c.kind, c.id, c.version, c.submitted_at AS at, c.initiative_id,"                      \
    "       coalesce(i.title, c.fields->>'title') AS title, c.author_id AS uid, c.themes,"        \
    "       c.commune_code, c.departement_code, c.region_code,"                                   \
    "       CASE c.kind WHEN 'proposal' THEN 'Nouvelle initiative proposée'"                     \
    "            ELSE 'Correction de ' || (SELECT string_agg(k, ', ' ORDER BY k)"                 \
    "                                        FROM jsonb_object_keys(c.fields) k) END AS summary," \
    "       contribution_json(c) AS detail"                                                       \
    "  FROM contribution c LEFT JOIN initiative i ON i.id = c.initiative_id"                      \
    " WHERE c.status = 'pending'"                                                                 \
    " UNION ALL"                                                                                  \
    " SELECT 'claim', cl.id, cl.version, cl.created_at, cl.initiative_id, i.title, cl.user_id,"   \
    "        i.themes, i.commune_code, i.departement_code, i.region_code,"                        \
    "        'Demande de porteur de projet', claim_json(cl)"                                      \
    "   FROM claim cl JOIN initiative i ON i.id = cl.initiative_id WHERE cl.status = 'pending'"   \
    " UNION ALL"                                                                                  \
    " SELECT 'source_change', s.id, s.version, s.created_at, s.initiative_id, i.title, NULL,"     \
    "        i.themes, i.commune_code, i.departement_code, i.region_code,"                        \
    "        'La source a changé ce champ : ' || s.field,"                                       \
    "        jsonb_build_object('field', s.field, 'ours', field_display(s.field, s.ours),"        \
    "                           'theirs', field_display(s.field, s.theirs),"                      \
    "                           'source', (SELECT jsonb_build_object('code', so.code,"            \
    "                                                                'name', so.name)"            \
    "                                        FROM source so WHERE so.id = s.source_id))"          \
    "   FROM source_change s JOIN initiative i ON i.id = s.initiative_id WHERE s.status = 'open'" \
    " UNION ALL"                                                                                  \
    " SELECT 'report', r.id, r.version, r.created_at, r.initiative_id, i.title, r.reporter_id,"   \
    "        i.themes, i.commune_code, i.departement_code, i.region_code,"                        \
    "        CASE r.target_kind WHEN 'comment' THEN 'Commentaire signalé'"                       \
    "             ELSE 'Erreur signalée sur la fiche' END,"                                      \
    "        jsonb_build_object('target_kind', r.target_kind, 'target_id', r.target_id,"          \
    "                           'reason', r.reason,"                                              \
    "                           'comment', (SELECT jsonb_build_object('id', c.id,"                \
    "                                                                 'body', c.body,"            \
    "                                                                 'status', c.status)"        \
    "                                         FROM comment c WHERE r.target_kind = 'comment'"     \
    "                                          AND c.id = r.target_id))"                          \
    "   FROM report r JOIN initiative i ON i.id = r.initiative_id WHERE r.status = 'open'"

const db_stmt_t queue_stmts[] = {
        /* $1 kind, $2 theme, $3 territory level, $4 code, $5 days, $6 cursor time (µs), $7
         * cursor kind, $8 cursor id, $9 rows (NULL members: no filter). */
        {"queue_list",
         "SELECT (extract(epoch FROM q.at) * 1000000)::bigint, q.kind, q.id,"
         "       jsonb_build_object('kind', q.kind, 'id', q.id, 'version', q.version,"
         "           'created_at', sc_iso(q.at),"
         "           'initiative', CASE WHEN q.initiative_id IS NOT NULL THEN"
         "               jsonb_build_object('id', q.initiative_id, 'title', q.title) END,"
         "           'title', q.title, 'author', person_json(q.uid), 'summary', q.summary,"
         "           'themes', to_jsonb(q.themes), 'detail', q.detail)::text"
         "  FROM (" QUEUE_ITEMS ") q"
         " WHERE ($1::text IS NULL OR q.kind = $1)"
         "   AND ($2::text IS NULL OR $2 = ANY (q.themes))"
         "   AND ($3::text IS NULL OR $4 = CASE $3 WHEN 'region' THEN q.region_code"
         "                                         WHEN 'departement' THEN q.departement_code"
         "                                         ELSE q.commune_code END)"
         "   AND ($5::int IS NULL OR q.at <= sc_now() - make_interval(days => $5::int))"
         "   AND ($6::bigint IS NULL OR ((extract(epoch FROM q.at) * 1000000)::bigint, q.kind, "
         "q.id)"
         "                              > ($6::bigint, $7::text, $8::bigint))"
         " ORDER BY 1, 2, 3 LIMIT $9",
         9, true},
        {NULL, NULL, 0, false},
};

/* A cursor is "<µs>.<kind>.<id>": the position of the last item of a page. */
bool queue_cursor_valid(const char *text) {
    size_t n = strlen(text), digits = strspn(text, "0123456789");
    if (n > 80 || digits == 0 || digits > 20 || text[digits] != '.')
        return false;
    const char *kind = text + digits + 1;
    size_t klen = strspn(kind, "abcdefghijklmnopqrstuvwxyz_");
    if (klen == 0 || kind[klen] != '.')
        return false;
    const char *id = kind + klen + 1;
    size_t idlen = strspn(id, "0123456789");
    return idlen > 0 && idlen <= 19 && id[idlen] == '\0';
}

dom_status queue_list(db_t *db, const queue_filter_t *f, json_t **out) {
    char days[16], lim[16], at[24] = "", kind[40] = "", id[24] = "";
    PGresult *r = NULL;
    json_t *items = NULL;
    json_error_t e;
    dom_status st;
    *out = NULL;
    snprintf(days, sizeof days, "%d", f->older_than_days);
    snprintf(lim, sizeof lim, "%d", f->limit + 1);
    if (f->after != NULL && queue_cursor_valid(f->after))
        (void)sscanf(f->after, "%23[0-9].%39[a-z_].%23[0-9]", at, kind, id);
    bool cursor = at[0] && kind[0] && id[0];
    const char *params[] = {f->kind,
                            f->theme,
                            f->territory_level,
                            f->territory_code,
                            f->older_than_days > 0 ? days : NULL,
                            cursor ? at : NULL,
                            cursor ? kind : NULL,
                            cursor ? id : NULL,
                            lim};
    st = dom_from_db(db_exec(db, "queue_list", 9, params, &r));
    if (st != DOM_OK)
        goto done;
    st = DOM_INTERNAL;
    if ((items = json_array()) == NULL)
        goto done;
    int rows = PQntuples(r);
    for (int i = 0; i < rows && i < f->limit; i++) {
        json_t *item = json_loads(PQgetvalue(r, i, 3), 0, &e);
        if (item == NULL || json_array_append_new(items, item) != 0) {
            log_msg(LOG_ERROR, "queue: unreadable item: %s", e.text);
            goto done;
        }
    }
    json_t *next = json_null();
    if (rows > f->limit) {
        char text[96];
        int last = f->limit - 1;
        snprintf(text, sizeof text, "%s.%s.%s", PQgetvalue(r, last, 0), PQgetvalue(r, last, 1),
                 PQgetvalue(r, last, 2));
        json_decref(next);
        next = json_string(text);
    }
    *out = json_pack("{s:O, s:o}", "items", items, "next_cursor", next);
    st = *out ? DOM_OK : DOM_INTERNAL;
done:
    json_decref(items);
    PQclear(r);
    return st;
}
