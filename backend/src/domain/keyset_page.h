/* keyset_page: one page of a list read newest or oldest first by (created, id), as the API answers
 * it: {"items": [...], "next_cursor": "…" | null}. The statements that feed it return one row per
 * item — its JSON text, its creation time in microseconds, its id — and one row more than the page
 * when a next page exists (LIMIT limit + 1); keyset_page itself is in domain/rows.h. */
#ifndef SC_DOMAIN_KEYSET_PAGE_H
#define SC_DOMAIN_KEYSET_PAGE_H

#include <jansson.h>

#include "core/common.h"
#include "domain/status.h"

/* The JSON text of a row, parsed (owned by the caller), or NULL, logged under what. */
json_t *keyset_page_row(const char *text, const char *what);

#endif
