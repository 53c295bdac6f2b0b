#include "domain/query.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/utf8.h"

/* The tree lives in a few chunks freed together: a parse that fails half-way then needs no
 * unwinding, and a query is one free. The cap is far above what QUERY_MAX_BYTES of text can
 * produce; it only guards against a bug turning into unbounded allocation. */
#define CHUNK_MIN     4096
#define ARENA_MAX     (256 * 1024)
#define EXCERPT_CHARS 40 /* characters of the user's text quoted back in a message */

/* Fixed-point scales: coordinates are kept to 1e-7 degree (about a centimetre), radii to the
 * millimetre; digits beyond are dropped, so every accepted number prints back exactly. */
#define COORD_SCALE   7
#define COORD_UNIT    10000000LL
#define INT_DIGITS    10 /* integer digits read before a number counts as out of range */
#define RADIUS_MAX_MM 500000000LL

#define FIELD_LIST \
    "theme, subtheme, actor, public, scale, stage, source, territory, year, near, bbox"

typedef struct chunk {
    struct chunk *next;
    size_t used;
    size_t cap;
    max_align_t data[];
} chunk_t;

struct query {
    query_node_t *root;
    size_t nterms;
    bool plain;
    chunk_t *chunks;
    size_t allocated;
};

typedef struct parser {
    const char *s;
    size_t len;
    size_t pos;
    int depth;
    query_t *q;
    query_error_t *err;
    query_status status; /* QUERY_OK until the first failure, which alone is reported */
} parser_t;

typedef enum tok {
    TOK_END,
    TOK_OPEN,
    TOK_CLOSE,
    TOK_OR,
    TOK_TERM,
} tok;

/* Where a field's value lies: [start, end) is its content, at where it begins as typed. */
typedef struct span {
    size_t at;
    size_t start;
    size_t end;
} span_t;

static const struct {
    const char *name;
    query_field field;
} fields[] = {
        {"theme", QUERY_FIELD_THEME},         {"subtheme", QUERY_FIELD_SUBTHEME},
        {"actor", QUERY_FIELD_ACTOR},         {"actor_type", QUERY_FIELD_ACTOR},
        {"public", QUERY_FIELD_PUBLIC},       {"scale", QUERY_FIELD_SCALE},
        {"stage", QUERY_FIELD_STAGE},         {"source", QUERY_FIELD_SOURCE},
        {"territory", QUERY_FIELD_TERRITORY}, {"year", QUERY_FIELD_YEAR},
        {"near", QUERY_FIELD_NEAR},           {"bbox", QUERY_FIELD_BBOX},
};

/* ---- memory ---- */

static void *arena_alloc(query_t *q, size_t n) {
    size_t align = sizeof(max_align_t);
    n = (n + align - 1) / align * align;
    if (n == 0)
        n = align;
    chunk_t *c = q->chunks;
    if (c == NULL || c->cap - c->used < n) {
        size_t cap = n > CHUNK_MIN ? n : CHUNK_MIN;
        if (cap > ARENA_MAX - q->allocated)
            return NULL;
        c = malloc(sizeof *c + cap);
        if (c == NULL)
            return NULL;
        c->next = q->chunks;
        c->used = 0;
        c->cap = cap;
        q->chunks = c;
        q->allocated += cap;
    }
    void *p = (char *)c->data + c->used;
    c->used += n;
    memset(p, 0, n);
    return p;
}

/* ---- characters ---- */

/* Bytes of an opening quote at s[i], 0 when there is none: the ASCII one, and the « and “ that
 * French keyboards and phones put in its place. */
static size_t quote_open_len(const char *s, size_t len, size_t i) {
    const unsigned char *u = (const unsigned char *)s + i;
    size_t left = len - i;
    if (left >= 1 && u[0] == '"')
        return 1;
    if (left >= 2 && u[0] == 0xC2 && u[1] == 0xAB)
        return 2; /* « */
    if (left >= 3 && u[0] == 0xE2 && u[1] == 0x80 && u[2] == 0x9C)
        return 3; /* “ */
    return 0;
}

/* Finds the quote closing the one of qlen bytes at s[open]: '"' closes any of them, » closes «
 * and ” closes “. Sets *close and *clen; false when the text ends first. */
static bool quote_close(const char *s, size_t len, size_t open, size_t qlen, size_t *close,
                        size_t *clen) {
    const unsigned char *u = (const unsigned char *)s;
    for (size_t i = open + qlen; i < len; i++) {
        if (u[i] == '"') {
            *close = i;
            *clen = 1;
            return true;
        }
        if (qlen == 2 && i + 1 < len && u[i] == 0xC2 && u[i + 1] == 0xBB) {
            *close = i;
            *clen = 2;
            return true;
        }
        if (qlen == 3 && i + 2 < len && u[i] == 0xE2 && u[i + 1] == 0x80 && u[i + 2] == 0x9D) {
            *close = i;
            *clen = 3;
            return true;
        }
    }
    return false;
}

/* True when s[i] ends a bare word or value: a space, a parenthesis, '|', an opening quote, and
 * for a field's values also ','. */
static bool ends_bare(const char *s, size_t len, size_t i, bool comma) {
    char c = s[i];
    return c == '(' || c == ')' || c == '|' || (comma && c == ',') ||
           utf8_space_len(s + i, len - i) > 0 || quote_open_len(s, len, i) > 0;
}

static bool is_cont(unsigned char c) {
    return (c & 0xC0) == 0x80;
}

static bool is_digit(char c) {
    return c >= '0' && c <= '9';
}

static char lower(char c) {
    return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

static bool eq_nocase(const char *a, size_t n, const char *b) {
    if (strlen(b) != n)
        return false;
    for (size_t i = 0; i < n; i++)
        if (lower(a[i]) != b[i])
            return false;
    return true;
}

size_t query_column(const char *text, size_t len, size_t offset) {
    size_t col = 1;
    if (offset > len)
        offset = len;
    for (size_t i = 0; i < offset; i++)
        if (!is_cont((unsigned char)text[i]))
            col++;
    return col;
}

/* Copies at most EXCERPT_CHARS characters of s[0..n) into out, with "…" when cut, so that a
 * message quoting the user's text stays short. */
static void excerpt(const char *s, size_t n, char *out, size_t outlen) {
    size_t chars = 0, i = 0;
    while (i < n && chars < EXCERPT_CHARS) {
        i++;
        while (i < n && is_cont((unsigned char)s[i]))
            i++;
        chars++;
    }
    snprintf(out, outlen, "%.*s%s", (int)i, s, i < n ? "…" : "");
}

/* ---- errors ---- */

static void fail(parser_t *p, size_t offset, query_errcode code, const char *fmt, ...)
        PRINTF_LIKE(4, 5);

static void fail(parser_t *p, size_t offset, query_errcode code, const char *fmt, ...) {
    if (p->status != QUERY_OK)
        return;
    query_error_t *e = p->err;
    p->status = QUERY_INVALID;
    e->code = code;
    e->offset = offset > p->len ? p->len : offset;
    e->column = query_column(p->s, p->len, e->offset);
    char what[QUERY_MESSAGE_MAX - 32];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    /* A message cut by the buffer could end inside a character: drop the partial one. */
    size_t n = strlen(what);
    if (n == sizeof what - 1) {
        while (n > 0 && is_cont((unsigned char)what[n - 1]))
            n--;
        if (n > 0 && (unsigned char)what[n - 1] >= 0xC0)
            n--;
        what[n] = '\0';
    }
    snprintf(e->message, sizeof e->message, "%s (colonne %zu)", what, e->column);
}

static void fail_nomem(parser_t *p) {
    if (p->status != QUERY_OK)
        return;
    p->status = QUERY_NO_MEMORY;
    p->err->code = QUERY_E_NONE;
    snprintf(p->err->message, sizeof p->err->message, "Mémoire insuffisante");
}

static void fail_complex(parser_t *p, size_t offset) {
    fail(p, offset, QUERY_E_TOO_COMPLEX, "Requête trop longue ou trop complexe");
}

/* The arena ran out: a bug or malloc failing; either way not the user's fault. */
static void *alloc(parser_t *p, size_t n) {
    void *r = arena_alloc(p->q, n);
    if (r == NULL)
        fail_nomem(p);
    return r;
}

/* ---- building nodes ---- */

static query_node_t *new_node(parser_t *p, query_kind kind, size_t offset) {
    query_node_t *n = alloc(p, sizeof *n);
    if (n == NULL)
        return NULL;
    n->kind = kind;
    n->offset = offset;
    return n;
}

/* A copy of s[start, end) with every run of spaces made one ' ' and none at either end: how
 * phrases and quoted values are kept, so that equal queries print equal. */
static char *copy_collapsed(parser_t *p, size_t start, size_t end) {
    char *out = alloc(p, end - start + 1);
    if (out == NULL)
        return NULL;
    size_t n = 0;
    bool pending = false;
    size_t i = start;
    while (i < end) {
        size_t sl = utf8_space_len(p->s + i, end - i);
        if (sl > 0) {
            pending = n > 0;
            i += sl;
            continue;
        }
        if (pending)
            out[n++] = ' ';
        pending = false;
        out[n++] = p->s[i++];
    }
    out[n] = '\0';
    return out;
}

/* Appends child to kids, or its children when it is already of the list's kind: (a b) c and
 * a (b c) are both AND(a, b, c). */
static bool add_child(parser_t *p, query_node_t **kids, size_t *n, query_node_t *child,
                      query_kind kind) {
    if (child->kind != kind) {
        if (*n == QUERY_MAX_TERMS) {
            fail_complex(p, child->offset);
            return false;
        }
        kids[(*n)++] = child;
        return true;
    }
    for (size_t i = 0; i < child->nchildren; i++)
        if (!add_child(p, kids, n, child->children[i], kind))
            return false;
    return true;
}

static query_node_t *make_list(parser_t *p, query_kind kind, query_node_t **kids, size_t n) {
    if (n == 1)
        return kids[0];
    query_node_t *node = new_node(p, kind, kids[0]->offset);
    query_node_t **arr = alloc(p, n * sizeof *arr);
    if (node == NULL || arr == NULL)
        return NULL;
    memcpy(arr, kids, n * sizeof *arr);
    node->children = arr;
    node->nchildren = n;
    return node;
}

static bool count_term(parser_t *p, size_t offset) {
    if (p->q->nterms == QUERY_MAX_TERMS) {
        fail_complex(p, offset);
        return false;
    }
    p->q->nterms++;
    return true;
}

static bool enter(parser_t *p, size_t offset) {
    if (p->depth == QUERY_MAX_DEPTH) {
        fail_complex(p, offset);
        return false;
    }
    p->depth++;
    return true;
}

/* ---- tokens ---- */

static void skip_space(parser_t *p) {
    size_t sl;
    while ((sl = utf8_space_len(p->s + p->pos, p->len - p->pos)) > 0)
        p->pos += sl;
}

/* OR must be upper case and stand alone: "or" is a French word (bijoux en or). */
static bool or_keyword_at(const parser_t *p, size_t i) {
    return i + 1 < p->len && p->s[i] == 'O' && p->s[i + 1] == 'R' &&
           (i + 2 == p->len || ends_bare(p->s, p->len, i + 2, false));
}

static tok peek(parser_t *p) {
    skip_space(p);
    if (p->pos >= p->len)
        return TOK_END;
    char c = p->s[p->pos];
    if (c == '(')
        return TOK_OPEN;
    if (c == ')')
        return TOK_CLOSE;
    if (c == '|' || or_keyword_at(p, p->pos))
        return TOK_OR;
    return TOK_TERM;
}

/* ---- field values ---- */

/* Reads one value at p->pos: quoted (anything up to the closing quote) or bare (up to a space, a
 * parenthesis, '|', a quote, and ',' when comma). A missing or empty value is an error naming
 * what came before it, from field_at. */
static bool read_span(parser_t *p, size_t field_at, bool comma, span_t *sp) {
    size_t at = p->pos;
    size_t ql = at < p->len ? quote_open_len(p->s, p->len, at) : 0;
    sp->at = at;
    if (ql > 0) {
        size_t close, clen;
        if (!quote_close(p->s, p->len, at, ql, &close, &clen)) {
            fail(p, at, QUERY_E_QUOTE, "Guillemet non fermé");
            return false;
        }
        sp->start = at + ql;
        sp->end = close;
        p->pos = close + clen;
        size_t sl;
        while (sp->start < sp->end &&
               (sl = utf8_space_len(p->s + sp->start, sp->end - sp->start)) > 0)
            sp->start += sl;
    } else {
        size_t e = at;
        while (e < p->len && !ends_bare(p->s, p->len, e, comma))
            e++;
        sp->start = at;
        sp->end = e;
        p->pos = e;
    }
    if (sp->start == sp->end) {
        char ex[EXCERPT_CHARS * 4 + 8];
        excerpt(p->s + field_at, at - field_at, ex, sizeof ex);
        fail(p, at, QUERY_E_VALUE, "Valeur manquante après « %s »", ex);
        return false;
    }
    return true;
}

/* Reads -?D+(.D+)? in s[a, b) as a fixed-point integer with scale decimals (further ones are
 * dropped). *big is set when it has more than INT_DIGITS integer digits, which no accepted
 * value has. False when the syntax is wrong. */
static bool parse_fixed(const char *s, size_t a, size_t b, int scale, bool sign, int64_t *out,
                        bool *big) {
    bool neg = false;
    int64_t v = 0;
    size_t i = a, digits = 0;
    *big = false;
    if (sign && i < b && s[i] == '-') {
        neg = true;
        i++;
    }
    for (; i < b && is_digit(s[i]); i++, digits++)
        if (digits < INT_DIGITS)
            v = v * 10 + (s[i] - '0');
        else
            *big = true;
    if (digits == 0)
        return false;
    int frac = 0;
    if (i < b && s[i] == '.') {
        i++;
        size_t start = i;
        for (; i < b && is_digit(s[i]); i++)
            if (frac < scale) {
                v = v * 10 + (s[i] - '0');
                frac++;
            }
        if (i == start)
            return false;
    }
    if (i != b)
        return false;
    for (; frac < scale; frac++)
        v *= 10;
    *out = neg ? -v : v;
    return true;
}

/* Splits s[a, b) at commas into at most max parts, each trimmed of spaces (only a quoted value
 * can hold any). Returns the number of parts, or max + 1 when there are more. */
static size_t split_commas(const char *s, size_t a, size_t b, span_t *parts, size_t max) {
    size_t n = 0, i = a;
    for (;;) {
        size_t e = i;
        while (e < b && s[e] != ',')
            e++;
        if (n == max)
            return max + 1;
        size_t st = i, en = e, sl;
        while (st < en && (sl = utf8_space_len(s + st, en - st)) > 0)
            st += sl;
        while (en > st) {
            size_t back = en - 1;
            while (back > st && is_cont((unsigned char)s[back]))
                back--;
            if (utf8_space_len(s + back, en - back) != en - back)
                break;
            en = back;
        }
        parts[n].at = st;
        parts[n].start = st;
        parts[n].end = en;
        n++;
        if (e == b)
            return n;
        i = e + 1;
    }
}

/* A coordinate of a near: or bbox: value; what names it in messages ("Latitude"…). */
static bool parse_coord(parser_t *p, const span_t *sp, const char *what, int64_t limit,
                        int64_t *out) {
    char ex[EXCERPT_CHARS * 4 + 8];
    bool big;
    if (sp->start == sp->end) {
        fail(p, sp->start, QUERY_E_VALUE, "%s manquante", what);
        return false;
    }
    excerpt(p->s + sp->start, sp->end - sp->start, ex, sizeof ex);
    if (!parse_fixed(p->s, sp->start, sp->end, COORD_SCALE, true, out, &big)) {
        fail(p, sp->start, QUERY_E_VALUE, "%s invalide « %s »", what, ex);
        return false;
    }
    if (big || *out > limit * COORD_UNIT || *out < -limit * COORD_UNIT) {
        fail(p, sp->start, QUERY_E_VALUE, "%s hors limites : %s", what, ex);
        return false;
    }
    return true;
}

static bool parse_radius(parser_t *p, const span_t *sp, double *out) {
    const char *s = p->s;
    char ex[EXCERPT_CHARS * 4 + 8];
    size_t num_end = sp->start;
    while (num_end < sp->end && (is_digit(s[num_end]) || s[num_end] == '.'))
        num_end++;
    size_t unit = num_end, sl;
    while (unit < sp->end && (sl = utf8_space_len(s + unit, sp->end - unit)) > 0)
        unit += sl;
    int scale = -1;
    const char *uname = "";
    if (eq_nocase(s + unit, sp->end - unit, "km")) {
        scale = 6;
        uname = "km";
    } else if (eq_nocase(s + unit, sp->end - unit, "m")) {
        scale = 3;
        uname = "m";
    }
    int64_t mm;
    bool big;
    if (sp->start == sp->end) {
        fail(p, sp->start, QUERY_E_VALUE, "Rayon manquant");
        return false;
    }
    excerpt(s + sp->start, sp->end - sp->start, ex, sizeof ex);
    if (scale < 0 || !parse_fixed(s, sp->start, num_end, scale, false, &mm, &big)) {
        fail(p, sp->start, QUERY_E_VALUE,
             "Rayon invalide « %s » : un nombre suivi de km ou m, par exemple 10km", ex);
        return false;
    }
    excerpt(s + sp->start, num_end - sp->start, ex, sizeof ex);
    if (big || mm > RADIUS_MAX_MM) {
        fail(p, sp->start, QUERY_E_VALUE, "Rayon trop grand : %s %s (maximum 500 km)", ex, uname);
        return false;
    }
    if (mm == 0) {
        fail(p, sp->start, QUERY_E_VALUE, "Le rayon doit être positif : %s %s", ex, uname);
        return false;
    }
    *out = (double)mm / 1000.0;
    return true;
}

static bool parse_near(parser_t *p, size_t field_at, query_node_t *n) {
    span_t sp, parts[3];
    int64_t lat, lon;
    if (!read_span(p, field_at, false, &sp))
        return false;
    if (split_commas(p->s, sp.start, sp.end, parts, 3) != 3) {
        fail(p, sp.at, QUERY_E_VALUE,
             "near attend latitude,longitude,rayon, par exemple near:45.76,4.83,10km");
        return false;
    }
    if (!parse_coord(p, &parts[0], "Latitude", 90, &lat) ||
        !parse_coord(p, &parts[1], "Longitude", 180, &lon) ||
        !parse_radius(p, &parts[2], &n->near.radius_m))
        return false;
    /* Dividing two integers that doubles hold exactly rounds correctly, so the text prints back. */
    n->near.lat = (double)lat / (double)COORD_UNIT;
    n->near.lon = (double)lon / (double)COORD_UNIT;
    return true;
}

static bool parse_bbox(parser_t *p, size_t field_at, query_node_t *n) {
    static const char *const what[4] = {"Longitude", "Latitude", "Longitude", "Latitude"};
    span_t sp, parts[4];
    int64_t v[4];
    if (!read_span(p, field_at, false, &sp))
        return false;
    if (split_commas(p->s, sp.start, sp.end, parts, 4) != 4) {
        fail(p, sp.at, QUERY_E_VALUE,
             "bbox attend minLon,minLat,maxLon,maxLat, par exemple bbox:4.7,45.6,5.0,45.9");
        return false;
    }
    for (int i = 0; i < 4; i++)
        if (!parse_coord(p, &parts[i], what[i], i % 2 ? 90 : 180, &v[i]))
            return false;
    if (v[0] >= v[2]) {
        fail(p, sp.at, QUERY_E_VALUE, "bbox invalide : minLon doit être inférieure à maxLon");
        return false;
    }
    if (v[1] >= v[3]) {
        fail(p, sp.at, QUERY_E_VALUE, "bbox invalide : minLat doit être inférieure à maxLat");
        return false;
    }
    n->bbox.min_lon = (double)v[0] / (double)COORD_UNIT;
    n->bbox.min_lat = (double)v[1] / (double)COORD_UNIT;
    n->bbox.max_lon = (double)v[2] / (double)COORD_UNIT;
    n->bbox.max_lat = (double)v[3] / (double)COORD_UNIT;
    return true;
}

/* Four digits, the first not 0. */
static bool parse_year(const char *s, size_t a, size_t b, int *out) {
    if (b - a != 4 || s[a] == '0')
        return false;
    int y = 0;
    for (size_t i = a; i < b; i++) {
        if (!is_digit(s[i]))
            return false;
        y = y * 10 + (s[i] - '0');
    }
    *out = y;
    return true;
}

static bool parse_years_value(parser_t *p, const span_t *sp, query_years_t *out) {
    const char *s = p->s;
    char ex[EXCERPT_CHARS * 4 + 8];
    size_t dots = sp->start;
    while (dots + 1 < sp->end && !(s[dots] == '.' && s[dots + 1] == '.'))
        dots++;
    bool range = dots + 1 < sp->end;
    bool ok;
    out->from = out->to = 0;
    if (!range) {
        ok = parse_year(s, sp->start, sp->end, &out->from);
        out->to = out->from;
    } else {
        ok = (dots > sp->start || dots + 2 < sp->end) &&
             (dots == sp->start || parse_year(s, sp->start, dots, &out->from)) &&
             (dots + 2 == sp->end || parse_year(s, dots + 2, sp->end, &out->to));
    }
    excerpt(s + sp->start, sp->end - sp->start, ex, sizeof ex);
    if (!ok) {
        fail(p, sp->at, QUERY_E_VALUE,
             "Année invalide « %s » : par exemple year:2015, year:2015..2020 ou year:..2010", ex);
        return false;
    }
    if (out->from != 0 && out->to != 0 && out->from > out->to) {
        fail(p, sp->at, QUERY_E_VALUE, "Intervalle d'années invalide « %s »", ex);
        return false;
    }
    return true;
}

/* theme:ENV,SAN, territory:69,"commune:69123", year:2015,2018..2020. */
static bool parse_value_list(parser_t *p, size_t field_at, query_node_t *n) {
    query_value_t vals[QUERY_MAX_VALUES];
    query_years_t years[QUERY_MAX_VALUES];
    size_t count = 0;
    bool is_year = n->field == QUERY_FIELD_YEAR;
    for (;;) {
        span_t sp;
        if (!read_span(p, field_at, true, &sp))
            return false;
        if (count == QUERY_MAX_VALUES) {
            fail(p, sp.at, QUERY_E_TOO_COMPLEX, "Trop de valeurs pour « %s » : %d au plus",
                 query_field_name(n->field), QUERY_MAX_VALUES);
            return false;
        }
        if (is_year) {
            if (!parse_years_value(p, &sp, &years[count]))
                return false;
        } else {
            vals[count].offset = sp.at;
            vals[count].text = copy_collapsed(p, sp.start, sp.end);
            if (vals[count].text == NULL)
                return false;
        }
        count++;
        if (p->pos >= p->len || p->s[p->pos] != ',')
            break;
        p->pos++;
    }
    if (is_year) {
        query_years_t *arr = alloc(p, count * sizeof *arr);
        if (arr == NULL)
            return false;
        memcpy(arr, years, count * sizeof *arr);
        n->years = arr;
        n->nyears = count;
    } else {
        query_value_t *arr = alloc(p, count * sizeof *arr);
        if (arr == NULL)
            return false;
        memcpy(arr, vals, count * sizeof *arr);
        n->values = arr;
        n->nvalues = count;
    }
    return true;
}

/* ---- grammar ----
 *   query   := or END
 *   or      := and ( OR and )*
 *   and     := unary+
 *   unary   := '-' unary | primary
 *   primary := '(' or ')' | PHRASE | FIELD | WORD
 * A function returns NULL with p->status still QUERY_OK when no term starts where it looks. */

static query_node_t *parse_or(parser_t *p);

static query_field field_lookup(const char *name, size_t n) {
    for (size_t i = 0; i < ARRAY_LEN(fields); i++)
        if (eq_nocase(name, n, fields[i].name))
            return fields[i].field;
    return 0;
}

static query_node_t *parse_field(parser_t *p, size_t at, size_t name_end, query_field f) {
    if (!count_term(p, at))
        return NULL;
    query_node_t *n = new_node(p, QUERY_FIELD, at);
    if (n == NULL)
        return NULL;
    n->field = f;
    p->pos = name_end + 1;
    p->q->plain = false;
    bool ok;
    if (f == QUERY_FIELD_NEAR)
        ok = parse_near(p, at, n);
    else if (f == QUERY_FIELD_BBOX)
        ok = parse_bbox(p, at, n);
    else
        ok = parse_value_list(p, at, n);
    return ok ? n : NULL;
}

static query_node_t *parse_phrase(parser_t *p, size_t qlen) {
    size_t at = p->pos, close, clen;
    if (!quote_close(p->s, p->len, at, qlen, &close, &clen)) {
        fail(p, at, QUERY_E_QUOTE, "Guillemet non fermé");
        return NULL;
    }
    char *text = copy_collapsed(p, at + qlen, close);
    if (text == NULL)
        return NULL;
    if (text[0] == '\0') {
        fail(p, at, QUERY_E_QUOTE, "Rien entre les guillemets");
        return NULL;
    }
    if (!count_term(p, at))
        return NULL;
    query_node_t *n = new_node(p, QUERY_PHRASE, at);
    if (n == NULL)
        return NULL;
    n->text = text;
    p->pos = close + clen;
    p->q->plain = false;
    return n;
}

static query_node_t *parse_word(parser_t *p) {
    size_t at = p->pos, end = at;
    while (end < p->len && !ends_bare(p->s, p->len, end, false))
        end++;
    if (!count_term(p, at))
        return NULL;
    query_node_t *n = new_node(p, QUERY_WORD, at);
    char *text = alloc(p, end - at + 1);
    if (n == NULL || text == NULL)
        return NULL;
    memcpy(text, p->s + at, end - at);
    text[end - at] = '\0';
    n->text = text;
    p->pos = end;
    if (eq_nocase(text, end - at, "or"))
        p->q->plain = false;
    return n;
}

static query_node_t *parse_group(parser_t *p) {
    size_t at = p->pos;
    if (!enter(p, at))
        return NULL;
    p->pos++;
    query_node_t *n = parse_or(p);
    if (p->status != QUERY_OK)
        return NULL;
    if (peek(p) != TOK_CLOSE) {
        fail(p, at, QUERY_E_PARENTHESIS, "Parenthèse ouvrante sans parenthèse fermante");
        return NULL;
    }
    if (n == NULL) {
        fail(p, at, QUERY_E_PARENTHESIS, "Parenthèses vides");
        return NULL;
    }
    p->pos++;
    p->depth--;
    return n;
}

static query_node_t *parse_primary(parser_t *p) {
    size_t at = p->pos;
    if (p->s[at] == '(')
        return parse_group(p);
    size_t qlen = quote_open_len(p->s, p->len, at);
    if (qlen > 0)
        return parse_phrase(p, qlen);
    /* ASCII letters then ':' name a field. An unknown name is an error rather than a word, so
     * that a misspelt field is not silently searched as text; only a web address (https://…)
     * stays a word. */
    size_t e = at;
    while (e < p->len && ((p->s[e] >= 'a' && p->s[e] <= 'z') ||
                          (p->s[e] >= 'A' && p->s[e] <= 'Z') || p->s[e] == '_'))
        e++;
    if (e == at || e == p->len || p->s[e] != ':')
        return parse_word(p);
    query_field f = field_lookup(p->s + at, e - at);
    if (f != 0)
        return parse_field(p, at, e, f);
    if (e + 2 < p->len && p->s[e + 1] == '/' && p->s[e + 2] == '/')
        return parse_word(p);
    char ex[EXCERPT_CHARS * 4 + 8];
    excerpt(p->s + at, e - at, ex, sizeof ex);
    fail(p, at, QUERY_E_UNKNOWN_FIELD, "Champ inconnu « %s » : champs possibles : %s", ex,
         FIELD_LIST);
    return NULL;
}

static void fail_dash(parser_t *p, size_t at) {
    fail(p, at, QUERY_E_OPERATOR, "Signe « - » sans terme à exclure");
}

static query_node_t *parse_unary(parser_t *p) {
    size_t at = p->pos;
    if (p->s[at] != '-')
        return parse_primary(p);
    size_t next = at + 1;
    if (next == p->len || p->s[next] == ')' || p->s[next] == '|') {
        fail_dash(p, at);
        return NULL;
    }
    if (utf8_space_len(p->s + next, p->len - next) > 0) {
        /* A dash between words ("Lyon - Villeurbanne") is punctuation, not an exclusion; one
         * that nothing follows is a mistake. */
        p->pos = next;
        tok t = peek(p);
        if (t != TOK_TERM && t != TOK_OPEN)
            fail_dash(p, at);
        return NULL;
    }
    if (!enter(p, at))
        return NULL;
    p->pos = next;
    query_node_t *child = parse_unary(p);
    if (p->status != QUERY_OK)
        return NULL;
    if (child == NULL) {
        fail_dash(p, at);
        return NULL;
    }
    p->depth--;
    query_node_t *n = new_node(p, QUERY_NOT, at);
    query_node_t **arr = alloc(p, sizeof *arr);
    if (n == NULL || arr == NULL)
        return NULL;
    arr[0] = child;
    n->children = arr;
    n->nchildren = 1;
    p->q->plain = false;
    return n;
}

static query_node_t *parse_and(parser_t *p) {
    query_node_t *kids[QUERY_MAX_TERMS];
    size_t n = 0;
    for (;;) {
        tok t = peek(p);
        if (t != TOK_TERM && t != TOK_OPEN)
            break;
        query_node_t *child = parse_unary(p);
        if (p->status != QUERY_OK)
            return NULL;
        if (child != NULL && !add_child(p, kids, &n, child, QUERY_AND))
            return NULL;
    }
    return n == 0 ? NULL : make_list(p, QUERY_AND, kids, n);
}

static size_t or_len(const parser_t *p) {
    return p->s[p->pos] == '|' ? 1 : 2;
}

static query_node_t *parse_or(parser_t *p) {
    query_node_t *kids[QUERY_MAX_TERMS];
    size_t n = 0, last_or = 0;
    for (;;) {
        if (peek(p) == TOK_OR) {
            if (n == 0)
                fail(p, p->pos, QUERY_E_OPERATOR, "OR sans terme à gauche");
            else
                fail(p, last_or, QUERY_E_OPERATOR, "OR sans terme à droite");
            return NULL;
        }
        query_node_t *child = parse_and(p);
        if (p->status != QUERY_OK)
            return NULL;
        if (child == NULL) {
            if (n == 0)
                return NULL;
            fail(p, last_or, QUERY_E_OPERATOR, "OR sans terme à droite");
            return NULL;
        }
        if (!add_child(p, kids, &n, child, QUERY_OR))
            return NULL;
        if (peek(p) != TOK_OR)
            break;
        last_or = p->pos;
        p->pos += or_len(p);
    }
    if (n > 1)
        p->q->plain = false;
    return make_list(p, QUERY_OR, kids, n);
}

query_status query_parse(const char *text, size_t len, query_t **out, query_error_t *err) {
    /* "" rather than NULL: even NULL + 0 is undefined behaviour. */
    parser_t p = {.s = text ? text : "", .len = text ? len : 0, .err = err, .status = QUERY_OK};
    memset(err, 0, sizeof *err);
    *out = NULL;
    if (p.len > QUERY_MAX_BYTES) {
        size_t at = QUERY_MAX_BYTES;
        while (at > 0 && is_cont((unsigned char)p.s[at]))
            at--;
        fail_complex(&p, at);
        goto failed;
    }
    if (!utf8_valid(p.s, p.len)) {
        fail(&p, 0, QUERY_E_ENCODING, "Texte mal encodé : UTF-8 attendu");
        goto failed;
    }
    p.q = calloc(1, sizeof *p.q);
    if (p.q == NULL) {
        fail_nomem(&p);
        goto failed;
    }
    p.q->plain = true;
    query_node_t *root = parse_or(&p);
    if (p.status != QUERY_OK)
        goto failed;
    if (peek(&p) == TOK_CLOSE) {
        fail(&p, p.pos, QUERY_E_PARENTHESIS, "Parenthèse fermante sans parenthèse ouvrante");
        goto failed;
    }
    p.q->root = root;
    *out = p.q;
    return QUERY_OK;

failed:
    query_free(p.q);
    return p.status;
}

void query_free(query_t *q) {
    if (q == NULL)
        return;
    chunk_t *c = q->chunks;
    while (c != NULL) {
        chunk_t *next = c->next;
        free(c);
        c = next;
    }
    free(q);
}

const query_node_t *query_root(const query_t *q) {
    return q->root;
}

size_t query_terms(const query_t *q) {
    return q->nterms;
}

bool query_is_plain(const query_t *q) {
    return q->plain;
}

const char *query_field_name(query_field f) {
    for (size_t i = 0; i < ARRAY_LEN(fields); i++)
        if (fields[i].field == f)
            return fields[i].name;
    return "";
}

const char *query_strerror(query_status st) {
    switch (st) {
    case QUERY_OK:
        return "ok";
    case QUERY_INVALID:
        return "invalid query";
    case QUERY_NO_MEMORY:
        return "out of memory";
    }
    return "unknown status";
}

/* ---- printing ---- */

/* Rounds to the nearest integer without libm: the values are small and never halfway. */
static int64_t round_i64(double v) {
    return (int64_t)(v >= 0 ? v + 0.5 : v - 0.5);
}

/* Prints v / 10^scale in its shortest decimal form ("45.76", "-0.5", "10"). Integer arithmetic
 * only, so the output does not depend on the locale. */
static bool put_fixed(buf_t *b, int64_t v, int scale) {
    int64_t unit = 1;
    for (int i = 0; i < scale; i++)
        unit *= 10;
    uint64_t a = v < 0 ? (uint64_t)(-(v + 1)) + 1 : (uint64_t)v;
    uint64_t ip = a / (uint64_t)unit, fp = a % (uint64_t)unit;
    if (!buf_appendf(b, "%s%llu", v < 0 ? "-" : "", (unsigned long long)ip))
        return false;
    if (fp == 0)
        return true;
    int digits = scale;
    while (fp % 10 == 0) {
        fp /= 10;
        digits--;
    }
    return buf_appendf(b, ".%0*llu", digits, (unsigned long long)fp);
}

static bool put_coord(buf_t *b, double deg) {
    return put_fixed(b, round_i64(deg * (double)COORD_UNIT), COORD_SCALE);
}

/* A radius in whole kilometres prints in km, any other in metres. */
static bool put_radius(buf_t *b, double m) {
    int64_t mm = round_i64(m * 1000.0);
    if (mm % 1000000 == 0)
        return buf_appendf(b, "%lldkm", (long long)(mm / 1000000));
    return put_fixed(b, mm, 3) && buf_append_str(b, "m");
}

/* A value that would not read back as one bare value is quoted; none can hold a '"'. */
static bool put_value(buf_t *b, const char *v) {
    size_t n = strlen(v);
    for (size_t i = 0; i < n; i++)
        if (ends_bare(v, n, i, true))
            return buf_appendf(b, "\"%s\"", v);
    return buf_append(b, v, n);
}

static bool put_years(buf_t *b, const query_years_t *y) {
    if (y->from != 0 && y->from == y->to)
        return buf_appendf(b, "%d", y->from);
    return (y->from == 0 || buf_appendf(b, "%d", y->from)) && buf_append_str(b, "..") &&
           (y->to == 0 || buf_appendf(b, "%d", y->to));
}

/* The value part of a field, after its name: shared by both printers. */
static bool put_field_values(buf_t *b, const query_node_t *n) {
    switch (n->field) {
    case QUERY_FIELD_NEAR:
        return put_coord(b, n->near.lat) && buf_append_str(b, ",") && put_coord(b, n->near.lon) &&
               buf_append_str(b, ",") && put_radius(b, n->near.radius_m);
    case QUERY_FIELD_BBOX:
        return put_coord(b, n->bbox.min_lon) && buf_append_str(b, ",") &&
               put_coord(b, n->bbox.min_lat) && buf_append_str(b, ",") &&
               put_coord(b, n->bbox.max_lon) && buf_append_str(b, ",") &&
               put_coord(b, n->bbox.max_lat);
    case QUERY_FIELD_YEAR:
        for (size_t i = 0; i < n->nyears; i++)
            if ((i > 0 && !buf_append_str(b, ",")) || !put_years(b, &n->years[i]))
                return false;
        return true;
    default:
        for (size_t i = 0; i < n->nvalues; i++)
            if ((i > 0 && !buf_append_str(b, ",")) || !put_value(b, n->values[i].text))
                return false;
        return true;
    }
}

static bool text_node(buf_t *b, const query_node_t *n);

/* A child printed inside a parent: parentheses where precedence needs them. */
static bool text_child(buf_t *b, const query_node_t *child, bool group) {
    if (!group)
        return text_node(b, child);
    return buf_append_str(b, "(") && text_node(b, child) && buf_append_str(b, ")");
}

static bool text_node(buf_t *b, const query_node_t *n) {
    switch (n->kind) {
    case QUERY_WORD:
        return buf_append_str(b, n->text);
    case QUERY_PHRASE:
        return buf_appendf(b, "\"%s\"", n->text);
    case QUERY_FIELD:
        return buf_appendf(b, "%s:", query_field_name(n->field)) && put_field_values(b, n);
    case QUERY_NOT: {
        query_kind ck = n->children[0]->kind;
        return buf_append_str(b, "-") &&
               text_child(b, n->children[0], ck == QUERY_AND || ck == QUERY_OR);
    }
    case QUERY_AND:
    case QUERY_OR:
        for (size_t i = 0; i < n->nchildren; i++) {
            const query_node_t *c = n->children[i];
            if (i > 0 && !buf_append_str(b, n->kind == QUERY_AND ? " " : " OR "))
                return false;
            if (!text_child(b, c, n->kind == QUERY_AND && c->kind == QUERY_OR))
                return false;
        }
        return true;
    }
    return false;
}

bool query_to_text(const query_t *q, buf_t *out) {
    if (q->root == NULL)
        return buf_append(out, "", 0);
    return text_node(out, q->root);
}

static bool debug_node(buf_t *b, const query_node_t *n) {
    switch (n->kind) {
    case QUERY_WORD:
        return buf_appendf(b, "(WORD %s)", n->text);
    case QUERY_PHRASE:
        return buf_appendf(b, "(PHRASE \"%s\")", n->text);
    case QUERY_FIELD:
        return buf_appendf(b, "(FIELD %s ", query_field_name(n->field)) && put_field_values(b, n) &&
               buf_append_str(b, ")");
    case QUERY_NOT:
    case QUERY_AND:
    case QUERY_OR: {
        const char *name = n->kind == QUERY_NOT ? "NOT" : n->kind == QUERY_AND ? "AND" : "OR";
        if (!buf_appendf(b, "(%s", name))
            return false;
        for (size_t i = 0; i < n->nchildren; i++)
            if (!buf_append_str(b, " ") || !debug_node(b, n->children[i]))
                return false;
        return buf_append_str(b, ")");
    }
    }
    return false;
}

bool query_to_string(const query_t *q, buf_t *out) {
    if (q->root == NULL)
        return buf_append(out, "", 0);
    return debug_node(out, q->root);
}
