/* HTML pages: libxml2's forgiving HTML parser, XPath relative to each item. */
#include <libxml/HTMLparser.h>
#include <libxml/xpath.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "harvest/extract_int.h"

/* Nodes visited for one text value: bounds the walk on deep or huge pages. */
#define HV_TEXT_NODES_MAX 200000

static bool is_block(const xmlChar *name) {
    static const char *const blocks[] = {
            "p",  "div", "br", "li", "tr", "td", "th",      "h1",      "h2",         "h3",   "h4",
            "h5", "h6",  "ul", "ol", "dd", "dt", "section", "article", "blockquote", "table"};
    for (size_t i = 0; i < ARRAY_LEN(blocks); i++) {
        if (strcasecmp((const char *)name, blocks[i]) == 0)
            return true;
    }
    return false;
}

static bool ends_with_space(const buf_t *b) {
    return b->len == 0 || b->data[b->len - 1] == '\n' || b->data[b->len - 1] == ' ';
}

char *hv_node_text(xmlNodePtr node) {
    buf_t b;
    buf_init(&b, HV_VALUE_MAX);
    bool ok = true;
    if (node->type == XML_ATTRIBUTE_NODE || node->type == XML_TEXT_NODE ||
        node->type == XML_CDATA_SECTION_NODE || node->type == XML_COMMENT_NODE ||
        node->type == XML_PI_NODE) {
        if (node->type == XML_ATTRIBUTE_NODE) {
            for (xmlNodePtr c = node->children; c != NULL && ok; c = c->next) {
                if (c->content != NULL)
                    ok = hv_buf_append_capped(&b, (const char *)c->content,
                                              strlen((const char *)c->content));
            }
        } else if (node->content != NULL) {
            ok = hv_buf_append_capped(&b, (const char *)node->content,
                                      strlen((const char *)node->content));
        }
    } else if (node->type == XML_ELEMENT_NODE || node->type == XML_DOCUMENT_NODE ||
               node->type == XML_HTML_DOCUMENT_NODE) {
        /* Iterative walk of the descendants, without recursion (pages can nest deeply). */
        xmlNodePtr cur = node->children;
        long visited = 0;
        while (cur != NULL && ok && !b.toobig && visited++ < HV_TEXT_NODES_MAX) {
            if (cur->type == XML_TEXT_NODE || cur->type == XML_CDATA_SECTION_NODE) {
                if (cur->content != NULL)
                    ok = hv_buf_append_capped(&b, (const char *)cur->content,
                                              strlen((const char *)cur->content));
            } else if (cur->type == XML_ELEMENT_NODE) {
                const xmlChar *n = cur->name;
                if (n != NULL && (xmlStrcasecmp(n, BAD_CAST "script") == 0 ||
                                  xmlStrcasecmp(n, BAD_CAST "style") == 0)) {
                    goto next_sibling;
                }
                if (n != NULL && is_block(n) && !ends_with_space(&b))
                    ok = hv_buf_append_capped(&b, "\n", 1);
                if (cur->children != NULL) {
                    cur = cur->children;
                    continue;
                }
            }
        next_sibling:
            while (cur != NULL && cur->next == NULL) {
                cur = cur->parent;
                if (cur == node || cur == NULL) {
                    cur = NULL;
                    break;
                }
                if (cur->type == XML_ELEMENT_NODE && cur->name != NULL && is_block(cur->name) &&
                    !ends_with_space(&b))
                    ok = ok && hv_buf_append_capped(&b, "\n", 1);
            }
            if (cur != NULL)
                cur = cur->next;
        }
    }
    char *r = ok ? strdup(buf_cstr(&b)) : NULL;
    buf_free(&b);
    return r;
}

int hv_xpath_values(xmlXPathContextPtr ctx, xmlNodePtr node, xmlXPathCompExprPtr expr,
                    json_t *out) {
    ctx->node = node;
    ctx->opLimit = HV_XPATH_OP_LIMIT;
    ctx->opCount = 0;
    xmlXPathObjectPtr res = xmlXPathCompiledEval(expr, ctx);
    int rc = 0;
    if (res == NULL) /* an evaluation error (type error, limit): no value */
        return 0;
    char num[64];
    switch (res->type) {
    case XPATH_NODESET:
        for (int i = 0; res->nodesetval != NULL && i < res->nodesetval->nodeNr &&
                        json_array_size(out) < HV_LIST_MAX;
             i++) {
            char *t = hv_node_text(res->nodesetval->nodeTab[i]);
            if (t == NULL || hv_values_add(out, t, strlen(t)) != 0)
                rc = -1;
            free(t);
            if (rc != 0)
                break;
        }
        break;
    case XPATH_STRING:
        if (res->stringval != NULL)
            rc = hv_values_add(out, (const char *)res->stringval,
                               strlen((const char *)res->stringval));
        break;
    case XPATH_NUMBER:
        if (res->floatval == res->floatval) { /* not NaN */
            snprintf(num, sizeof num, "%.15g", res->floatval);
            rc = hv_values_add(out, num, strlen(num));
        }
        break;
    case XPATH_BOOLEAN:
        rc = hv_values_add(out, res->boolval ? "true" : "false", res->boolval ? 4 : 5);
        break;
    default:
        break;
    }
    xmlXPathFreeObject(res);
    return rc;
}

static int html_values(void *vctx, const hv_path *path, json_t *out) {
    hv_xml_item *it = vctx;
    if (path->expr == NULL)
        return 0;
    return hv_xpath_values(it->ctx, it->node, path->expr, out);
}

static htmlDocPtr html_parse(const char *text, size_t len, const char *url, char *err) {
    if (len > INT_MAX) {
        snprintf(err, HV_ERR_MAX, "page too large");
        return NULL;
    }
    /* The text is UTF-8 already: the page's own declaration must not be obeyed again. */
    htmlDocPtr doc =
            htmlReadMemory(text, (int)len, url, "UTF-8",
                           HTML_PARSE_RECOVER | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING |
                                   HTML_PARSE_NONET | HTML_PARSE_IGNORE_ENC | HTML_PARSE_COMPACT);
    if (doc == NULL)
        snprintf(err, HV_ERR_MAX, "page is not HTML");
    return doc;
}

static const hv_xml_kind html_kind = {.values = html_values};

int hv_html_list(hv_list *list, const char *text, size_t len, char **next, char *err) {
    *next = NULL;
    htmlDocPtr doc = html_parse(text, len, list->page_url, err);
    if (doc == NULL)
        return -1;
    int rc = hv_xml_list(list, doc, list->src->items.expr, &html_kind, next, err);
    xmlFreeDoc(doc);
    return rc;
}

int hv_html_detail(const hv_source *src, const char *url, const char *text, size_t len,
                   json_t *fields, json_t *unmapped, char *err) {
    xmlXPathContextPtr ctx = NULL;
    int rc = -1;
    htmlDocPtr doc = html_parse(text, len, url, err);
    if (doc == NULL)
        goto done;
    ctx = xmlXPathNewContext(doc);
    if (ctx == NULL) {
        snprintf(err, HV_ERR_MAX, "out of memory");
        goto done;
    }
    hv_xml_item it = {.ctx = ctx, .node = (xmlNodePtr)doc};
    hv_reader r = {.values = html_values, .ctx = &it, .base_url = url};
    if (hv_fields_eval(src, true, &r, fields, unmapped) != 0) {
        snprintf(err, HV_ERR_MAX, "out of memory");
        goto done;
    }
    rc = 0;
done:
    if (ctx)
        xmlXPathFreeContext(ctx);
    if (doc)
        xmlFreeDoc(doc);
    return rc;
}
