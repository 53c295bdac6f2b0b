#include "domain/geoparse.h"

#include <string.h>

#include "core/utf8.h"

/* A query is at most 500 bytes by contract; the cap keeps the raw token array bounded whatever a
 * caller passes. */
#define SCAN_MAX 1024
#define RAW_MAX  (SCAN_MAX / 2 + 1)

typedef struct raw_token {
    const char *s;
    size_t len;
    int segment;
} raw_token_t;

enum sep_kind { SEP_NONE, SEP_SPACE, SEP_BREAK, SEP_OPEN };

/* What starts at p (left bytes available), and its length in *n: white space (core/utf8), quotes
 * and « » separate words. */
static enum sep_kind separator(const unsigned char *p, size_t left, size_t *n) {
    *n = utf8_space_len((const char *)p, left);
    if (*n > 0)
        return SEP_SPACE;
    *n = 1;
    switch (p[0]) {
    case '"':
        return SEP_SPACE;
    case ',':
    case ';':
    case '/':
    case '|':
    case ')':
    case ']':
        return SEP_BREAK;
    case '(':
    case '[':
        return SEP_OPEN;
    default:
        break;
    }
    if (left >= 2 && p[0] == 0xC2 && (p[1] == 0xAB || p[1] == 0xBB)) {
        *n = 2; /* « and » */
        return SEP_SPACE;
    }
    if (left >= 3 && p[0] == 0xE2 && p[1] == 0x80 && (p[2] == 0x93 || p[2] == 0x94)) {
        *n = 3; /* en and em dashes stand between parts */
        return SEP_BREAK;
    }
    *n = 1;
    return SEP_NONE;
}

static char lower(char c) {
    return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

static bool is_digit(char c) {
    return c >= '0' && c <= '9';
}

static bool word_is(const char *s, size_t len, const char *word) {
    size_t n = strlen(word);
    if (len != n)
        return false;
    for (size_t i = 0; i < n; i++)
        if (lower(s[i]) != word[i])
            return false;
    return true;
}

static bool all_digits(const char *s, size_t len) {
    if (len == 0)
        return false;
    for (size_t i = 0; i < len; i++)
        if (!is_digit(s[i]))
            return false;
    return true;
}

/* A token holding no letter or digit of any script: a dash, an ampersand, dots. */
static bool only_punctuation(const char *s, size_t len) {
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x80 || (c >= '0' && c <= '9') || (lower((char)c) >= 'a' && lower((char)c) <= 'z'))
            return false;
    }
    return true;
}

static bool has_letter(const char *s, size_t len) {
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x80 || (lower((char)c) >= 'a' && lower((char)c) <= 'z'))
            return true;
    }
    return false;
}

/* 69123, 75001, 2A004, 2b033: the shape shared by postcodes and INSEE codes. A trailing dot
 * ("69003.") is tolerated. */
static bool code_shape(const char *s, size_t len, char out[6]) {
    if (len == 6 && s[5] == '.')
        len = 5;
    if (len != 5)
        return false;
    bool ok = all_digits(s, 5) ||
              (s[0] == '2' && (lower(s[1]) == 'a' || lower(s[1]) == 'b') && all_digits(s + 2, 3));
    if (ok) {
        for (int i = 0; i < 5; i++)
            out[i] = (char)(s[i] >= 'a' && s[i] <= 'z' ? s[i] - 'a' + 'A' : s[i]);
        out[5] = '\0';
    }
    return ok;
}

/* A département code written alone after a name: "Saint-Denis 93", "Ajaccio 2A", "… 974". */
static bool dep_shape(const char *s, size_t len) {
    if (len == 2)
        return all_digits(s, 2) || (s[0] == '2' && (lower(s[1]) == 'a' || lower(s[1]) == 'b'));
    return len == 3 && s[0] == '9' && s[1] == '7' && s[2] >= '1' && s[2] <= '6';
}

/* Words that never end a commune name: a candidate ending with one is the same name as without
 * it, or no name at all. */
static bool never_last(const char *s, size_t len) {
    static const char *const words[] = {"le",  "la", "les", "l",        "l'",         "de",   "du",
                                        "d",   "d'", "des", "en",       "sur",        "sous", "et",
                                        "aux", "au", "a",   "\xc3\xa0", "l\xc3\xa8s", NULL};
    for (int i = 0; words[i]; i++)
        if (word_is(s, len, words[i]))
            return true;
    /* l’ and d’ with a typographic apostrophe */
    return len == 4 && (lower(s[0]) == 'l' || lower(s[0]) == 'd') &&
           memcmp(s + 1, "\xe2\x80\x99", 3) == 0;
}

static void trim(const char **s, size_t *len) {
    while (*len > 0 && (**s == ' ' || **s == '\t')) {
        (*s)++;
        (*len)--;
    }
    while (*len > 0 && ((*s)[*len - 1] == ' ' || (*s)[*len - 1] == '\t'))
        (*len)--;
}

/* Splits q into raw tokens with segment numbers; text in parentheses becomes the département hint
 * (or a token when it is a code). Returns the number of raw tokens. */
static int tokenize(const char *q, raw_token_t *raw, geoparse_t *out) {
    size_t n = strnlen(q, SCAN_MAX + 1);
    if (n > SCAN_MAX) {
        n = SCAN_MAX;
        while (n > 0 && ((unsigned char)q[n] & 0xC0) == 0x80)
            n--; /* never cut a character in two */
    }
    const unsigned char *p = (const unsigned char *)q;
    int nraw = 0, segment = 0;
    size_t i = 0;
    while (i < n) {
        size_t sl;
        enum sep_kind k = separator(p + i, n - i, &sl);
        if (k == SEP_SPACE) {
            i += sl;
            continue;
        }
        if (k == SEP_BREAK) {
            segment++;
            i += sl;
            continue;
        }
        if (k == SEP_OPEN) {
            size_t j = i + 1;
            while (j < n && p[j] != ')' && p[j] != ']')
                j++;
            const char *c = q + i + 1;
            size_t clen = j - i - 1;
            char code[6];
            trim(&c, &clen);
            segment++;
            if (code_shape(c, clen, code) && nraw < RAW_MAX) {
                raw[nraw++] = (raw_token_t){c, clen, segment};
            } else if (out->dep[0] == '\0' && clen > 0 && clen < sizeof out->dep) {
                memcpy(out->dep, c, clen);
                out->dep[clen] = '\0';
            }
            segment++;
            i = j < n ? j + 1 : n;
            continue;
        }
        size_t start = i;
        while (i < n && separator(p + i, n - i, &sl) == SEP_NONE)
            i++;
        const char *s = q + start;
        size_t len = i - start;
        if (only_punctuation(s, len)) {
            segment++; /* "Saint-Denis - La Réunion" */
            continue;
        }
        if (nraw < RAW_MAX)
            raw[nraw++] = (raw_token_t){s, len, segment};
    }
    return nraw;
}

static bool box_word(const raw_token_t *t) {
    return word_is(t->s, t->len, "bp") || word_is(t->s, t->len, "bp.") ||
           word_is(t->s, t->len, "b.p.") || word_is(t->s, t->len, "b.p") ||
           word_is(t->s, t->len, "cs") || word_is(t->s, t->len, "tsa");
}

/* Adds the n-grams of tokens [a, b), those ending last first, longest first. */
static void add_ngrams(geoparse_t *gp, int a, int b) {
    for (int end = b; end > a; end--) {
        if (gp->tokens[end - 1].digits ||
            never_last(gp->tokens[end - 1].start, gp->tokens[end - 1].len))
            continue;
        for (int count = end - a < GEOPARSE_NGRAM_MAX ? end - a : GEOPARSE_NGRAM_MAX; count >= 1;
             count--) {
            int first = end - count;
            bool ok = true;
            for (int t = first; t < end && ok; t++)
                ok = !gp->tokens[t].digits;
            if (!ok)
                continue;
            if (gp->nngrams == GEOPARSE_NGRAMS_MAX)
                return;
            gp->ngrams[gp->nngrams++] = (geoparse_ngram_t){first, count};
        }
    }
}

/* The token range of the segment holding token t. */
static void segment_range(const geoparse_t *gp, int t, int *a, int *b) {
    int s = gp->tokens[t].segment;
    *a = t;
    *b = t + 1;
    while (*a > 0 && gp->tokens[*a - 1].segment == s)
        (*a)--;
    while (*b < gp->ntokens && gp->tokens[*b].segment == s)
        (*b)++;
}

void geoparse_run(const char *q, geoparse_t *out) {
    raw_token_t raw[RAW_MAX];
    geoparse_token_t kept[RAW_MAX];
    memset(out, 0, sizeof *out);
    int nraw = tokenize(q, raw, out);

    int nkept = 0, ncodes = 0;
    int code_at = -1;      /* kept tokens before the (last) code */
    int code_segment = -1; /* the segment the code closed */
    bool insee_next = false;
    for (int i = 0; i < nraw; i++) {
        const raw_token_t *t = &raw[i];
        char code[6];
        if (word_is(t->s, t->len, "cedex")) {
            out->cedex = true;
            if (i + 1 < nraw && raw[i + 1].segment == t->segment && raw[i + 1].len <= 3 &&
                all_digits(raw[i + 1].s, raw[i + 1].len))
                i++; /* "Cedex 07" */
            continue;
        }
        if (box_word(t) && i + 1 < nraw && all_digits(raw[i + 1].s, raw[i + 1].len)) {
            i++; /* "BP 123", "CS 30001": a box number, never a postcode */
            continue;
        }
        if (word_is(t->s, t->len, "insee") || word_is(t->s, t->len, "insee:")) {
            insee_next = true;
            continue;
        }
        if (code_shape(t->s, t->len, code)) {
            memcpy(out->code, code, sizeof code);
            out->code_insee = insee_next;
            code_at = nkept;
            code_segment = t->segment + ncodes;
            ncodes++; /* what follows the code is a segment of its own */
            continue;
        }
        kept[nkept++] =
                (geoparse_token_t){t->s, t->len, t->segment + ncodes, all_digits(t->s, t->len)};
    }
    /* A trailing country, but not the end of Fort-de-France written with spaces. */
    while (nkept > 0 && word_is(kept[nkept - 1].start, kept[nkept - 1].len, "france") &&
           !(nkept > 1 && kept[nkept - 2].segment == kept[nkept - 1].segment &&
             word_is(kept[nkept - 2].start, kept[nkept - 2].len, "de")))
        nkept--;
    if (out->dep[0] == '\0' && nkept >= 2 &&
        dep_shape(kept[nkept - 1].start, kept[nkept - 1].len)) {
        bool named = false;
        for (int i = 0; i < nkept - 1 && !named; i++)
            named = has_letter(kept[i].start, kept[i].len);
        if (named) {
            for (size_t c = 0; c < kept[nkept - 1].len; c++) {
                char ch = kept[nkept - 1].start[c];
                out->dep[c] = (char)(ch >= 'a' && ch <= 'z' ? ch - 'a' + 'A' : ch);
            }
            out->dep_trailing = true;
            nkept--;
        }
    }

    if (code_at > nkept)
        code_at = nkept; /* the words after the code were a country or a département */
    int drop = nkept > GEOPARSE_TOKENS_MAX ? nkept - GEOPARSE_TOKENS_MAX : 0;
    out->ntokens = nkept - drop;
    memcpy(out->tokens, kept + drop, (size_t)out->ntokens * sizeof kept[0]);
    if (code_at >= 0)
        code_at = code_at - drop < 0 ? 0 : code_at - drop;
    for (int i = 0; i < out->ntokens; i++)
        if (has_letter(out->tokens[i].start, out->tokens[i].len))
            out->letters++;
    if (out->ntokens == 0)
        return;

    int a, b;
    if (code_at >= 0 && code_at < out->ntokens &&
        out->tokens[code_at].segment == code_segment + 1) {
        segment_range(out, code_at, &a, &b); /* "69003 Lyon" */
    } else if (code_at > 0 && out->tokens[code_at - 1].segment == code_segment) {
        segment_range(out, code_at - 1, &a, &b); /* "Lyon 69003" */
    } else {
        segment_range(out, out->ntokens - 1, &a, &b);
    }
    out->locality_first = a;
    out->locality_end = b;
    add_ngrams(out, a, b);
    for (int t = out->ntokens - 1; t >= 0;) {
        int sa, sb;
        segment_range(out, t, &sa, &sb);
        if (sa != a)
            add_ngrams(out, sa, sb);
        t = sa - 1;
    }
}

size_t geoparse_text(const geoparse_t *gp, int first, int count, char *out, size_t outlen) {
    size_t len = 0;
    if (outlen == 0)
        return 0;
    out[0] = '\0';
    for (int t = first; t < first + count && t < gp->ntokens; t++) {
        const geoparse_token_t *tok = &gp->tokens[t];
        size_t need = tok->len + (len > 0);
        if (len + need >= outlen)
            break;
        if (len > 0)
            out[len++] = ' ';
        memcpy(out + len, tok->start, tok->len);
        len += tok->len;
        out[len] = '\0';
    }
    return len;
}

bool geoparse_segment_before(const geoparse_t *gp, int first, int *seg_first, int *seg_end) {
    if (first <= 0 || first > gp->ntokens)
        return false;
    int s = first < gp->ntokens ? gp->tokens[first].segment : gp->tokens[first - 1].segment + 1;
    int j = first - 1;
    while (j >= 0 && gp->tokens[j].segment == s)
        j--;
    if (j < 0)
        return false;
    segment_range(gp, j, seg_first, seg_end);
    return true;
}
