#include "harvest/charset.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* How far into a page a declaration is looked for: HTML5 asks for the first 1024 bytes, some
 * CMSs emit long heads, 4 KiB is a generous compromise. */
#define HV_CHARSET_SNIFF 4096

/* Windows-1252 0x80..0x9F; 0 marks the five undefined bytes. */
static const uint16_t cp1252_high[32] = {
        0x20AC, 0,      0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
        0x2039, 0x0152, 0,      0x017D, 0,      0,      0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
        0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0,      0x017E, 0x0178};

int hv_charset_from_name(const char *name, size_t len, hv_charset *out) {
    static const struct {
        const char *label;
        hv_charset cs;
    } labels[] = {
            {"utf-8", HV_CS_UTF8},         {"utf8", HV_CS_UTF8},
            {"us-ascii", HV_CS_UTF8},      {"ascii", HV_CS_UTF8},
            {"iso-8859-1", HV_CS_LATIN1},  {"iso8859-1", HV_CS_LATIN1},
            {"iso_8859-1", HV_CS_LATIN1},  {"latin1", HV_CS_LATIN1},
            {"latin-1", HV_CS_LATIN1},     {"l1", HV_CS_LATIN1},
            {"iso-8859-15", HV_CS_LATIN1}, {"windows-1252", HV_CS_CP1252},
            {"cp1252", HV_CS_CP1252},      {"x-cp1252", HV_CS_CP1252},
    };
    for (size_t i = 0; i < ARRAY_LEN(labels); i++) {
        if (strlen(labels[i].label) == len && strncasecmp(labels[i].label, name, len) == 0) {
            *out = labels[i].cs;
            return 0;
        }
    }
    return -1;
}

static bool is_label_char(unsigned char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_' || c == '.' || c == ':';
}

/* Reads a label after "charset" or "encoding" at p (end excluded): optional spaces, '=', optional
 * spaces and quote, then the label. */
static int label_after(const char *p, const char *end, hv_charset *out) {
    while (p < end && (*p == ' ' || *p == '\t'))
        p++;
    if (p >= end || *p != '=')
        return -1;
    p++;
    while (p < end && (*p == ' ' || *p == '\t' || *p == '"' || *p == '\''))
        p++;
    const char *start = p;
    while (p < end && is_label_char((unsigned char)*p))
        p++;
    if (p == start)
        return -1;
    return hv_charset_from_name(start, (size_t)(p - start), out);
}

/* Case-insensitive search of needle in [p, end). */
static const char *find_ci(const char *p, const char *end, const char *needle) {
    size_t n = strlen(needle);
    for (; p + n <= end; p++) {
        if (strncasecmp(p, needle, n) == 0)
            return p;
    }
    return NULL;
}

static int from_content_type(const char *ct, hv_charset *out) {
    if (ct == NULL)
        return -1;
    const char *end = ct + strlen(ct);
    const char *p = find_ci(ct, end, "charset");
    if (p == NULL)
        return -1;
    return label_after(p + 7, end, out);
}

static int from_document(const unsigned char *body, size_t len, hv_charset *out) {
    const char *p = (const char *)body;
    const char *end = p + (len < HV_CHARSET_SNIFF ? len : HV_CHARSET_SNIFF);
    const char *q = p;
    while (q < end && (*q == ' ' || *q == '\t' || *q == '\r' || *q == '\n'))
        q++;
    if (end - q >= 5 && strncmp(q, "<?xml", 5) == 0) {
        const char *close = find_ci(q, end, "?>");
        const char *enc = find_ci(q, close ? close : end, "encoding");
        if (enc != NULL && label_after(enc + 8, close ? close : end, out) == 0)
            return 0;
    }
    /* Every <meta …> tag: both <meta charset="…"> and <meta http-equiv="Content-Type"
     * content="text/html; charset=…"> carry the label after the word charset. */
    for (const char *m = find_ci(p, end, "<meta"); m != NULL; m = find_ci(m + 5, end, "<meta")) {
        const char *close = memchr(m, '>', (size_t)(end - m));
        const char *tag_end = close ? close : end;
        const char *cs = find_ci(m, tag_end, "charset");
        if (cs != NULL && label_after(cs + 7, tag_end, out) == 0)
            return 0;
    }
    return -1;
}

hv_charset hv_charset_detect(const char *content_type, const unsigned char *body, size_t len) {
    hv_charset cs;
    if (len >= 3 && body[0] == 0xEF && body[1] == 0xBB && body[2] == 0xBF)
        return HV_CS_UTF8;
    if (from_content_type(content_type, &cs) == 0)
        return cs;
    if (from_document(body, len, &cs) == 0)
        return cs;
    return HV_CS_UTF8;
}

static size_t put_utf8(char *o, uint32_t cp) {
    if (cp < 0x80) {
        o[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        o[0] = (char)(0xC0 | (cp >> 6));
        o[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        o[0] = (char)(0xE0 | (cp >> 12));
        o[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        o[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    o[0] = (char)(0xF0 | (cp >> 18));
    o[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    o[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    o[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/* Length of the well-formed UTF-8 sequence at s (n bytes available), 0 when malformed. */
static size_t utf8_seq(const unsigned char *s, size_t n) {
    unsigned char c = s[0];
    if (c < 0x80)
        return 1;
    size_t need;
    uint32_t min;
    uint32_t cp;
    if (c >= 0xC2 && c <= 0xDF) {
        need = 2;
        min = 0x80;
        cp = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
        need = 3;
        min = 0x800;
        cp = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        need = 4;
        min = 0x10000;
        cp = c & 0x07;
    } else {
        return 0;
    }
    if (n < need)
        return 0;
    for (size_t i = 1; i < need; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return need;
}

char *hv_charset_to_utf8(hv_charset cs, const unsigned char *body, size_t len, size_t *out_len) {
    /* Worst case: every byte becomes U+FFFD (3 bytes). The body is capped by the fetcher. */
    if (len > (SIZE_MAX - 1) / 3)
        return NULL;
    char *out = malloc(len * 3 + 1);
    if (out == NULL)
        return NULL;
    size_t o = 0;
    size_t i = 0;
    if (len >= 3 && body[0] == 0xEF && body[1] == 0xBB && body[2] == 0xBF)
        i = 3;
    while (i < len) {
        unsigned char c = body[i];
        if (c == 0) {
            o += put_utf8(out + o, 0xFFFD);
            i++;
        } else if (c < 0x80) {
            out[o++] = (char)c;
            i++;
        } else if (cs == HV_CS_UTF8) {
            size_t n = utf8_seq(body + i, len - i);
            if (n == 0) {
                o += put_utf8(out + o, 0xFFFD);
                i++;
            } else {
                memcpy(out + o, body + i, n);
                o += n;
                i += n;
            }
        } else {
            uint32_t cp = c;
            if (c < 0xA0)
                cp = cp1252_high[c - 0x80] ? cp1252_high[c - 0x80] : 0xFFFD;
            o += put_utf8(out + o, cp);
            i++;
        }
    }
    out[o] = '\0';
    *out_len = o;
    return out;
}
