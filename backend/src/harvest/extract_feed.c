/* RSS 2.0 (and 1.0) and Atom feeds. The XML parser never loads a DTD nor substitutes entities
 * (no XML_PARSE_NOENT, no XML_PARSE_DTDLOAD) and never touches the network, so a feed cannot read
 * local files or make the harvester fetch anything (XXE). */
#include <libxml/parser.h>
#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harvest/extract_int.h"

static const struct {
    const char *prefix;
    const char *uri;
} known_ns[] = {
        {"atom", "http://www.w3.org/2005/Atom"},
        {"a", "http://www.w3.org/2005/Atom"},
        {"content", "http://purl.org/rss/1.0/modules/content/"},
        {"dc", "http://purl.org/dc/elements/1.1/"},
        {"media", "http://search.yahoo.com/mrss/"},
        {"rdf", "http://www.w3.org/1999/02/22-rdf-syntax-ns#"},
        {"rss", "http://purl.org/rss/1.0/"},
        {"georss", "http://www.georss.org/georss"},
        {"geo", "http://www.w3.org/2003/01/geo/wgs84_pos#"},
};

static const char *known_uri(const char *prefix, size_t n) {
    for (size_t i = 0; i < ARRAY_LEN(known_ns); i++) {
        if (strlen(known_ns[i].prefix) == n && strncmp(known_ns[i].prefix, prefix, n) == 0)
            return known_ns[i].uri;
    }
    return NULL;
}

/* Does element e have the name written in path ("title", "content:encoded")? Without a prefix,
 * only elements with no prefix match (so "title" is not "media:title"); with one, the document's
 * prefix or the well-known namespace of that prefix. */
static bool name_matches(xmlNodePtr e, const char *name) {
    if (e->type != XML_ELEMENT_NODE || e->name == NULL)
        return false;
    const char *colon = strchr(name, ':');
    const char *local = colon ? colon + 1 : name;
    if (strcmp((const char *)e->name, local) != 0)
        return false;
    if (colon == NULL)
        return e->ns == NULL || e->ns->prefix == NULL;
    if (e->ns == NULL)
        return false;
    size_t plen = (size_t)(colon - name);
    if (e->ns->prefix != NULL && strlen((const char *)e->ns->prefix) == plen &&
        strncmp((const char *)e->ns->prefix, name, plen) == 0)
        return true;
    const char *uri = known_uri(name, plen);
    return uri != NULL && e->ns->href != NULL && strcmp((const char *)e->ns->href, uri) == 0;
}

/* The value of one element of an item: its text; else, for empty elements such as Atom's
 * <link href>, <category term> or <media:content url>, the attribute that carries it; for an Atom
 * person (<author><name>), the name. */
static char *element_value(xmlNodePtr e) {
    for (xmlNodePtr c = e->children; c != NULL; c = c->next) {
        if (c->type == XML_ELEMENT_NODE && c->name != NULL &&
            strcmp((const char *)c->name, "name") == 0)
            return hv_node_text(c);
    }
    char *t = hv_node_text(e);
    if (t == NULL)
        return NULL;
    char *trimmed = hv_text_trim(t);
    free(t);
    if (trimmed == NULL || trimmed[0] != '\0')
        return trimmed;
    static const char *const attrs[] = {"href", "term", "url", "label"};
    for (size_t i = 0; i < ARRAY_LEN(attrs); i++) {
        xmlChar *v = xmlGetNoNsProp(e, BAD_CAST attrs[i]);
        if (v != NULL) {
            free(trimmed);
            char *r = strdup((const char *)v);
            xmlFree(v);
            return r;
        }
    }
    return trimmed;
}

/* Atom has several <link>s: the page of the entry is rel="alternate" or no rel at all. */
static bool is_alternate_link(xmlNodePtr e) {
    xmlChar *rel = xmlGetNoNsProp(e, BAD_CAST "rel");
    bool alt = rel == NULL || strcmp((const char *)rel, "alternate") == 0;
    xmlFree(rel);
    return alt;
}

static int child_values(xmlNodePtr item, const char *name, json_t *out) {
    bool is_link = strcmp(name, "link") == 0;
    for (int pass = 0; pass < (is_link ? 2 : 1); pass++) {
        for (xmlNodePtr c = item->children; c != NULL; c = c->next) {
            if (!name_matches(c, name))
                continue;
            if (is_link && pass == 0 && !is_alternate_link(c))
                continue;
            if (is_link && pass == 1 && is_alternate_link(c))
                continue;
            char *v = element_value(c);
            if (v == NULL || hv_values_add(out, v, strlen(v)) != 0) {
                free(v);
                return -1;
            }
            free(v);
        }
    }
    return 0;
}

static int feed_values(void *vctx, const hv_path *path, json_t *out) {
    hv_xml_item *it = vctx;
    if (path->simple_name)
        return child_values(it->node, path->text, out);
    if (path->expr == NULL)
        return 0;
    return hv_xpath_values(it->ctx, it->node, path->expr, out);
}

static char *first_child_value(xmlNodePtr item, const char *name) {
    json_t *vals = json_array();
    char *r = NULL;
    if (vals != NULL && child_values(item, name, vals) == 0) {
        size_t i;
        json_t *v;
        json_array_foreach(vals, i, v) {
            if (json_string_length(v) > 0) {
                r = hv_text_trim(json_string_value(v));
                break;
            }
        }
    }
    json_decref(vals);
    return r;
}

static void register_namespaces(xmlXPathContextPtr ctx, xmlDocPtr doc) {
    for (size_t i = 0; i < ARRAY_LEN(known_ns); i++)
        xmlXPathRegisterNs(ctx, BAD_CAST known_ns[i].prefix, BAD_CAST known_ns[i].uri);
    /* The feed's own prefixes, declared on its root, so paths can use them as written. */
    xmlNodePtr root = xmlDocGetRootElement(doc);
    for (xmlNsPtr ns = root ? root->nsDef : NULL; ns != NULL; ns = ns->next) {
        if (ns->prefix != NULL && ns->href != NULL)
            xmlXPathRegisterNs(ctx, ns->prefix, ns->href);
    }
}

/* RSS <link> and <guid>; Atom <link href> (the alternate one first) and <id>. */
static void feed_ids(xmlNodePtr item, char **link, char **id) {
    *link = first_child_value(item, "link");
    *id = first_child_value(item, "guid");
    if (*id == NULL || (*id)[0] == '\0') {
        free(*id);
        *id = first_child_value(item, "id");
    }
}

static const hv_xml_kind feed_kind = {
        .values = feed_values, .ids = feed_ids, .prepare = register_namespaces};

int hv_feed_list(hv_list *list, const char *text, size_t len, char **next, char *err) {
    xmlXPathCompExprPtr items_expr = NULL;
    xmlDocPtr doc = NULL;
    int rc = -1;
    *next = NULL;
    if (len > INT_MAX) {
        snprintf(err, HV_ERR_MAX, "feed too large");
        goto done;
    }
    doc = xmlReadMemory(text, (int)len, list->page_url, "UTF-8",
                        XML_PARSE_RECOVER | XML_PARSE_NONET | XML_PARSE_NOERROR |
                                XML_PARSE_NOWARNING | XML_PARSE_IGNORE_ENC | XML_PARSE_NOCDATA |
                                XML_PARSE_COMPACT);
    if (doc == NULL || xmlDocGetRootElement(doc) == NULL) {
        snprintf(err, HV_ERR_MAX, "not an XML feed");
        goto done;
    }
    items_expr = xmlXPathCompile(BAD_CAST "//*[local-name()='item' or local-name()='entry']");
    if (items_expr == NULL) {
        snprintf(err, HV_ERR_MAX, "out of memory");
        goto done;
    }
    rc = hv_xml_list(list, doc, items_expr, &feed_kind, next, err);
done:
    if (items_expr)
        xmlXPathFreeCompExpr(items_expr);
    if (doc)
        xmlFreeDoc(doc);
    return rc;
}
