/* libFuzzer target: request parsing (path decoding, query strings, UTF-8, request ids).
 * Input layout: method NUL request_uri NUL query_string NUL request_id. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/utf8.h"
#include "server/request.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    char *copy = malloc(size + 4);
    if (copy == NULL)
        return 0;
    memcpy(copy, data, size);
    memset(copy + size, 0, 4);
    const char *parts[4];
    const char *p = copy;
    for (int i = 0; i < 4; i++) {
        parts[i] = p;
        p += strlen(p);
        if (p < copy + size)
            p++;
    }
    req_t req;
    req_status st = req_parse(&req, parts[0], parts[1], parts[2], parts[3], 4096);
    if (st == REQ_OK) {
        /* What the handlers rely on: a valid UTF-8 path and a safe request id. */
        if (!utf8_valid(req.path, strlen(req.path)) || !req_id_is_safe(req.request_id))
            abort();
        for (size_t i = 0; i < req.query.n; i++)
            if (req.query.params[i].key == NULL || req.query.params[i].value == NULL)
                abort();
    }
    req_free(&req);
    free(copy);
    return 0;
}
