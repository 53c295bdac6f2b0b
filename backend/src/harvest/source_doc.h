/* hv_source: a source document (docs/sources.md), parsed and validated.
 *
 * Parsing checks everything a run will rely on — kinds, required keys, unknown keys, XPath syntax,
 * JSON pointers, regexes, map names — so that a bad document is refused at load time with an error
 * that names the key ("fields.titel: unknown field (expected one of title, url, …)"), never halfway
 * through a run. */
#ifndef SC_HV_SOURCE_DOC_H
#define SC_HV_SOURCE_DOC_H

#include <jansson.h>

#include "core/common.h"

#define HV_SOURCE_DOC_MAX (256 * 1024) /* bytes of one document */
#define HV_ERR_MAX        512          /* bytes of an error message, NUL included */

typedef enum hv_kind { HV_KIND_HTML, HV_KIND_JSON, HV_KIND_RSS, HV_KIND_ATOM, HV_KIND_CSV } hv_kind;

typedef struct hv_source hv_source;

/* Parses and validates text (len bytes, need not be NUL-terminated). ${NAME} in homepage and
 * start_urls is expanded from the environment. On success returns 0 and *out is a new source the
 * caller frees with hv_source_free. On failure returns -1, *out is NULL and err holds a French or
 * English one-line message naming the key (prefixed by nothing: the caller adds the file name). */
int hv_source_parse(const char *text, size_t len, hv_source **out, char err[HV_ERR_MAX]) MUST_CHECK;
void hv_source_free(hv_source *src);

/* Read-only views, valid while src lives. */
const char *hv_source_slug(const hv_source *src);
const char *hv_source_name(const hv_source *src);
const char *hv_source_homepage(const hv_source *src);  /* expanded */
const char *hv_source_kind_name(const hv_source *src); /* "html", "json", … */
hv_kind hv_source_kind(const hv_source *src);
const char *hv_source_licence(const hv_source *src); /* NULL when absent */
int hv_source_period_hours(const hv_source *src);
int hv_source_gone_after_runs(const hv_source *src);
int hv_source_delay_ms(const hv_source *src);
/* True when the homepage and every start URL are on this machine (core/url url_is_loopback): only
 * such a source may be read with no delay between requests. */
bool hv_source_is_loopback(const hv_source *src);
int hv_source_max_connections(const hv_source *src);
int hv_source_max_pages(const hv_source *src);
long hv_source_max_body_bytes(const hv_source *src);
/* The document as given (borrowed reference), to be stored in source.config. */
const json_t *hv_source_document(const hv_source *src);

/* The first list-page URLs of a run, absolute: the start URLs, with the pagination parameter set
 * to its start value when pagination is by parameter. Returns a new JSON array of strings. */
json_t *hv_source_first_pages(const hv_source *src);

#endif
