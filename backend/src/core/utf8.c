#include "core/utf8.h"

#include <string.h>

bool utf8_valid(const char *str, size_t n) {
    const unsigned char *s = (const unsigned char *)str;
    size_t i = 0;
    while (i < n) {
        unsigned c = s[i];
        if (c == 0)
            return false;
        if (c < 0x80) {
            i++;
            continue;
        }
        size_t len;
        unsigned cp;
        if (c >= 0xC2 && c <= 0xDF) {
            len = 2;
            cp = c & 0x1F;
        } else if (c >= 0xE0 && c <= 0xEF) {
            len = 3;
            cp = c & 0x0F;
        } else if (c >= 0xF0 && c <= 0xF4) {
            len = 4;
            cp = c & 0x07;
        } else {
            return false;
        }
        if (n - i < len)
            return false;
        for (size_t k = 1; k < len; k++) {
            if ((s[i + k] & 0xC0) != 0x80)
                return false;
            cp = (cp << 6) | (s[i + k] & 0x3F);
        }
        if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)))
            return false;
        if (cp >= 0xD800 && cp <= 0xDFFF)
            return false;
        i += len;
    }
    return true;
}

size_t utf8_prefix(const char *s, size_t max) {
    size_t n = 0;
    while (n < max && s[n])
        n++;
    if (s[n] == '\0' || n == 0)
        return n;
    /* s[n] is the first byte left out: back off while it continues the last kept character. */
    while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
        n--;
    return n;
}

/* The length of the white space at p that text is trimmed of: ASCII white space or U+00A0. */
static size_t utf8_space_len(const char *p, const char *end) {
    if (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
        return 1;
    if (end - p >= 2 && (unsigned char)p[0] == 0xc2 && (unsigned char)p[1] == 0xa0)
        return 2;
    return 0;
}

bool utf8_text_check(const char *s, bool multiline, bool allow_empty, bool trim, long long max,
                     size_t *start_out, size_t *len_out) {
    size_t n = strlen(s);
    const char *start = s, *end = s + n;
    if (trim) {
        size_t k;
        while ((k = utf8_space_len(start, end)) > 0)
            start += k;
        while (end > start) {
            if (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\n' || end[-1] == '\r')
                end--;
            else if (end - start >= 2 && (unsigned char)end[-2] == 0xc2 &&
                     (unsigned char)end[-1] == 0xa0)
                end -= 2;
            else
                break;
        }
    }
    long long chars = 0;
    for (const char *p = start; p < end; p++) {
        unsigned char c = (unsigned char)*p;
        if ((c & 0xc0) != 0x80)
            chars++;
        if ((c < 0x20 || c == 0x7f) && !(multiline && (c == '\n' || c == '\t' || c == '\r')))
            return false;
    }
    if (chars > max || (chars == 0 && !allow_empty))
        return false;
    *start_out = (size_t)(start - s);
    *len_out = (size_t)(end - start);
    return true;
}
