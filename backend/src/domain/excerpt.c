#include "domain/excerpt.h"

#include <libstemmer.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/fold.h"
#include "core/utf8.h"

#define LEAD      5     /* words shown before the first match of a passage */
#define WORD_MAX  64    /* bytes of a word that is looked up; a longer one is never marked */
#define DEPTH_MAX 64    /* parentheses in a tsquery's text */
#define WORDS_MAX 16384 /* words of a text looked at: a page of 20 never holds that many */

typedef struct word {
    uint32_t start, end; /* byte offsets in the text */
    int term;            /* index of the matching term, or -1 */
    bool sentence;       /* a sentence ends between the previous word and this one */
    bool joined;         /* nothing but an apostrophe, a hyphen… between the previous word and
                          * this one ("l'atelier", "main-d'œuvre"): a passage never cuts there */
} word_t;

bool excerpt_terms_parse(const char *q, excerpt_terms_t *out) {
    bool neg[DEPTH_MAX + 1] = {false}; /* whether each open parenthesis is negated */
    size_t depth = 0;
    bool pending = false; /* a '!' waiting for its operand */
    out->n = 0;
    for (const char *p = q; *p;) {
        if (*p == '!') {
            pending = true;
            p++;
        } else if (*p == '(') {
            if (depth == DEPTH_MAX)
                goto malformed;
            depth++;
            neg[depth] = neg[depth - 1] || pending;
            pending = false;
            p++;
        } else if (*p == ')') {
            if (depth == 0)
                goto malformed;
            depth--;
            p++;
        } else if (*p == '\'') {
            char lex[EXCERPT_TERM_MAX];
            size_t n = 0;
            bool fits = true;
            for (p++;; p++) {
                char c = *p;
                if (c == '\0')
                    goto malformed;
                if (c == '\'' && p[1] != '\'')
                    break;
                if (c == '\'' || (c == '\\' && p[1] != '\0'))
                    c = *++p; /* '' and \x stand for ' and x */
                if (n + 1 < sizeof lex)
                    lex[n++] = c;
                else
                    fits = false;
            }
            lex[n] = '\0';
            bool prefix = false;
            if (*++p == ':')
                for (p++; *p == '*' || (*p >= 'A' && *p <= 'D'); p++)
                    prefix = prefix || *p == '*';
            if (!(pending || neg[depth]) && fits && n > 0 && out->n < EXCERPT_TERMS_MAX) {
                memcpy(out->t[out->n].lexeme, lex, n + 1);
                out->t[out->n].len = n;
                out->t[out->n++].prefix = prefix;
            }
            pending = false;
        } else {
            if (*p != ' ')
                pending = false; /* an operator: & | <-> <N> */
            p++;
        }
    }
    if (depth != 0)
        goto malformed;
    return true;
malformed:
    out->n = 0;
    return false;
}

/* Whether a code point is part of a word (letters and digits; the tsearch parser's notion, near
 * enough): apostrophes, hyphens, punctuation, symbols and spaces separate words. */
static bool word_cp(uint32_t cp) {
    if (cp < 0x80)
        return (cp >= '0' && cp <= '9') || ((cp | 32) >= 'a' && (cp | 32) <= 'z');
    if (cp < 0xC0 || cp == 0xD7 || cp == 0xF7 || cp == 0x2BC || cp == 0xFFFD)
        return false;
    return !((cp >= 0x2000 && cp < 0x2C00) || (cp >= 0x3000 && cp < 0x3040) ||
             (cp >= 0xFE00 && cp < 0xFE70) || (cp >= 0xFF00 && cp < 0xFF10) || cp >= 0x1F000);
}

/* The French stemmer, made on first use and kept for the life of the process (one per worker
 * process; libstemmer's stemmers are not to be shared between threads). NULL when it cannot be
 * made: words are then compared folded, unstemmed. */
static struct sb_stemmer *stemmer(void) {
    static struct sb_stemmer *s;
    if (s == NULL)
        s = sb_stemmer_new("french", "UTF_8");
    return s;
}

/* The first (up to two) bytes of the folded word w (n > 0 bytes) in head; returns how many. */
static size_t fold_head(const char *w, size_t n, char head[2]) {
    size_t got = 0;
    for (size_t i = 0; i < n && got < 2;) {
        uint32_t cp;
        size_t k = fold_decode((const unsigned char *)w + i, n - i, &cp);
        const char *rep = fold_latin(cp);
        char one = (char)(cp >= 'A' && cp <= 'Z' ? cp + 32 : cp);
        const char *b = rep ? rep : cp < 0x80 ? &one : w + i;
        size_t bl = rep ? strlen(rep) : cp < 0x80 ? 1 : k;
        for (size_t j = 0; j < bl && got < 2; j++)
            head[got++] = b[j];
        i += k;
    }
    return got;
}

/* The index of the term the word w (n bytes) matches, or -1. The word is folded, then stemmed
 * unless it holds a digit (sc_french gives words with digits to the simple dictionary). Most
 * words are told apart by their first two letters, which stemming never changes (Snowball's
 * French stemmer removes or replaces suffixes after them): only the others are folded whole and
 * stemmed. fold is scratch space. */
static int word_term(const char *w, size_t n, const excerpt_terms_t *terms, buf_t *fold) {
    char head[2];
    size_t hl = fold_head(w, n, head);
    bool candidate = false;
    for (size_t i = 0; i < terms->n && !candidate; i++) {
        size_t c = terms->t[i].len < hl ? terms->t[i].len : hl;
        candidate = memcmp(head, terms->t[i].lexeme, c) == 0;
    }
    if (!candidate || n > WORD_MAX)
        return -1;
    buf_reset(fold);
    if (!fold_text(w, n, fold))
        return -1;
    const char *key = buf_cstr(fold);
    size_t klen = fold->len;
    struct sb_stemmer *s = stemmer();
    if (s != NULL && strpbrk(key, "0123456789") == NULL) {
        const sb_symbol *stem = sb_stemmer_stem(s, (const sb_symbol *)key, (int)klen);
        if (stem != NULL) {
            key = (const char *)stem;
            klen = (size_t)sb_stemmer_length(s);
        }
    }
    for (size_t i = 0; i < terms->n; i++) {
        size_t l = terms->t[i].len;
        if ((terms->t[i].prefix ? klen >= l : klen == l) && memcmp(key, terms->t[i].lexeme, l) == 0)
            return (int)i;
    }
    return -1;
}

/* Splits the text into words (at most WORDS_MAX: *n), each matched against the terms. Returns
 * NULL when memory runs out. The caller frees the array. */
static word_t *words_read(const char *text, size_t len, const excerpt_terms_t *terms, size_t *n) {
    const unsigned char *p = (const unsigned char *)text;
    size_t cap = len / 2 + 1 < WORDS_MAX ? len / 2 + 1 : WORDS_MAX;
    word_t *w = malloc(cap * sizeof *w);
    buf_t fold;
    buf_init(&fold, 4 * WORD_MAX);
    bool sentence = false, spaced = false;
    *n = 0;
    for (size_t i = 0; w != NULL && i < len && *n < cap;) {
        uint32_t cp;
        size_t k = fold_decode(p + i, len - i, &cp);
        if (!word_cp(cp)) {
            sentence = sentence || cp == '.' || cp == '!' || cp == '?' || cp == '\n' ||
                       cp == 0x2026 /* … */;
            /* Any space, or a no-break space, or punctuation closing a sentence, parts words. */
            spaced = spaced || cp == ' ' || cp == '\t' || cp == '\n' || cp == '\r' || cp == 0xA0 ||
                     cp == 0x202F || sentence;
            i += k;
            continue;
        }
        size_t start = i;
        while (i < len) {
            k = fold_decode(p + i, len - i, &cp);
            if (!word_cp(cp))
                break;
            i += k;
        }
        w[*n] = (word_t){.start = (uint32_t)start,
                         .end = (uint32_t)i,
                         .term = word_term(text + start, i - start, terms, &fold),
                         .sentence = sentence,
                         .joined = *n > 0 && !spaced};
        (*n)++;
        sentence = false;
        spaced = false;
    }
    buf_free(&fold);
    return w;
}

/* How good the passage of words [s, s + EXCERPT_WORDS) is: its distinct terms first, then its
 * matching words. */
static unsigned passage_score(const word_t *w, size_t n, size_t s) {
    uint64_t seen = 0;
    unsigned distinct = 0, matches = 0;
    for (size_t i = s; i < n && i < s + EXCERPT_WORDS; i++) {
        if (w[i].term < 0)
            continue;
        matches++;
        if (!(seen & (UINT64_C(1) << w[i].term))) {
            seen |= UINT64_C(1) << w[i].term;
            distinct++;
        }
    }
    return distinct * 1024 + (matches < 1024 ? matches : 1023);
}

/* Where a passage around the matching word m starts: at the start of its sentence when that is
 * at most LEAD words before it; else LEAD words before it, or earlier near the end of the text so
 * that the passage is whole, but not before the start of the sentence. */
static size_t passage_start(const word_t *w, size_t n, size_t m) {
    size_t s = m > LEAD ? m - LEAD : 0;
    for (size_t j = m; j > s; j--)
        if (w[j].sentence)
            return j;
    size_t whole = n > EXCERPT_WORDS ? n - EXCERPT_WORDS : 0;
    while (s > whole && !w[s].sentence)
        s--;
    return s;
}

/* Picks up to two passages (starts in s[], in text order); returns how many. */
static size_t passages_pick(const word_t *w, size_t n, size_t s[2]) {
    unsigned best[2] = {0, 0};
    s[0] = 0;
    if (n <= EXCERPT_WORDS)
        return 1;
    for (size_t m = 0; m < n; m++) {
        if (w[m].term < 0)
            continue;
        size_t c = passage_start(w, n, m);
        unsigned sc = passage_score(w, n, c);
        if (sc > best[0]) {
            best[0] = sc;
            s[0] = c;
        }
    }
    if (best[0] == 0)
        return 1; /* no match: the start of the text */
    for (size_t m = 0; m < n; m++) {
        if (w[m].term < 0)
            continue;
        size_t c = passage_start(w, n, m);
        if (c + EXCERPT_WORDS > s[0] && s[0] + EXCERPT_WORDS > c)
            continue; /* overlaps the first */
        unsigned sc = passage_score(w, n, c);
        if (sc > best[1]) {
            best[1] = sc;
            s[1] = c;
        }
    }
    if (best[1] == 0)
        return 1;
    if (s[1] < s[0]) {
        size_t t = s[0];
        s[0] = s[1];
        s[1] = t;
    }
    return 2;
}

/* Bytes of a no-break space at s (U+00A0, U+2007, U+202F: French puts them before ':' and inside
 * « »), 0 otherwise. Collapsing keeps them, so that the punctuation stays on its word's line. */
static size_t nobreak_len(const char *s, size_t n) {
    const unsigned char *u = (const unsigned char *)s;
    if (n >= 2 && u[0] == 0xC2 && u[1] == 0xA0)
        return 2;
    if (n >= 3 && u[0] == 0xE2 && u[1] == 0x80 && (u[2] == 0x87 || u[2] == 0xAF))
        return 3;
    return 0;
}

/* Appends n bytes of text HTML-escaped; with collapse, each run of white space (core/utf8) as one
 * space — a no-break one when the run holds one. */
static bool append_text(buf_t *out, const char *s, size_t n, bool collapse) {
    for (size_t i = 0; i < n;) {
        size_t run = i;
        while (run < n && !memchr("&<>\"'", s[run], 5) &&
               !(collapse && utf8_space_len(s + run, n - run) > 0))
            run++;
        if (run > i && !buf_append(out, s + i, run - i))
            return false;
        if (run == n)
            break;
        size_t k = collapse ? utf8_space_len(s + run, n - run) : 0;
        if (k > 0) {
            const char *space = " ";
            size_t space_n = 1;
            for (i = run; i < n && (k = utf8_space_len(s + i, n - i)) > 0; i += k) {
                if (nobreak_len(s + i, n - i) > 0) {
                    space = s + i;
                    space_n = k;
                }
            }
            if (!buf_append(out, space, space_n))
                return false;
            continue;
        }
        char c = s[run];
        const char *rep = c == '&'   ? "&amp;"
                          : c == '<' ? "&lt;"
                          : c == '>' ? "&gt;"
                          : c == '"' ? "&quot;"
                                     : "&#39;";
        if (!buf_append_str(out, rep))
            return false;
        i = run + 1;
    }
    return true;
}

/* Appends the words [s, e) of the n words, with what separates them, and the punctuation that
 * closes the last ("alimentation." or "(Lyon)"): what follows it up to a space or the next word. */
static bool passage_html(const char *text, size_t len, const word_t *w, size_t n, size_t s,
                         size_t e, buf_t *out) {
    if (s == 0 && !append_text(out, text, w[0].start, true)) /* what opens the text: "« " */
        return false;
    for (size_t i = s; i < e; i++) {
        if (i > s && !append_text(out, text + w[i - 1].end, w[i].start - w[i - 1].end, true))
            return false;
        bool mark = w[i].term >= 0;
        if ((mark && !buf_append_str(out, "<mark>")) ||
            !append_text(out, text + w[i].start, w[i].end - w[i].start, false) ||
            (mark && !buf_append_str(out, "</mark>")))
            return false;
    }
    size_t stop = w[e - 1].end, bound = e < n ? w[e].start : len;
    /* A no-break space binds what follows to the word ("jardin »"). */
    size_t k;
    while (stop < bound && ((k = utf8_space_len(text + stop, bound - stop)) == 0 ||
                            nobreak_len(text + stop, bound - stop) > 0))
        stop += k > 0 ? k : 1;
    return append_text(out, text + w[e - 1].end, stop - w[e - 1].end, false);
}

bool excerpt_html(const char *text, size_t len, const excerpt_terms_t *terms, buf_t *out) {
    size_t n = 0, s[2], e[2], np;
    bool ok = true;
    if (len > EXCERPT_TEXT_MAX) { /* cut at a character's first byte, never inside it */
        len = EXCERPT_TEXT_MAX;
        while (len > 0 && ((unsigned char)text[len] & 0xC0) == 0x80)
            len--;
    }
    word_t *w = words_read(text, len, terms, &n);
    if (w == NULL) {
        ok = false;
        goto done;
    }
    if (n == 0)
        goto done;
    np = passages_pick(w, n, s);
    for (size_t k = 0; k < np; k++) {
        e[k] = s[k] + EXCERPT_WORDS < n ? s[k] + EXCERPT_WORDS : n;
        /* Whole words only: "l'atelier" and "main-d'œuvre" are not cut after "l'" or "main-". */
        while (s[k] > 0 && w[s[k]].joined)
            s[k]--;
        while (e[k] < n && w[e[k]].joined)
            e[k]++;
    }
    if (np == 2 && s[1] < e[0]) /* widened into each other */
        s[1] = e[0];
    if (np == 2 && s[1] == e[0]) { /* the second right after the first: one passage */
        e[0] = e[1];
        np = 1;
    }
    for (size_t k = 0; ok && k < np; k++) {
        if (s[k] > 0 || k > 0)
            ok = buf_append_str(out, k > 0 ? " … " : "… ");
        ok = ok && passage_html(text, len, w, n, s[k], e[k], out);
    }
    if (ok && e[np - 1] < n)
        ok = buf_append_str(out, " …");
done:
    free(w);
    return ok;
}
