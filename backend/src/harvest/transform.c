#include "harvest/transform.h"

#include <libxml/HTMLparser.h>
#include <libxml/uri.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/buf.h"
#include "core/fold.h"
#include "core/utf8.h"

/* Working buffers may exceed the value cap a little (a decoded entity, "…") before the final cut.
 */
#define HV_WORK_MAX (HV_VALUE_MAX + 64)

/* ---- small UTF-8 helpers ---- */

static size_t u8_decode(const unsigned char *s, uint32_t *cp) {
    unsigned char c = s[0];
    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    size_t need = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 0;
    if (need == 0) {
        *cp = 0xFFFD;
        return 1;
    }
    uint32_t v = c & (0x3F >> (need - 1));
    for (size_t i = 1; i < need; i++) {
        if ((s[i] & 0xC0) != 0x80) { /* also stops at the NUL */
            *cp = 0xFFFD;
            return 1;
        }
        v = (v << 6) | (s[i] & 0x3F);
    }
    *cp = v;
    return need;
}

static bool u8_append(buf_t *b, uint32_t cp) {
    char o[4];
    size_t n;
    if (cp == 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        cp = 0xFFFD;
    if (cp < 0x80) {
        o[0] = (char)cp;
        n = 1;
    } else if (cp < 0x800) {
        o[0] = (char)(0xC0 | (cp >> 6));
        o[1] = (char)(0x80 | (cp & 0x3F));
        n = 2;
    } else if (cp < 0x10000) {
        o[0] = (char)(0xE0 | (cp >> 12));
        o[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        o[2] = (char)(0x80 | (cp & 0x3F));
        n = 3;
    } else {
        o[0] = (char)(0xF0 | (cp >> 18));
        o[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
        o[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
        o[3] = (char)(0x80 | (cp & 0x3F));
        n = 4;
    }
    return buf_append(b, o, n);
}

/* The longest prefix of s (len bytes) of at most max bytes that ends at a character boundary. */
static size_t cut_at_char(const char *s, size_t len, size_t max) {
    if (len <= max)
        return len;
    size_t n = max;
    while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
        n--;
    return n;
}

/* A malloc'd copy of the first n bytes of s, capped at HV_VALUE_MAX. */
static char *dup_capped(const char *s, size_t n) {
    n = cut_at_char(s, n, HV_VALUE_MAX);
    char *r = malloc(n + 1);
    if (r == NULL)
        return NULL;
    memcpy(r, s, n);
    r[n] = '\0';
    return r;
}

/* Takes the content of b (which the caller no longer uses) as the capped result. */
static char *finish(buf_t *b) {
    char *r = dup_capped(buf_cstr(b), b->len);
    buf_free(b);
    return r;
}

/* ---- trim, collapse, lower, replace ---- */

char *hv_text_trim(const char *s) {
    size_t k;
    while ((k = utf8_space_len(s, UTF8_SPACE_MAX)) > 0)
        s += k;
    size_t end = 0;
    for (size_t i = 0; s[i];) {
        k = utf8_space_len(s + i, UTF8_SPACE_MAX);
        if (k == 0) {
            i++;
            end = i;
        } else {
            i += k;
        }
    }
    return dup_capped(s, end);
}

char *hv_text_collapse(const char *s) {
    buf_t b;
    buf_init(&b, HV_WORK_MAX);
    bool space = false;
    for (size_t i = 0; s[i];) {
        size_t k = utf8_space_len(s + i, UTF8_SPACE_MAX);
        if (k > 0) {
            space = b.len > 0;
            i += k;
            continue;
        }
        if (space && !buf_append(&b, " ", 1))
            break;
        space = false;
        if (!buf_append(&b, s + i, 1))
            break;
        i++;
    }
    return finish(&b);
}

static uint32_t lower_cp(uint32_t cp) {
    if (cp >= 'A' && cp <= 'Z')
        return cp + 32;
    if (cp >= 0xC0 && cp <= 0xDE && cp != 0xD7)
        return cp + 32;
    if ((cp >= 0x100 && cp <= 0x137 && cp % 2 == 0) || (cp >= 0x14A && cp <= 0x177 && cp % 2 == 0))
        return cp + 1;
    if ((cp >= 0x139 && cp <= 0x148 && cp % 2 == 1) || (cp >= 0x179 && cp <= 0x17E && cp % 2 == 1))
        return cp + 1;
    if (cp == 0x178)
        return 0xFF;
    return cp;
}

char *hv_text_lower(const char *s) {
    buf_t b;
    buf_init(&b, HV_WORK_MAX);
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        uint32_t cp;
        size_t k = u8_decode(p, &cp);
        if (!u8_append(&b, lower_cp(cp)))
            break;
        p += k;
    }
    return finish(&b);
}

char *hv_text_replace(const char *s, const char *from, const char *to) {
    buf_t b;
    buf_init(&b, HV_WORK_MAX);
    size_t flen = strlen(from);
    if (flen == 0)
        return dup_capped(s, strlen(s));
    const char *p = s;
    const char *hit;
    while ((hit = strstr(p, from)) != NULL) {
        if (!buf_append(&b, p, (size_t)(hit - p)) || !buf_append_str(&b, to))
            return finish(&b);
        p = hit + flen;
    }
    if (!buf_append_str(&b, p)) {
        /* over the cap: keep what fits */
        size_t room = HV_WORK_MAX - b.len;
        if (!buf_append(&b, p, cut_at_char(p, strlen(p), room))) {
            buf_free(&b);
            return NULL;
        }
    }
    return finish(&b);
}

/* ---- strip_html ---- */

static bool is_block_tag(const char *name, size_t n) {
    static const char *const blocks[] = {
            "p",      "div",        "br",         "li",  "ul",   "ol",      "h1",      "h2",
            "h3",     "h4",         "h5",         "h6",  "tr",   "table",   "section", "article",
            "header", "footer",     "blockquote", "dd",  "dt",   "dl",      "pre",     "hr",
            "figure", "figcaption", "aside",      "nav", "main", "address", "td",      "th"};
    for (size_t i = 0; i < ARRAY_LEN(blocks); i++) {
        if (strlen(blocks[i]) == n && strncasecmp(blocks[i], name, n) == 0)
            return true;
    }
    return false;
}

/* Decodes the entity at s ('&'); appends it and returns the bytes consumed, or 0 when s does not
 * start a well-formed entity (the '&' is then kept as it is). */
static size_t decode_entity(const char *s, buf_t *b, bool *ok) {
    *ok = true;
    const char *p = s + 1;
    uint32_t cp = 0;
    if (*p == '#') {
        p++;
        int base = 10;
        if (*p == 'x' || *p == 'X') {
            base = 16;
            p++;
        }
        const char *digits = p;
        while (*p && p - digits < 8 &&
               ((*p >= '0' && *p <= '9') ||
                (base == 16 && ((*p >= 'a' && *p <= 'f') || (*p >= 'A' && *p <= 'F'))))) {
            int d = *p <= '9' ? *p - '0' : (*p | 0x20) - 'a' + 10;
            cp = cp * (uint32_t)base + (uint32_t)d;
            p++;
        }
        if (p == digits)
            return 0;
        /* Old Windows pages write &#146; for ’: read 128..159 as Windows-1252, as browsers do. */
        static const uint16_t cp1252[32] = {0x20AC, 0xFFFD, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020,
                                            0x2021, 0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0xFFFD,
                                            0x017D, 0xFFFD, 0xFFFD, 0x2018, 0x2019, 0x201C, 0x201D,
                                            0x2022, 0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A,
                                            0x0153, 0xFFFD, 0x017E, 0x0178};
        if (cp >= 0x80 && cp <= 0x9F)
            cp = cp1252[cp - 0x80];
        if (*p == ';')
            p++;
    } else {
        char name[33];
        size_t n = 0;
        while (n < sizeof name - 1 &&
               ((p[n] >= 'a' && p[n] <= 'z') || (p[n] >= 'A' && p[n] <= 'Z') ||
                (p[n] >= '0' && p[n] <= '9')))
            n++;
        if (n == 0 || p[n] != ';')
            return 0;
        memcpy(name, p, n);
        name[n] = '\0';
        const htmlEntityDesc *e = htmlEntityLookup((const xmlChar *)name);
        if (e == NULL) {
            if (strcmp(name, "apos") != 0)
                return 0;
            cp = '\'';
        } else {
            cp = e->value;
        }
        p += n + 1;
    }
    *ok = u8_append(b, cp);
    return (size_t)(p - s);
}

char *hv_text_strip_html(const char *s, bool paragraphs) {
    buf_t b;
    buf_init(&b, HV_WORK_MAX);
    const char *p = s;
    bool ok = true;
    while (*p && ok) {
        if (*p == '<' && p[1] == '!' && p[2] == '-' && p[3] == '-') {
            const char *end = strstr(p + 4, "-->");
            p = end ? end + 3 : p + strlen(p);
            continue;
        }
        bool closing = p[1] == '/';
        const char *name = p + 1 + (closing ? 1 : 0);
        bool letter = (*name >= 'a' && *name <= 'z') || (*name >= 'A' && *name <= 'Z');
        if (*p == '<' && (letter || (!closing && (p[1] == '!' || p[1] == '?')))) {
            size_t n = 0;
            while ((name[n] >= 'a' && name[n] <= 'z') || (name[n] >= 'A' && name[n] <= 'Z') ||
                   (name[n] >= '0' && name[n] <= '9'))
                n++;
            const char *gt = strchr(name, '>');
            p = gt ? gt + 1 : p + strlen(p);
            if (!closing && ((n == 6 && strncasecmp(name, "script", 6) == 0) ||
                             (n == 5 && strncasecmp(name, "style", 5) == 0))) {
                char close[9] = "</";
                memcpy(close + 2, name, n);
                close[2 + n] = '\0';
                const char *q = strcasestr(p, close);
                if (q == NULL) {
                    p += strlen(p);
                } else {
                    const char *qgt = strchr(q, '>');
                    p = qgt ? qgt + 1 : q + strlen(q);
                }
                continue;
            }
            if (is_block_tag(name, n))
                ok = buf_append_str(
                        &b, paragraphs ? (n == 2 && strncasecmp(name, "br", 2) == 0 ? "\n" : "\n\n")
                                       : " ");
            continue;
        }
        if (*p == '&') {
            size_t used = decode_entity(p, &b, &ok);
            if (used > 0) {
                p += used;
                continue;
            }
        }
        ok = buf_append(&b, p, 1);
        p++;
    }
    if (!paragraphs) {
        char *r = hv_text_collapse(buf_cstr(&b));
        buf_free(&b);
        return r;
    }
    /* Each line collapsed; at most one blank line between paragraphs. */
    buf_t out;
    buf_init(&out, HV_WORK_MAX);
    int newlines = 0;
    const char *line = buf_cstr(&b);
    while (*line) {
        const char *nl = strchr(line, '\n');
        size_t n = nl ? (size_t)(nl - line) : strlen(line);
        char *piece = dup_capped(line, n);
        char *c = piece ? hv_text_collapse(piece) : NULL;
        free(piece);
        if (c == NULL)
            break;
        if (c[0] != '\0') {
            if (out.len > 0 && !buf_append_str(&out, newlines > 1 ? "\n\n" : "\n")) {
                free(c);
                break;
            }
            newlines = 0;
            if (!buf_append_str(&out, c)) {
                free(c);
                break;
            }
        }
        free(c);
        if (nl == NULL)
            break;
        newlines++;
        line = nl + 1;
    }
    buf_free(&b);
    return finish(&out);
}

/* ---- absolute_url ---- */

char *hv_text_absolute_url(const char *base, const char *ref) {
    char *t = hv_text_trim(ref);
    buf_t esc;
    buf_init(&esc, HV_WORK_MAX);
    char *result = NULL;
    xmlChar *built = NULL;
    xmlURIPtr uri = NULL;
    if (t == NULL)
        goto done;
    /* libxml2 refuses spaces and raw non-ASCII bytes that pages do put in links: escape them. */
    for (const unsigned char *p = (const unsigned char *)t; *p; p++) {
        bool ok = (*p > 0x20 && *p < 0x7F && *p != '"' && *p != '<' && *p != '>' && *p != '\\' &&
                   *p != '^' && *p != '`' && *p != '{' && *p != '|' && *p != '}')
                          ? buf_append(&esc, p, 1)
                          : buf_appendf(&esc, "%%%02X", *p);
        if (!ok)
            goto done;
    }
    if (esc.len == 0)
        goto done;
    built = xmlBuildURI((const xmlChar *)buf_cstr(&esc), (const xmlChar *)(base ? base : ""));
    if (built == NULL)
        goto done;
    uri = xmlParseURI((const char *)built);
    if (uri == NULL || uri->scheme == NULL || uri->server == NULL || uri->server[0] == '\0' ||
        (strcasecmp(uri->scheme, "http") != 0 && strcasecmp(uri->scheme, "https") != 0))
        goto done;
    result = dup_capped((const char *)built, strlen((const char *)built));
done:
    if (uri)
        xmlFreeURI(uri);
    xmlFree(built);
    buf_free(&esc);
    free(t);
    if (result == NULL)
        result = strdup("");
    return result;
}

/* ---- regex ---- */

char *hv_text_regex(const regex_t *re, const char *s) {
    regmatch_t m[2];
    if (regexec(re, s, 2, m, 0) != 0)
        return strdup("");
    regmatch_t *g = (re->re_nsub >= 1 && m[1].rm_so >= 0) ? &m[1] : &m[0];
    return dup_capped(s + g->rm_so, (size_t)(g->rm_eo - g->rm_so));
}

/* ---- dates ---- */

typedef enum tok_type { TOK_NUM, TOK_WORD, TOK_PUNCT } tok_type;

typedef struct tok {
    tok_type type;
    const char *s;
    size_t len;
    long num;  /* TOK_NUM, when len <= 9 */
    int month; /* TOK_WORD: 1..12 when a month name */
} tok;

#define DATE_MAX_TOKENS 2000
#define DATE_TEXT_MAX   4096

static int month_of(const char *s, size_t n) {
    static const struct {
        const char *name;
        int month;
    } months[] = {
            {"janvier", 1},   {"janv", 1},      {"jan", 1},       {"january", 1},   {"fevrier", 2},
            {"fevr", 2},      {"fev", 2},       {"february", 2},  {"feb", 2},       {"mars", 3},
            {"mar", 3},       {"march", 3},     {"avril", 4},     {"avr", 4},       {"april", 4},
            {"apr", 4},       {"mai", 5},       {"may", 5},       {"juin", 6},      {"jun", 6},
            {"june", 6},      {"juillet", 7},   {"juil", 7},      {"jul", 7},       {"july", 7},
            {"aout", 8},      {"aug", 8},       {"august", 8},    {"septembre", 9}, {"sept", 9},
            {"sep", 9},       {"september", 9}, {"octobre", 10},  {"oct", 10},      {"october", 10},
            {"novembre", 11}, {"nov", 11},      {"november", 11}, {"decembre", 12}, {"dec", 12},
            {"december", 12},
    };
    for (size_t i = 0; i < ARRAY_LEN(months); i++) {
        if (strlen(months[i].name) == n && memcmp(months[i].name, s, n) == 0)
            return months[i].month;
    }
    return 0;
}

static size_t tokenize(const char *s, tok *toks, size_t max) {
    size_t n = 0;
    const char *p = s;
    while (*p && n < max) {
        unsigned char c = (unsigned char)*p;
        tok *t = &toks[n];
        memset(t, 0, sizeof *t);
        t->s = p;
        if (c == ' ') {
            p++;
            continue;
        }
        if (c >= '0' && c <= '9') {
            t->type = TOK_NUM;
            while (*p >= '0' && *p <= '9') {
                if (p - t->s < 9)
                    t->num = t->num * 10 + (*p - '0');
                p++;
            }
        } else if ((c >= 'a' && c <= 'z') || c >= 0x80) {
            t->type = TOK_WORD;
            while ((*p >= 'a' && *p <= 'z') || (unsigned char)*p >= 0x80)
                p++;
        } else {
            t->type = TOK_PUNCT;
            p++;
        }
        t->len = (size_t)(p - t->s);
        if (t->type == TOK_WORD)
            t->month = month_of(t->s, t->len);
        n++;
    }
    return n;
}

static bool valid_date(long y, long m, long d) {
    static const int mdays[12] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (y < 1000 || y > 2999 || m < 1 || m > 12 || d < 1 || d > mdays[m - 1])
        return false;
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return !(m == 2 && d == 29 && !leap);
}

static bool is_num(const tok *t, size_t n, size_t i, size_t minlen, size_t maxlen) {
    return i < n && t[i].type == TOK_NUM && t[i].len >= minlen && t[i].len <= maxlen;
}

static bool is_punct(const tok *t, size_t n, size_t i, const char *set) {
    return i < n && t[i].type == TOK_PUNCT && strchr(set, t[i].s[0]) != NULL;
}

static bool is_month(const tok *t, size_t n, size_t i) {
    return i < n && t[i].type == TOK_WORD && t[i].month > 0;
}

static bool is_word(const tok *t, size_t n, size_t i, const char *w) {
    return i < n && t[i].type == TOK_WORD && t[i].len == strlen(w) &&
           memcmp(t[i].s, w, t[i].len) == 0;
}

/* After a month word: an optional abbreviation dot. */
static size_t skip_dot(const tok *t, size_t n, size_t i) {
    return is_punct(t, n, i, ".") ? i + 1 : i;
}

/* Full dates at token i; fills y, m, d. */
static bool full_date_at(const tok *t, size_t n, size_t i, hv_date_mode mode, long *y, long *m,
                         long *d) {
    if (mode != HV_DATE_FR && is_num(t, n, i, 4, 4) && is_punct(t, n, i + 1, "-/.") &&
        is_num(t, n, i + 2, 1, 2) && is_punct(t, n, i + 3, "-/.") &&
        t[i + 3].s[0] == t[i + 1].s[0] && is_num(t, n, i + 4, 1, 2)) {
        *y = t[i].num, *m = t[i + 2].num, *d = t[i + 4].num;
        return valid_date(*y, *m, *d);
    }
    if (mode == HV_DATE_ISO)
        return false;
    if (is_num(t, n, i, 1, 2) && is_punct(t, n, i + 1, "/.-") && is_num(t, n, i + 2, 1, 2) &&
        is_punct(t, n, i + 3, "/.-") && t[i + 3].s[0] == t[i + 1].s[0] &&
        is_num(t, n, i + 4, 4, 4)) {
        *d = t[i].num, *m = t[i + 2].num, *y = t[i + 4].num;
        return valid_date(*y, *m, *d);
    }
    if (is_num(t, n, i, 1, 2)) { /* 1er mars 2019, 01 Mar 2019 */
        size_t j = i + 1;
        if (is_word(t, n, j, "er") || is_word(t, n, j, "e") || is_word(t, n, j, "st") ||
            is_word(t, n, j, "nd") || is_word(t, n, j, "rd") || is_word(t, n, j, "th"))
            j++;
        if (is_month(t, n, j)) {
            size_t k = skip_dot(t, n, j + 1);
            if (is_punct(t, n, k, ","))
                k++;
            if (is_num(t, n, k, 4, 4)) {
                *d = t[i].num, *m = t[j].month, *y = t[k].num;
                return valid_date(*y, *m, *d);
            }
        }
    }
    if (is_month(t, n, i)) { /* March 1, 2019 */
        size_t j = skip_dot(t, n, i + 1);
        if (is_num(t, n, j, 1, 2)) {
            size_t k = j + 1;
            if (is_word(t, n, k, "st") || is_word(t, n, k, "nd") || is_word(t, n, k, "rd") ||
                is_word(t, n, k, "th"))
                k++;
            if (is_punct(t, n, k, ","))
                k++;
            if (is_num(t, n, k, 4, 4)) {
                *m = t[i].month, *d = t[j].num, *y = t[k].num;
                return valid_date(*y, *m, *d);
            }
        }
    }
    return false;
}

static bool month_at(const tok *t, size_t n, size_t i, hv_date_mode mode, long *y, long *m) {
    if (mode != HV_DATE_FR && is_num(t, n, i, 4, 4) && is_punct(t, n, i + 1, "-") &&
        is_num(t, n, i + 2, 2, 2) && !is_punct(t, n, i + 3, "-")) {
        *y = t[i].num, *m = t[i + 2].num;
        return valid_date(*y, *m, 1);
    }
    if (mode != HV_DATE_ISO && is_month(t, n, i)) {
        size_t j = skip_dot(t, n, i + 1);
        if (is_num(t, n, j, 4, 4)) {
            *y = t[j].num, *m = t[i].month;
            return valid_date(*y, *m, 1);
        }
    }
    return false;
}

char *hv_text_date(const char *s, hv_date_mode mode) {
    buf_t f;
    buf_init(&f, DATE_TEXT_MAX);
    size_t n = strlen(s);
    /* Only the beginning of a long text is read: a date is a short value. */
    if (!fold_text(s, cut_at_char(s, n, DATE_TEXT_MAX / 2), &f)) {
        buf_free(&f);
        return strdup("");
    }
    /* at most one token per byte: small values need small arrays */
    size_t max_tokens = f.len + 1 < DATE_MAX_TOKENS ? f.len + 1 : DATE_MAX_TOKENS;
    tok *toks = malloc(max_tokens * sizeof *toks);
    char out[16] = "";
    if (toks == NULL) {
        buf_free(&f);
        return NULL;
    }
    size_t nt = tokenize(buf_cstr(&f), toks, max_tokens);
    long y, m, d;
    for (size_t i = 0; i < nt && !out[0]; i++) {
        if (full_date_at(toks, nt, i, mode, &y, &m, &d))
            snprintf(out, sizeof out, "%04ld-%02ld-%02ld", y, m, d);
    }
    for (size_t i = 0; i < nt && !out[0]; i++) {
        if (month_at(toks, nt, i, mode, &y, &m))
            snprintf(out, sizeof out, "%04ld-%02ld", y, m);
    }
    for (size_t i = 0; i < nt && !out[0]; i++) {
        if (is_num(toks, nt, i, 4, 4) && toks[i].num >= 1000 && toks[i].num <= 2999)
            snprintf(out, sizeof out, "%04ld", toks[i].num);
    }
    free(toks);
    buf_free(&f);
    return strdup(out);
}

/* ---- truncate ---- */

char *hv_text_truncate(const char *s, size_t max, bool at_word) {
    size_t chars = 0;
    size_t i = 0;
    size_t len = strlen(s);
    size_t cut = len;
    size_t keep = max > 0 ? max - 1 : 0; /* room for "…" */
    while (i < len) {
        if (chars == keep && cut == len)
            cut = i;
        chars++;
        i++;
        while (i < len && ((unsigned char)s[i] & 0xC0) == 0x80)
            i++;
    }
    if (chars <= max)
        return dup_capped(s, len);
    size_t end = cut;
    if (at_word) {
        size_t j = cut;
        while (j > 0 && s[j] != ' ')
            j--;
        if (j > cut / 2) /* a word boundary not too far back */
            end = j;
    }
    while (end > 0 && (s[end - 1] == ' ' || s[end - 1] == ',' || s[end - 1] == ';'))
        end--;
    buf_t b;
    buf_init(&b, end + 8);
    if (!buf_append(&b, s, end) || !buf_append_str(&b, "\xE2\x80\xA6")) {
        buf_free(&b);
        return NULL;
    }
    char *r = strdup(buf_cstr(&b));
    buf_free(&b);
    return r;
}

/* ---- transforms ---- */

int hv_transform_parse(const json_t *spec, hv_transform *t, char *err, size_t errlen) {
    memset(t, 0, sizeof *t);
    static const struct {
        const char *name;
        hv_transform_kind kind;
    } simple[] = {{"trim", HV_TR_TRIM},
                  {"collapse", HV_TR_COLLAPSE},
                  {"strip_html", HV_TR_STRIP_HTML},
                  {"lower", HV_TR_LOWER},
                  {"absolute_url", HV_TR_ABSOLUTE_URL}};
    if (json_is_string(spec)) {
        for (size_t i = 0; i < ARRAY_LEN(simple); i++) {
            if (strcmp(json_string_value(spec), simple[i].name) == 0) {
                t->kind = simple[i].kind;
                return 0;
            }
        }
        snprintf(err, errlen,
                 "unknown transform \"%.60s\" (expected trim, collapse, strip_html, lower, "
                 "absolute_url or an object regex, split, date, replace)",
                 json_string_value(spec));
        return -1;
    }
    if (!json_is_object(spec) || json_object_size(spec) != 1) {
        snprintf(err, errlen, "must be a transform name or an object with one key");
        return -1;
    }
    const char *key = json_object_iter_key(json_object_iter((json_t *)spec));
    const json_t *v = json_object_get(spec, key);
    if (strcmp(key, "regex") == 0) {
        t->kind = HV_TR_REGEX;
        if (!json_is_string(v) || json_string_length(v) == 0 || json_string_length(v) > 1000) {
            snprintf(err, errlen, "regex: must be a non-empty string of at most 1000 bytes");
            return -1;
        }
        int rc = regcomp(&t->re, json_string_value(v), REG_EXTENDED);
        if (rc != 0) {
            char msg[128];
            regerror(rc, &t->re, msg, sizeof msg);
            snprintf(err, errlen, "regex: invalid (%s)", msg);
            return -1;
        }
        t->has_re = true;
        return 0;
    }
    if (strcmp(key, "split") == 0) {
        t->kind = HV_TR_SPLIT;
        if (!json_is_string(v) || json_string_length(v) == 0 || json_string_length(v) > 16) {
            snprintf(err, errlen, "split: must be a non-empty separator of at most 16 bytes");
            return -1;
        }
        t->a = strdup(json_string_value(v));
        return t->a ? 0 : -1;
    }
    if (strcmp(key, "date") == 0) {
        t->kind = HV_TR_DATE;
        const char *m = json_string_value(v);
        if (m != NULL && strcmp(m, "auto") == 0)
            t->date_mode = HV_DATE_AUTO;
        else if (m != NULL && strcmp(m, "iso") == 0)
            t->date_mode = HV_DATE_ISO;
        else if (m != NULL && strcmp(m, "fr") == 0)
            t->date_mode = HV_DATE_FR;
        else {
            snprintf(err, errlen, "date: must be \"auto\", \"iso\" or \"fr\"");
            return -1;
        }
        return 0;
    }
    if (strcmp(key, "replace") == 0) {
        t->kind = HV_TR_REPLACE;
        if (!json_is_array(v) || json_array_size(v) != 2 || !json_is_string(json_array_get(v, 0)) ||
            !json_is_string(json_array_get(v, 1)) ||
            json_string_length(json_array_get(v, 0)) == 0 ||
            json_string_length(json_array_get(v, 0)) > 1000 ||
            json_string_length(json_array_get(v, 1)) > 1000) {
            snprintf(err, errlen,
                     "replace: must be [\"from\", \"to\"] with a non-empty \"from\" (at most 1000 "
                     "bytes each)");
            return -1;
        }
        t->a = strdup(json_string_value(json_array_get(v, 0)));
        t->b = strdup(json_string_value(json_array_get(v, 1)));
        return t->a && t->b ? 0 : -1;
    }
    snprintf(err, errlen, "unknown transform \"%.60s\" (expected regex, split, date or replace)",
             key);
    return -1;
}

void hv_transform_clear(hv_transform *t) {
    free(t->a);
    free(t->b);
    if (t->has_re)
        regfree(&t->re);
    memset(t, 0, sizeof *t);
}

/* Appends the parts of s split at sep, each trimmed, empty parts left out. */
static int split_into(json_t *out, const char *s, const char *sep) {
    size_t seplen = strlen(sep);
    const char *p = s;
    for (;;) {
        const char *hit = strstr(p, sep);
        size_t n = hit ? (size_t)(hit - p) : strlen(p);
        char *part = dup_capped(p, n);
        char *tr = part ? hv_text_trim(part) : NULL;
        free(part);
        if (tr == NULL)
            return -1;
        if (tr[0] != '\0' && json_array_size(out) < HV_LIST_MAX)
            json_array_append_new(out, json_string(tr));
        free(tr);
        if (hit == NULL)
            return 0;
        p = hit + seplen;
    }
}

json_t *hv_transform_apply(const hv_transform *t, const json_t *values, const char *base_url) {
    json_t *out = json_array();
    if (out == NULL)
        return NULL;
    size_t i;
    json_t *v;
    json_array_foreach(values, i, v) {
        const char *s = json_string_value(v);
        if (s == NULL)
            continue;
        if (json_array_size(out) >= HV_LIST_MAX)
            break;
        if (t->kind == HV_TR_SPLIT) {
            if (split_into(out, s, t->a) != 0)
                goto failed;
            continue;
        }
        char *r = NULL;
        switch (t->kind) {
        case HV_TR_TRIM:
            r = hv_text_trim(s);
            break;
        case HV_TR_COLLAPSE:
            r = hv_text_collapse(s);
            break;
        case HV_TR_STRIP_HTML:
            r = hv_text_strip_html(s, false);
            break;
        case HV_TR_LOWER:
            r = hv_text_lower(s);
            break;
        case HV_TR_ABSOLUTE_URL:
            r = hv_text_absolute_url(base_url, s);
            break;
        case HV_TR_REGEX:
            r = hv_text_regex(&t->re, s);
            break;
        case HV_TR_DATE:
            r = hv_text_date(s, t->date_mode);
            break;
        case HV_TR_REPLACE:
            r = hv_text_replace(s, t->a, t->b);
            break;
        case HV_TR_SPLIT:
            break;
        }
        if (r == NULL)
            goto failed;
        json_array_append_new(out, json_string(r));
        free(r);
    }
    return out;
failed:
    json_decref(out);
    return NULL;
}
