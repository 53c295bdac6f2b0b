/* linkify: plain text as safe HTML, with its web addresses made into links.
 *
 * Comments are stored exactly as typed and never interpreted as HTML. What is shown beside the
 * text (body_html) is the text with every character that means something in HTML escaped
 * (& < > " '), and every http:// or https:// address turned into
 * <a href="…" rel="nofollow ugc noopener">…</a>. No other scheme ever becomes a link
 * (javascript:, data:, mailto: stay text), so the only markup in the output is these anchors.
 * Line breaks are kept as they are (the page shows them with white-space: pre-wrap). */
#ifndef SC_LINKIFY_H
#define SC_LINKIFY_H

#include "core/buf.h"
#include "core/common.h"

/* The longest address made into a link; a longer one stays text (it is still escaped). */
#define LINKIFY_URL_MAX 2000

/* The rel of every link: nofollow and ugc (the text is written by members), noopener. */
#define LINKIFY_REL "nofollow ugc noopener"

/* Appends the HTML of text (len bytes, any bytes) to out. False when out's cap is reached (out is
 * then partly written: the caller discards it); a cap of LINKIFY_HTML_MAX(len) is never reached.
 * Runs in time linear in len. */
bool linkify_html(const char *text, size_t len, buf_t *out) MUST_CHECK;

/* A bound of the HTML of any text of n bytes: every byte may become "&quot;" (6) and be written
 * twice (in href and in the link's text), plus the markup of one link per 8 bytes ("http://x"). */
#define LINKIFY_HTML_MAX(n) (12 * (size_t)(n) + 64 * ((size_t)(n) / 8 + 1) + 1)

#endif
