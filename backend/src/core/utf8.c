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

bool utf8_is_space_cp(uint32_t cp) {
    return (cp >= 0x09 && cp <= 0x0D) || cp == 0x20 || cp == 0x85 || cp == 0xA0 || cp == 0x1680 ||
           (cp >= 0x2000 && cp <= 0x200B) || cp == 0x2028 || cp == 0x2029 || cp == 0x202F ||
           cp == 0x205F || cp == 0x3000 || cp == 0xFEFF;
}

size_t utf8_space_len(const char *str, size_t n) {
    const unsigned char *s = (const unsigned char *)str;
    if (n == 0)
        return 0;
    if (s[0] < 0x80)
        return utf8_is_space_cp(s[0]) ? 1 : 0;
    /* Every white-space character above ASCII is two or three bytes long. */
    if (n >= 2 && s[0] == 0xC2 && (s[1] & 0xC0) == 0x80)
        return utf8_is_space_cp(s[1]) ? 2 : 0; /* U+0080..U+00BF: the code point is s[1] */
    if (n >= 3 && (s[0] & 0xF0) == 0xE0 && (s[1] & 0xC0) == 0x80 && (s[2] & 0xC0) == 0x80) {
        uint32_t cp =
                ((uint32_t)(s[0] & 0x0F) << 12) | ((uint32_t)(s[1] & 0x3F) << 6) | (s[2] & 0x3F);
        return cp >= 0x800 && utf8_is_space_cp(cp) ? 3 : 0;
    }
    return 0;
}

bool utf8_text_check(const char *s, bool multiline, bool allow_empty, bool trim, long long max,
                     size_t *start_out, size_t *len_out) {
    size_t n = strlen(s);
    const char *start = s, *end = s + n;
    if (trim) {
        size_t k;
        while ((k = utf8_space_len(start, (size_t)(end - start))) > 0)
            start += k;
        const char *last = start; /* the end of the last character that is not white space */
        for (const char *p = start; p < end; p += k) {
            k = utf8_space_len(p, (size_t)(end - p));
            if (k == 0) {
                k = 1;
                last = p + 1;
            }
        }
        end = last;
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
