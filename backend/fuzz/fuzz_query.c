/* libFuzzer target: the fine-search query language. Inputs the API would refuse before parsing
 * (over QUERY_MAX_BYTES, invalid UTF-8) are skipped. A query that parses must print a canonical
 * text that parses back to the same tree and the same text, with consistent node offsets; a
 * refused one must point inside the text with a message a person can read. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/utf8.h"
#include "domain/query.h"

#define OUT_MAX 65536

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_node(const query_node_t *n, size_t len, int depth) {
    if (depth > 2 * QUERY_MAX_DEPTH + 2 || n->offset >= len)
        abort();
    switch (n->kind) {
    case QUERY_WORD:
    case QUERY_PHRASE:
        if (n->text == NULL || n->text[0] == '\0' || !utf8_valid(n->text, strlen(n->text)))
            abort();
        break;
    case QUERY_FIELD:
        if (n->field == QUERY_FIELD_YEAR) {
            if (n->nyears < 1 || n->nyears > QUERY_MAX_VALUES)
                abort();
            for (size_t i = 0; i < n->nyears; i++)
                if ((n->years[i].from == 0 && n->years[i].to == 0) ||
                    (n->years[i].from && n->years[i].to && n->years[i].from > n->years[i].to))
                    abort();
        } else if (n->field == QUERY_FIELD_NEAR) {
            if (n->near.lat < -90 || n->near.lat > 90 || n->near.lon < -180 || n->near.lon > 180 ||
                !(n->near.radius_m > 0) || n->near.radius_m > QUERY_MAX_RADIUS)
                abort();
        } else if (n->field == QUERY_FIELD_BBOX) {
            if (!(n->bbox.min_lon < n->bbox.max_lon) || !(n->bbox.min_lat < n->bbox.max_lat) ||
                n->bbox.min_lon < -180 || n->bbox.max_lon > 180 || n->bbox.min_lat < -90 ||
                n->bbox.max_lat > 90)
                abort();
        } else {
            if (n->nvalues < 1 || n->nvalues > QUERY_MAX_VALUES)
                abort();
            for (size_t i = 0; i < n->nvalues; i++)
                if (n->values[i].text[0] == '\0' || n->values[i].offset < n->offset ||
                    n->values[i].offset >= len)
                    abort();
        }
        break;
    case QUERY_NOT:
    case QUERY_AND:
    case QUERY_OR:
        if ((n->kind == QUERY_NOT) != (n->nchildren == 1) || n->nchildren < 1)
            abort();
        for (size_t i = 0; i < n->nchildren; i++) {
            const query_node_t *c = n->children[i];
            if (n->kind != QUERY_NOT && c->kind == n->kind)
                abort(); /* lists are flattened */
            check_node(c, len, depth + 1);
        }
        break;
    default:
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    const char *text = (const char *)data;
    query_t *q = NULL, *again = NULL;
    query_error_t err;
    buf_t tree, canon, tree2, canon2;
    if (size > QUERY_MAX_BYTES || !utf8_valid(text, size))
        return 0;
    buf_init(&tree, OUT_MAX);
    buf_init(&canon, OUT_MAX);
    buf_init(&tree2, OUT_MAX);
    buf_init(&canon2, OUT_MAX);
    query_status st = query_parse(text, size, &q, &err);
    if (st == QUERY_INVALID) {
        size_t mlen = strlen(err.message);
        if (q != NULL || err.offset > size || err.code == QUERY_E_NONE ||
            err.column != query_column(text, size, err.offset) || mlen == 0 ||
            !utf8_valid(err.message, mlen))
            abort();
        goto done;
    }
    if (st != QUERY_OK)
        abort(); /* out of memory: the arena's cap is too low for some query within the limits */
    if (query_terms(q) > QUERY_MAX_TERMS || (query_root(q) == NULL) != (query_terms(q) == 0))
        abort();
    if (query_root(q) != NULL)
        check_node(query_root(q), size, 0);
    if (!query_to_string(q, &tree) || !query_to_text(q, &canon))
        abort();
    /* The canonical text can be a little longer than the input (a space added between a word and
     * a phrase); past the limit it would be refused, which says nothing about the round trip. */
    if (canon.len > QUERY_MAX_BYTES)
        goto done;
    if (query_parse(buf_cstr(&canon), canon.len, &again, &err) != QUERY_OK)
        abort();
    if (!query_to_string(again, &tree2) || !query_to_text(again, &canon2))
        abort();
    if (strcmp(buf_cstr(&tree), buf_cstr(&tree2)) != 0 ||
        strcmp(buf_cstr(&canon), buf_cstr(&canon2)) != 0 ||
        query_is_plain(q) != query_is_plain(again) || query_terms(q) != query_terms(again))
        abort();

done:
    query_free(q);
    query_free(again);
    buf_free(&tree);
    buf_free(&canon);
    buf_free(&tree2);
    buf_free(&canon2);
    return 0;
}
