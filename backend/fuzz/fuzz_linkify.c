/* libFuzzer target: the linkifier of comments, whose input is anything a member types. Its output
 * must be valid UTF-8 when the text is, hold no markup but its own anchors — each
 * <a href="http(s)://…" rel="nofollow ugc noopener">…</a>, with no quote, < or > inside the
 * address — and the text back once the anchors are dropped and the entities decoded. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/linkify.h"
#include "core/utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Decodes the five entities linkify writes; false for any other use of &. */
static bool decode_entity(const char **p, char *out) {
    static const struct {
        const char *name;
        char c;
    } entities[] = {{"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'}, {"&quot;", '"'}, {"&#39;", '\''}};
    for (size_t i = 0; i < sizeof entities / sizeof entities[0]; i++) {
        size_t n = strlen(entities[i].name);
        if (strncmp(*p, entities[i].name, n) == 0) {
            *out = entities[i].c;
            *p += n;
            return true;
        }
    }
    return false;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    const char *text = (const char *)data;
    if (memchr(data, '\0', size))
        return 0; /* comments never hold a NUL (body.c refuses it) */
    buf_t out;
    buf_init(&out, LINKIFY_HTML_MAX(size));
    if (!linkify_html(text, size, &out))
        abort(); /* the bound must always hold */
    if (!buf_append(&out, "", 0))
        abort();
    const char *s = buf_cstr(&out);
    if (utf8_valid(text, size) && !utf8_valid(s, out.len))
        abort();
    /* Walk the output: text, entities, and whole anchors only. */
    char *back = malloc(size + 1);
    if (back == NULL)
        abort();
    size_t n = 0;
    static const char rel[] = "\" rel=\"" LINKIFY_REL "\">";
    for (const char *p = s; *p;) {
        if (*p == '<') {
            if (strncmp(p, "<a href=\"", 9) != 0)
                abort();
            p += 9;
            if (strncasecmp(p, "http://", 7) != 0 && strncasecmp(p, "https://", 8) != 0)
                abort();
            const char *end = strchr(p, '"');
            if (end == NULL || memchr(p, '<', (size_t)(end - p)) ||
                memchr(p, '>', (size_t)(end - p)))
                abort();
            size_t hlen = (size_t)(end - p);
            if (strncmp(end, rel, sizeof rel - 1) != 0)
                abort();
            const char *inner = end + sizeof rel - 1;
            /* The link's text is the address itself. */
            if (strncmp(inner, p, hlen) != 0 || strncmp(inner + hlen, "</a>", 4) != 0)
                abort();
            p = inner; /* the text of the link is decoded below as text */
            const char *stop = inner + hlen;
            while (p < stop) {
                char c = *p;
                if (c == '&' && !decode_entity(&p, &c))
                    abort();
                else if (c != '&')
                    p++;
                if (n >= size)
                    abort();
                back[n++] = c;
            }
            p += 4;
            continue;
        }
        if (*p == '>' || *p == '"' || *p == '\'')
            abort();
        char c = *p;
        if (c == '&') {
            if (!decode_entity(&p, &c))
                abort();
        } else {
            p++;
        }
        if (n >= size)
            abort();
        back[n++] = c;
    }
    if (n != size || memcmp(back, text, size) != 0)
        abort();
    free(back);
    buf_free(&out);
    return 0;
}
