/* libFuzzer target: source documents are files written by hand; whatever their bytes, parsing
 * must either refuse them with a message or give a source whose accessors all work. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "harvest/extract.h"
#include "harvest/source_doc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    hv_source *src = NULL;
    char err[HV_ERR_MAX];
    setenv("SC_FIXTURE_PORT", "8080", 0);
    if (hv_source_parse((const char *)data, size, &src, err) != 0) {
        if (src != NULL || err[0] == '\0' || strlen(err) >= HV_ERR_MAX)
            abort();
        return 0;
    }
    json_t *first = hv_source_first_pages(src);
    if (first == NULL || json_array_size(first) == 0)
        abort();
    char *u = hv_source_page_url(src, json_string_value(json_array_get(first, 0)), 3);
    free(u);
    json_decref(first);
    if (hv_source_slug(src)[0] == '\0' || hv_source_homepage(src)[0] == '\0')
        abort();
    hv_source_free(src);
    return 0;
}
