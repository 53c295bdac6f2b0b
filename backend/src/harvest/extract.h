/* hv_extract: from one fetched page to records, following a source document.
 *
 * Pure functions over bytes: no network, no database. The body is decoded to UTF-8 first
 * (hv_charset), then read with libxml2 (HTML and XML, XPath), jansson (JSON pointers) or the CSV
 * reader, then every field goes through its transforms and value maps (hv_transform). */
#ifndef SC_HV_EXTRACT_H
#define SC_HV_EXTRACT_H

#include <jansson.h>

#include "core/common.h"
#include "harvest/source_doc.h"

typedef struct hv_page {
    const char *url;          /* the final URL after redirects: base for relative links */
    const char *content_type; /* the Content-Type header, may be NULL (charset read from it) */
    const unsigned char *body;
    size_t len;
} hv_page;

/* A list page (or a feed, a JSON page, a CSV file). On success returns 0 and *out is a new
 *   {"items": [ {"external_id": "…", "url": "…"|null, "detail_url": "…"|null,
 *                "fields": { our field name: string | [strings], … }}, … ],
 *    "next": "absolute URL" | null}
 * Item fields are those with "from": "list" (after transforms and maps); detail_url is absolute,
 * present when the document has "detail". external_id follows the document's rule
 * (docs/sources.md); when it needs the detail page it is the detail URL. "next" comes from
 * pagination.next only (the caller handles pagination by parameter with hv_source_page_url). Items
 * whose title is empty and whose title comes from the list page are left out and counted in
 * "skipped": N. An item whose mapped fields had values the map does not know also has "unmapped": {
 * field: [values] }, so the raw record keeps them. On failure (body not parseable at all) returns
 * -1 with err set; *out is NULL. */
int hv_extract_list(const hv_source *src, const hv_page *page, json_t **out,
                    char err[HV_ERR_MAX]) MUST_CHECK;

/* A detail page: returns 0 and *out = {"fields": {…}} with the fields whose "from" is "detail"
 * (and "unmapped" as for list items). It is read as JSON for kind json, as HTML otherwise. */
int hv_extract_detail(const hv_source *src, const hv_page *page, json_t **out,
                      char err[HV_ERR_MAX]) MUST_CHECK;

/* The list page number n (0-based) of a source paginated by parameter, for start URL start_url:
 * start_url with the parameter set to start + n * step. Returns a malloc'd string (caller frees),
 * or NULL when the source is not paginated by parameter. */
char *hv_source_page_url(const hv_source *src, const char *start_url, int n);

/* Completes a record after its list and detail fields are merged: maps tags to themes when themes
 * is empty, runs the keyword classifier when the document allows it and themes is still empty,
 * keeps only codes known to vocab (a JSON object {"theme": [codes], "subtheme": […], "actor_type":
 * […], "public": […], "scale": […], "stage": […], "subtheme_parent": {sub-theme: theme}}), adds
 * the parent theme of every sub-theme, collapses white space, strips HTML from text
 * fields, checks lat/lon and URLs. Modifies fields in place; returns 0, or -1 with err when the
 * record cannot be an initiative (no title). Afterwards themes, subthemes, publics and tags are
 * arrays of strings, start_year an integer, lat and lon reals, every other field a string; fields
 * with no valid value are absent. vocab may be NULL: codes are then kept unchecked. */
int hv_record_finish(const hv_source *src, const json_t *vocab, json_t *fields,
                     char err[HV_ERR_MAX]) MUST_CHECK;

#endif
