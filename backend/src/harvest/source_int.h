/* The parsed form of a source document, shared by source_doc.c (which builds it) and the
 * extractors (which follow it). Internal to the harvest module. */
#ifndef SC_HV_SOURCE_INT_H
#define SC_HV_SOURCE_INT_H

#include <jansson.h>
#include <libxml/xpath.h>

#include "harvest/source_doc.h"
#include "harvest/transform.h"
#include "harvest/valuemap.h"

#define HV_MAX_ITEMS      10000 /* items read from one page */
#define HV_MAX_START_URLS 100
#define HV_URL_MAX        2048

/* How a path is read, decided by the kind and by where the field comes from. */
typedef enum hv_path_syntax {
    HV_PATH_XPATH,   /* html pages, and the detail pages of rss/atom/csv sources (HTML) */
    HV_PATH_FEED,    /* rss/atom items: a child element name, or an XPath */
    HV_PATH_POINTER, /* json: an RFC 6901 pointer */
    HV_PATH_COLUMN,  /* csv: a column name or 1-based number */
} hv_path_syntax;

typedef struct hv_path {
    hv_path_syntax syntax;
    char *text;               /* owned, as written */
    xmlXPathCompExprPtr expr; /* owned; XPATH, and FEED when not a simple name */
    bool simple_name;         /* FEED: "title", "content:encoded" */
} hv_path;

typedef struct hv_field_spec {
    const char *name; /* our field name (static), or "external_id" */
    hv_path path;
    bool has_path;
    bool from_detail;
    bool multiple;
    hv_transform *tr; /* owned, ntr elements */
    size_t ntr;
    const hv_valuemap *map; /* borrowed from the source's maps; NULL when none */
    char *def;              /* owned; NULL when none */
} hv_field_spec;

typedef enum hv_paging { HV_PAGING_NONE, HV_PAGING_NEXT, HV_PAGING_PARAM } hv_paging;

typedef enum hv_encoding { HV_ENC_AUTO, HV_ENC_UTF8, HV_ENC_LATIN1, HV_ENC_CP1252 } hv_encoding;

typedef struct hv_named_map {
    char *name;
    hv_valuemap *map;
} hv_named_map;

struct hv_source {
    json_t *doc; /* owned reference */
    char *slug, *name, *homepage, *licence;
    hv_kind kind;
    int period_hours, gone_after_runs, delay_ms, max_connections, max_pages;
    long max_body_bytes;
    hv_encoding encoding;
    char **start_urls; /* owned, absolute */
    size_t nstart;
    hv_paging paging;
    hv_path next; /* HV_PAGING_NEXT */
    char *param;  /* HV_PAGING_PARAM */
    long param_start, param_step;
    hv_path items;
    bool has_items;
    hv_path detail_link;
    bool has_detail;
    hv_field_spec external_id;
    bool has_external_id;
    hv_field_spec *fields; /* owned, nfields elements */
    size_t nfields;
    hv_named_map *maps;
    size_t nmaps;
    bool classify;
    char csv_delim;
    bool csv_header;
};

/* Silences libxml2's default error printing on this thread: parse errors of fetched pages are
 * expected and XPath syntax errors are reported through our own messages. */
void hv_xml_quiet(void);

/* The named value map, or NULL. */
const hv_valuemap *hv_source_map(const hv_source *src, const char *name);

/* The field spec of our field name, or NULL when the document does not have it. */
const hv_field_spec *hv_source_field(const hv_source *src, const char *name);

#endif
