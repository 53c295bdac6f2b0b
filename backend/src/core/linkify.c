#include "core/linkify.h"

#include <string.h>
#include <strings.h>

/* Appends s[0..n) with & < > " ' escaped. */
static bool linkify_escape(buf_t *out, const char *s, size_t n) {
    size_t start = 0;
    for (size_t i = 0; i < n; i++) {
        const char *rep;
        switch (s[i]) {
        case '&':
            rep = "&amp;";
            break;
        case '<':
            rep = "&lt;";
            break;
        case '>':
            rep = "&gt;";
            break;
        case '"':
            rep = "&quot;";
            break;
        case '\'':
            rep = "&#39;";
            break;
        default:
            continue;
        }
        if (!buf_append(out, s + start, i - start) || !buf_append_str(out, rep))
            return false;
        start = i + 1;
    }
    return buf_append(out, s + start, n - start);
}

/* Whether byte c may be part of an address: printable ASCII but the characters that end an
 * address in running text or would break out of an attribute, or any byte of a multi-byte UTF-8
 * character (addresses with accents). Spaces and control characters end it. */
static bool linkify_url_byte(unsigned char c) {
    if (c >= 0x80)
        return true;
    if (c <= 0x20 || c == 0x7f)
        return false;
    return strchr("<>\"'`{}|\\^", c) == NULL;
}

/* Whether an address starts at text[i]: "http://" or "https://" (any case), not glued to a word
 * before it (so "xhttp://" is not one), followed by at least one character of a host. *scheme_len
 * receives 7 or 8. */
static bool linkify_starts(const char *text, size_t len, size_t i, size_t *scheme_len) {
    size_t n;
    if (len - i >= 8 && strncasecmp(text + i, "https://", 8) == 0)
        n = 8;
    else if (len - i >= 7 && strncasecmp(text + i, "http://", 7) == 0)
        n = 7;
    else
        return false;
    if (i > 0) {
        unsigned char before = (unsigned char)text[i - 1];
        if ((before >= '0' && before <= '9') || (before >= 'a' && before <= 'z') ||
            (before >= 'A' && before <= 'Z') || before == '/' || before == '@' || before >= 0x80)
            return false;
    }
    if (i + n >= len)
        return false;
    unsigned char host = (unsigned char)text[i + n];
    if (!((host >= '0' && host <= '9') || (host >= 'a' && host <= 'z') ||
          (host >= 'A' && host <= 'Z') || host == '[' || host >= 0x80))
        return false;
    *scheme_len = n;
    return true;
}

/* The length of the address starting at text[i] (after linkify_starts): up to the first byte that
 * cannot be part of one, without the punctuation that ends a sentence around it (« voir
 * https://a.fr/x. », « (https://a.fr) ») — a closing parenthesis stays when the address opened
 * one (Wikipedia's addresses). *run receives the length before trimming. 0 when nothing of a
 * host is left. */
static size_t linkify_url_len(const char *text, size_t len, size_t i, size_t scheme_len,
                              size_t *run) {
    size_t end = i;
    long depth = 0; /* parentheses opened minus closed in text[i..end) */
    while (end < len && linkify_url_byte((unsigned char)text[end])) {
        depth += text[end] == '(' ? 1 : text[end] == ')' ? -1 : 0;
        end++;
    }
    *run = end - i;
    while (end > i + scheme_len) {
        char c = text[end - 1];
        if (c == ')' && depth < 0)
            depth++;
        else if (strchr(".,;:!?", c) == NULL)
            break;
        end--;
    }
    return end > i + scheme_len ? end - i : 0;
}

bool linkify_html(const char *text, size_t len, buf_t *out) {
    size_t plain = 0; /* start of the text not written yet */
    size_t i = 0;
    while (i < len) {
        size_t scheme_len, n, run;
        if ((text[i] != 'h' && text[i] != 'H') || !linkify_starts(text, len, i, &scheme_len)) {
            i++;
            continue;
        }
        n = linkify_url_len(text, len, i, scheme_len, &run);
        if (n == 0 || n > LINKIFY_URL_MAX) {
            i += run; /* stays text, and is not searched again for addresses */
            continue;
        }
        if (!linkify_escape(out, text + plain, i - plain) || !buf_append_str(out, "<a href=\"") ||
            !linkify_escape(out, text + i, n) ||
            !buf_append_str(out, "\" rel=\"" LINKIFY_REL "\">") ||
            !linkify_escape(out, text + i, n) || !buf_append_str(out, "</a>"))
            return false;
        i += n;
        plain = i;
    }
    return linkify_escape(out, text + plain, len - plain);
}
