/* Shared by the extractors of each kind (extract_html.c, extract_feed.c, extract_json.c,
 * extract_csv.c) and extract.c, which turns raw values into fields. Internal to the module. */
#ifndef SC_HV_EXTRACT_INT_H
#define SC_HV_EXTRACT_INT_H

#include <jansson.h>
#include <libxml/tree.h>
#include <libxml/xpath.h>

#include "core/buf.h"
#include "harvest/extract.h"
#include "harvest/source_int.h"

/* How to read the raw values of a path in one item (or one detail page). values appends at most
 * HV_LIST_MAX strings of at most HV_VALUE_MAX bytes each to out; returns 0, or -1 when out of
 * memory. */
typedef struct hv_reader {
    int (*values)(void *ctx, const hv_path *path, json_t *out);
    void *ctx;
    const char *base_url; /* the page's URL, for absolute_url */
} hv_reader;

/* Collects the items of a list page. */
typedef struct hv_list {
    const hv_source *src;
    const char *page_url;
    json_t *items; /* owned by the caller of the kind's function */
    long skipped;
} hv_list;

/* Reads one item through r and appends it to list (or counts it as skipped). feed_link and
 * feed_guid (may be NULL) are the item's link and guid/id for feeds, for the url and external_id
 * defaults. Returns 0, or -1 when out of memory. */
int hv_list_add_item(hv_list *list, const hv_reader *r, const char *feed_link,
                     const char *feed_guid) MUST_CHECK;

/* Evaluates every field of src whose from_detail equals from_detail into fields (and the values a
 * map dropped into unmapped, field → [values]). Returns 0, or -1 when out of memory. */
int hv_fields_eval(const hv_source *src, bool from_detail, const hv_reader *r, json_t *fields,
                   json_t *unmapped) MUST_CHECK;

/* The first non-empty raw value of path through r, trimmed: a new string, "" when none, NULL when
 * out of memory. */
char *hv_reader_first(const hv_reader *r, const hv_path *path);

/* The next list page named by path (pagination.next) read through r from the page's root: *out
 * is a new absolute URL, or NULL when the page names none. Returns 0, or -1 when out of memory. */
int hv_reader_next_url(const hv_reader *r, const hv_path *path, const char *page_url,
                       char **out) MUST_CHECK;

/* Evaluation steps of one XPath: a source's expressions are small, and this bounds what a
 * pathological page can cost. */
#define HV_XPATH_OP_LIMIT 5000000UL

/* An item of an XML or HTML document being read: the XPath context, and the node its paths are
 * evaluated from. */
typedef struct hv_xml_item {
    xmlXPathContextPtr ctx;
    xmlNodePtr node;
} hv_xml_item;

/* What one kind of XML document brings to hv_xml_list. */
typedef struct hv_xml_kind {
    int (*values)(void *item, const hv_path *path, json_t *out); /* item: an hv_xml_item */
    /* A feed item's link and id (guid), for the url and external_id defaults: new strings or
     * NULL. NULL for kinds without them. */
    void (*ids)(xmlNodePtr item, char **link, char **id);
    void (*prepare)(xmlXPathContextPtr ctx, xmlDocPtr doc); /* may be NULL: namespaces */
} hv_xml_kind;

/* The list page doc (borrowed) of an XML or HTML kind: every node items_expr selects is read
 * through kind, up to HV_MAX_ITEMS (the rest counted as skipped); then, with next-link
 * pagination, *next is read from the document's root. Returns 0, or -1 with err when out of
 * memory. */
int hv_xml_list(hv_list *list, xmlDocPtr doc, xmlXPathCompExprPtr items_expr,
                const hv_xml_kind *kind, char **next, char *err) MUST_CHECK;

/* Appends the n bytes of s to b, as much as fits under b's cap (cut at a character boundary). */
bool hv_buf_append_capped(buf_t *b, const char *s, size_t n) MUST_CHECK;

/* Appends s to out (a JSON array), cut to HV_VALUE_MAX bytes, unless out already has HV_LIST_MAX
 * values. Returns 0, or -1 when out of memory. */
int hv_values_add(json_t *out, const char *s, size_t n) MUST_CHECK;

/* The text of an XML/HTML node: attribute value, or the text of an element's descendants with a
 * line break around block elements, capped at HV_VALUE_MAX. Entity reference nodes are skipped
 * (never expanded). A new string, or NULL when out of memory. */
char *hv_node_text(xmlNodePtr node);

/* Values of an XPath result: node texts, or the string form of a number, string or boolean. */
int hv_xpath_values(xmlXPathContextPtr ctx, xmlNodePtr node, xmlXPathCompExprPtr expr,
                    json_t *out) MUST_CHECK;

/* Per kind: fill list->items and *next (a new absolute URL or NULL). -1 with err when the body
 * cannot be read at all. text is UTF-8, NUL-terminated. */
int hv_html_list(hv_list *list, const char *text, size_t len, char **next, char *err) MUST_CHECK;
int hv_feed_list(hv_list *list, const char *text, size_t len, char **next, char *err) MUST_CHECK;
int hv_json_list(hv_list *list, const char *text, size_t len, char **next, char *err) MUST_CHECK;
int hv_csv_list(hv_list *list, const char *text, size_t len, char *err) MUST_CHECK;

/* Detail pages: fields with "from": "detail" into fields/unmapped. */
int hv_html_detail(const hv_source *src, const char *url, const char *text, size_t len,
                   json_t *fields, json_t *unmapped, char *err) MUST_CHECK;
int hv_json_detail(const hv_source *src, const char *url, const char *text, size_t len,
                   json_t *fields, json_t *unmapped, char *err) MUST_CHECK;

#endif
