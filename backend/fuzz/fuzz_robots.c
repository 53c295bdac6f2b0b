/* libFuzzer target: robots.txt files as servers send them. The first bytes up to a newline are
 * used as a path to check, the rest as the file; whatever the input, parsing and matching must
 * stay in bounds and robots.txt itself must stay allowed. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "harvest/robots.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    const char *text = (const char *)data;
    const char *nl = memchr(text, '\n', size < 256 ? size : 256);
    size_t plen = nl ? (size_t)(nl - text) : 0;
    char path[257];
    memcpy(path, text, plen);
    path[plen] = '\0';
    if (nl) {
        text = nl + 1;
        size -= plen + 1;
    }
    hv_robots *r = hv_robots_parse(text, size, "SocialConnect");
    if (r == NULL)
        return 0;
    (void)hv_robots_allowed(r, path);
    (void)hv_robots_allowed(r, "/a/b.pdf?x=1");
    if (!hv_robots_allowed(r, "/robots.txt"))
        abort();
    int d = hv_robots_crawl_delay_ms(r);
    if (d < 0 || d > HV_ROBOTS_MAX_CRAWL_DELAY_MS)
        abort();
    hv_robots_free(r);
    return 0;
}
