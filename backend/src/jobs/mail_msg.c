#include "jobs/mail_msg.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/b64url.h"
#include "core/utf8.h"

#define LINE_MAX_CHARS 76 /* RFC 2045 for quoted-printable, and our header folding */

static bool printable_ascii(const char *s, bool space_ok) {
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c < 0x20 || c > 0x7e || (c == ' ' && !space_ok))
            return false;
    }
    return true;
}

bool mail_addr_ok(const char *addr) {
    size_t n = strlen(addr);
    const char *at = strchr(addr, '@');
    if (n == 0 || n > MAIL_ADDR_MAX || at == NULL || at == addr || at[1] == '\0' ||
        strchr(at + 1, '@') != NULL || !printable_ascii(addr, false))
        return false;
    return strpbrk(addr, "<>\"(),;:\\[]") == NULL;
}

/* No control character (CR, LF, tab, DEL…): a header value from data stays one header. */
static bool no_controls(const char *s) {
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c < 0x20 || c == 0x7f)
            return false;
    }
    return true;
}

bool mail_from_parse(const char *from, char *name, size_t namelen, char addr[MAIL_ADDR_MAX + 1]) {
    const char *lt = strrchr(from, '<');
    size_t n;
    name[0] = '\0';
    if (!no_controls(from))
        return false;
    if (lt == NULL) {
        n = strlen(from);
        if (n > MAIL_ADDR_MAX)
            return false;
        memcpy(addr, from, n + 1);
        return mail_addr_ok(addr);
    }
    const char *gt = strchr(lt, '>');
    if (gt == NULL || gt[1] != '\0' || (size_t)(gt - lt - 1) > MAIL_ADDR_MAX)
        return false;
    n = (size_t)(gt - lt - 1);
    memcpy(addr, lt + 1, n);
    addr[n] = '\0';
    n = (size_t)(lt - from);
    while (n > 0 && from[n - 1] == ' ')
        n--;
    if (n >= namelen)
        return false;
    memcpy(name, from, n);
    name[n] = '\0';
    return mail_addr_ok(addr);
}

/* Standard base64 (RFC 2047 "B" uses it, with padding), from the base64url of core/b64url. */
static bool b64_std(const unsigned char *in, size_t n, char *out, size_t outlen) {
    if (!b64url_encode(in, n, out, outlen))
        return false;
    size_t len = strlen(out);
    for (size_t i = 0; i < len; i++)
        out[i] = out[i] == '-' ? '+' : out[i] == '_' ? '/' : out[i];
    while (len % 4 != 0 && len + 1 < outlen)
        out[len++] = '=';
    out[len] = '\0';
    return len % 4 == 0;
}

bool mail_encode_words(buf_t *out, const char *value, size_t first_line_used) {
    size_t n = strlen(value);
    if (printable_ascii(value, true) && first_line_used + n <= LINE_MAX_CHARS &&
        strstr(value, "=?") == NULL)
        return buf_append(out, value, n);
    /* Each word fits its line: "=?UTF-8?B?" and "?=" take 12 characters, base64 4 for every 3
     * bytes; a continuation line starts with a space. */
    size_t i = 0, used = first_line_used;
    bool first = true;
    while (i < n) {
        size_t room = used + 12 + 4 < LINE_MAX_CHARS ? (LINE_MAX_CHARS - used - 12) / 4 * 3 : 3;
        size_t take = n - i < room ? n - i : room;
        while (take > 0 && i + take < n && ((unsigned char)value[i + take] & 0xC0) == 0x80)
            take--; /* never split a character between two words */
        if (take == 0)
            return false;
        char b64[80];
        if (!b64_std((const unsigned char *)value + i, take, b64, sizeof b64) ||
            !buf_appendf(out, "%s=?UTF-8?B?%s?=", first ? "" : "\r\n ", b64))
            return false;
        first = false;
        used = 1;
        i += take;
    }
    return true;
}

static bool header(buf_t *out, const char *name, const char *value) {
    return buf_appendf(out, "%s: %s\r\n", name, value);
}

/* A header value of printable ASCII, folded at spaces when longer than a line. */
static bool header_folded(buf_t *out, const char *name, const char *value) {
    size_t used = strlen(name) + 2;
    if (!buf_appendf(out, "%s:", name))
        return false;
    const char *p = value;
    while (*p) {
        const char *sp = strchr(p + 1, ' ');
        size_t word = sp ? (size_t)(sp - p) : strlen(p);
        if (used + word + 1 > LINE_MAX_CHARS && used > strlen(name) + 2) {
            if (!buf_append_str(out, "\r\n"))
                return false;
            used = 0;
        }
        if (*p != ' ' && !buf_append_str(out, " "))
            return false;
        if (!buf_append(out, p, word))
            return false;
        used += word + 1;
        p += word;
    }
    return buf_append_str(out, "\r\n");
}

/* Quoted-printable (RFC 2045 §6.7) with CRLF line ends, soft breaks before 76 characters, and
 * a leading dot encoded so that no line of the body starts with one. */
static bool body_qp(buf_t *out, const char *body) {
    size_t col = 0;
    for (const unsigned char *p = (const unsigned char *)body; *p; p++) {
        unsigned char c = *p;
        char enc[4];
        if (c == '\r' && p[1] == '\n')
            continue;
        if (c == '\n') {
            if (!buf_append_str(out, "\r\n"))
                return false;
            col = 0;
            continue;
        }
        bool at_end = p[1] == '\0' || p[1] == '\n' || (p[1] == '\r' && p[2] == '\n');
        bool literal = (c >= 33 && c <= 126 && c != '=') || ((c == ' ' || c == '\t') && !at_end);
        if (c == '.' && col == 0)
            literal = false;
        size_t len = literal ? 1 : 3;
        if (literal)
            enc[0] = (char)c, enc[1] = '\0';
        else
            snprintf(enc, sizeof enc, "=%02X", c);
        if (col + len > LINE_MAX_CHARS - 1) { /* room for the "=" of the soft break */
            if (!buf_append_str(out, "=\r\n"))
                return false;
            col = 0;
            if (c == '.' && literal) {
                snprintf(enc, sizeof enc, "=%02X", c);
                len = 3;
            }
        }
        if (!buf_append(out, enc, len))
            return false;
        col += len;
    }
    return buf_append_str(out, "\r\n");
}

static const char *const reserved[] = {"From",         "To",
                                       "Cc",           "Bcc",
                                       "Subject",      "Date",
                                       "Message-ID",   "MIME-Version",
                                       "Content-Type", "Content-Transfer-Encoding",
                                       "Sender",       "Reply-To",
                                       "Return-Path",  NULL};

static bool header_name_ok(const char *name) {
    size_t n = strlen(name);
    if (n == 0 || n > 64)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = name[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '-'))
            return false;
    }
    for (size_t i = 0; reserved[i]; i++)
        if (strcasecmp(name, reserved[i]) == 0)
            return false;
    return true;
}

bool mail_msg_format(const mail_msg_t *m, buf_t *out, char *err, size_t errlen) {
    char date[64];
    struct tm tm;
    const char *why = NULL;
    if (!mail_addr_ok(m->from_addr))
        why = "invalid sender address";
    else if (!mail_addr_ok(m->to))
        why = "invalid recipient address";
    else if (!no_controls(m->subject) || !utf8_valid(m->subject, strlen(m->subject)))
        why = "the subject holds a control character or invalid UTF-8";
    else if (m->from_name &&
             (!no_controls(m->from_name) || !utf8_valid(m->from_name, strlen(m->from_name))))
        why = "the sender's name holds a control character or invalid UTF-8";
    else if (!printable_ascii(m->message_id, false) || m->message_id[0] != '<')
        why = "invalid Message-ID";
    else if (!utf8_valid(m->body, strlen(m->body)))
        why = "the body is not valid UTF-8";
    if (why)
        goto failed;
    if (m->headers) {
        const char *name;
        json_t *v;
        json_object_foreach((json_t *)m->headers, name, v) {
            if (!header_name_ok(name)) {
                why = "an extra header's name is refused";
                goto failed;
            }
            if (!json_is_string(v) || !printable_ascii(json_string_value(v), true) ||
                strlen(json_string_value(v)) > 900) {
                why = "an extra header's value is not one line of printable ASCII";
                goto failed;
            }
        }
    }
    why = "the message is too large";
    if (m->from_name && m->from_name[0]) {
        if (!buf_append_str(out, "From: ") || !mail_encode_words(out, m->from_name, 6) ||
            !buf_appendf(out, " <%s>\r\n", m->from_addr))
            goto failed;
    } else if (!header(out, "From", m->from_addr)) {
        goto failed;
    }
    gmtime_r(&m->date, &tm);
    strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S +0000", &tm);
    if (!header(out, "To", m->to) || !buf_append_str(out, "Subject: ") ||
        !mail_encode_words(out, m->subject, 9) || !buf_append_str(out, "\r\n") ||
        !header(out, "Date", date) || !header(out, "Message-ID", m->message_id) ||
        !header(out, "MIME-Version", "1.0") ||
        !header(out, "Content-Type", "text/plain; charset=utf-8") ||
        !header(out, "Content-Transfer-Encoding", "quoted-printable"))
        goto failed;
    if (m->headers) {
        const char *name;
        json_t *v;
        json_object_foreach((json_t *)m->headers, name, v) {
            if (!header_folded(out, name, json_string_value(v)))
                goto failed;
        }
    }
    if (!buf_append_str(out, "\r\n") || !body_qp(out, m->body))
        goto failed;
    return true;

failed:
    snprintf(err, errlen, "%s", why);
    return false;
}
