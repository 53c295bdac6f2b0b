#include "core/fold.h"

#include "core/utf8.h"

/* Decodes one code point of (assumed valid) UTF-8; returns its length, 1 for a stray byte. */
size_t fold_decode(const unsigned char *s, size_t n, uint32_t *cp) {
    unsigned char c = s[0];
    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    size_t need = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 0;
    if (need == 0 || need > n) {
        *cp = 0xFFFD;
        return 1;
    }
    uint32_t v = c & (0x3F >> (need - 1));
    for (size_t i = 1; i < need; i++) {
        if ((s[i] & 0xC0) != 0x80) {
            *cp = 0xFFFD;
            return 1;
        }
        v = (v << 6) | (s[i] & 0x3F);
    }
    *cp = v;
    return need;
}

/* The ASCII replacement of a Latin-1 / Latin Extended-A letter, or NULL. */
const char *fold_latin(uint32_t cp) {
    /* U+00C0..U+00FF, lower-cased and without accents; "" keeps the character. */
    static const char *const latin1[64] = {
            "a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i",  "i",
            "d", "n", "o", "o", "o", "o", "o",  "",  "o", "u", "u", "u", "u", "y", "th", "ss",
            "a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i",  "i",
            "d", "n", "o", "o", "o", "o", "o",  "",  "o", "u", "u", "u", "u", "y", "th", "y"};
    if (cp >= 0xC0 && cp <= 0xFF)
        return latin1[cp - 0xC0][0] ? latin1[cp - 0xC0] : NULL;
    switch (cp) {
    case 0x152:
    case 0x153:
        return "oe";
    case 0x160:
    case 0x161:
        return "s";
    case 0x178:
        return "y";
    case 0x17D:
    case 0x17E:
        return "z";
    case 0x2018:
    case 0x2019:
    case 0x02BC:
        return "'";
    default:
        return NULL;
    }
}

bool fold_text(const char *s, size_t n, buf_t *out) {
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    bool pending_space = false;
    bool any = false;
    while (i < n) {
        uint32_t cp;
        size_t k = fold_decode(p + i, n - i, &cp);
        if (utf8_is_space_cp(cp)) {
            pending_space = any;
            i += k;
            continue;
        }
        if (pending_space && !buf_append(out, " ", 1))
            return false;
        pending_space = false;
        any = true;
        const char *rep = fold_latin(cp);
        bool ok;
        if (rep != NULL) {
            ok = buf_append_str(out, rep);
        } else if (cp < 0x80) {
            char c = (char)(cp >= 'A' && cp <= 'Z' ? cp + 32 : cp);
            ok = buf_append(out, &c, 1);
        } else {
            ok = buf_append(out, p + i, k);
        }
        if (!ok)
            return false;
        i += k;
    }
    return true;
}
