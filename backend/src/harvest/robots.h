/* hv_robots: robots.txt rules for one host, as RFC 9309 reads them.
 *
 * The parser keeps only what concerns us: the groups whose User-agent names our product token
 * (compared without case, "SocialConnect/2" names "SocialConnect"), or, when no group does, the
 * groups for "*". Several matching groups are merged, as the RFC asks. A URL's path (with its
 * query) is allowed unless the longest matching rule is a Disallow; on a tie Allow wins. Rules may
 * use `*` (any run of characters) and a final `$` (end of the path). Crawl-delay, not in the RFC
 * but widely used, is kept as a minimum delay between two requests. */
#ifndef SC_HV_ROBOTS_H
#define SC_HV_ROBOTS_H

#include <stddef.h>

#include "core/common.h"

/* The RFC asks crawlers to parse at least 500 KiB; anything past this is ignored, so a huge or
 * endless robots.txt costs a bounded amount of memory. */
#define HV_ROBOTS_MAX_BYTES (512 * 1024)

/* A Crawl-delay larger than this is taken as this: a hostile or mistyped value ("3600") must not
 * stall a run for hours; 60 s is also the largest delay a source document may ask for. */
#define HV_ROBOTS_MAX_CRAWL_DELAY_MS 60000

typedef struct hv_robots hv_robots;

/* Parses len bytes of robots.txt (at most HV_ROBOTS_MAX_BYTES are read; the text need not be
 * NUL-terminated) for the product token `agent` (e.g. "SocialConnect"). Never fails on content:
 * lines it does not understand are skipped. Returns NULL only when out of memory. The caller owns
 * the result and frees it with hv_robots_free. */
hv_robots *hv_robots_parse(const char *text, size_t len, const char *agent);
void hv_robots_free(hv_robots *r);

/* Whether path_and_query ("/a/b?c=d", as sent in the request line; "" counts as "/") may be
 * fetched. "/robots.txt" is always allowed. */
bool hv_robots_allowed(const hv_robots *r, const char *path_and_query);

/* The Crawl-delay that applies to us in milliseconds (capped at HV_ROBOTS_MAX_CRAWL_DELAY_MS), or
 * 0 when none was given. */
int hv_robots_crawl_delay_ms(const hv_robots *r);

/* How many rules apply to us (for tests and logs). */
size_t hv_robots_rule_count(const hv_robots *r);

#endif
