/* libFuzzer target: the parsing half of the geocoder (codes, départements, CEDEX, the words that
 * may name the commune) on any text the API would accept. Every token and candidate must lie
 * inside the query, and rebuilding a candidate's text must stay within its buffer. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/utf8.h"
#include "domain/geoparse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    char q[501];
    geoparse_t gp;
    char text[256];
    if (size > 500 || !utf8_valid((const char *)data, size))
        return 0;
    memcpy(q, data, size);
    q[size] = '\0';
    geoparse_run(q, &gp);
    if (gp.ntokens < 0 || gp.ntokens > GEOPARSE_TOKENS_MAX || gp.nngrams < 0 ||
        gp.nngrams > GEOPARSE_NGRAMS_MAX)
        abort();
    for (int i = 0; i < gp.ntokens; i++)
        if (gp.tokens[i].start < q || gp.tokens[i].start + gp.tokens[i].len > q + size)
            abort();
    for (int i = 0; i < gp.nngrams; i++) {
        const geoparse_ngram_t *n = &gp.ngrams[i];
        if (n->first < 0 || n->count < 1 || n->first + n->count > gp.ntokens)
            abort();
        size_t len = geoparse_text(&gp, n->first, n->count, text, sizeof text);
        if (len >= sizeof text || strlen(text) != len)
            abort();
    }
    return 0;
}
