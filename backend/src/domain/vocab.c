#include "domain/vocab.h"

#include <string.h>

#include "domain/status.h"

const db_stmt_t vocab_stmts[] = {
        {"vocab_all",
         "SELECT kind, code, CASE WHEN $1 = 'en' THEN coalesce(label_en, label_fr) ELSE label_fr "
         "END,"
         " parent FROM vocabulary ORDER BY kind = 'subtheme', kind, rank, code",
         1, true},
        {NULL, NULL, 0, false},
};

/* Table kind → key in the answer. Sub-themes are nested under their theme instead. */
static const struct {
    const char *kind;
    const char *key;
} vocab_keys[] = {
        {"theme", "themes"}, {"actor_type", "actor_types"}, {"public", "publics"},
        {"scale", "scales"}, {"stage", "stages"},           {"method", "methods"},
};

static json_t *find_theme(json_t *themes, const char *code) {
    size_t i;
    json_t *t;
    json_array_foreach(themes, i, t) {
        if (strcmp(json_string_value(json_object_get(t, "code")), code) == 0)
            return t;
    }
    return NULL;
}

dom_status vocab_all(db_t *db, const char *lang, json_t **out) {
    const char *params[] = {lang};
    PGresult *r;
    dom_status st = dom_from_db(db_exec(db, "vocab_all", 1, params, &r));
    json_t *voc = NULL;
    *out = NULL;
    if (st != DOM_OK)
        return st;
    st = DOM_INTERNAL;
    voc = json_object();
    if (voc == NULL)
        goto done;
    for (size_t k = 0; k < ARRAY_LEN(vocab_keys); k++)
        if (json_object_set_new(voc, vocab_keys[k].key, json_array()) != 0)
            goto done;

    /* Rows come kinds first, sub-themes last, so every theme exists when its children arrive. */
    for (int i = 0; i < PQntuples(r); i++) {
        const char *kind = PQgetvalue(r, i, 0);
        json_t *entry =
                json_pack("{s:s, s:s}", "code", PQgetvalue(r, i, 1), "label", PQgetvalue(r, i, 2));
        if (entry == NULL)
            goto done;
        json_t *list = NULL;
        if (strcmp(kind, "subtheme") == 0) {
            json_t *theme = find_theme(json_object_get(voc, "themes"), PQgetvalue(r, i, 3));
            list = theme ? json_object_get(theme, "children") : NULL;
        } else {
            for (size_t k = 0; k < ARRAY_LEN(vocab_keys); k++)
                if (strcmp(kind, vocab_keys[k].kind) == 0)
                    list = json_object_get(voc, vocab_keys[k].key);
            if (strcmp(kind, "theme") == 0 &&
                json_object_set_new(entry, "children", json_array()) != 0)
                list = NULL;
        }
        if (list == NULL || json_array_append_new(list, entry) != 0) {
            if (list == NULL)
                json_decref(entry);
            goto done;
        }
    }
    *out = json_pack("{s:s, s:o}", "lang", lang, "vocabularies", voc);
    voc = NULL;
    st = *out ? DOM_OK : DOM_INTERNAL;
done:
    json_decref(voc);
    PQclear(r);
    return st;
}
