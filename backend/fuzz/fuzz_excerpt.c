/* libFuzzer target: search excerpts, from the lexemes of a query (the first line) and an
 * initiative's text (the rest), both of outside origin. The excerpt must be valid UTF-8 when the
 * text is, and hold no markup but the <mark> tags it adds, balanced. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/utf8.h"
#include "domain/excerpt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    char query[1024];
    const uint8_t *nl = memchr(data, '\n', size);
    size_t qlen = nl ? (size_t)(nl - data) : size;
    if (qlen >= sizeof query || memchr(data, '\0', size))
        return 0;
    memcpy(query, data, qlen);
    query[qlen] = '\0';
    const char *text = nl ? (const char *)nl + 1 : "";
    size_t tlen = nl ? size - qlen - 1 : 0;
    excerpt_terms_t terms;
    (void)excerpt_terms_parse(query, &terms);
    buf_t out;
    buf_init(&out, 4 * EXCERPT_TEXT_MAX);
    if (excerpt_html(text, tlen, &terms, &out)) {
        const char *s = buf_cstr(&out);
        if (utf8_valid(text, tlen) && !utf8_valid(s, out.len))
            abort();
        int open = 0;
        for (const char *p = strchr(s, '<'); p; p = strchr(p + 1, '<')) {
            if (strncmp(p, "<mark>", 6) == 0 && open == 0)
                open = 1;
            else if (strncmp(p, "</mark>", 7) == 0 && open == 1)
                open = 0;
            else
                abort();
        }
        if (open)
            abort();
    }
    buf_free(&out);
    return 0;
}
