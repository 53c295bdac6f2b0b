/* hv_charset: the character set of a fetched page, and its conversion to UTF-8.
 *
 * Sources publish in UTF-8, ISO-8859-1 or Windows-1252, and often say so only in the page itself.
 * Everything downstream (libxml2 with the encoding forced, jansson, the CSV reader, PostgreSQL)
 * gets valid UTF-8 without NUL bytes, whatever the bytes received. */
#ifndef SC_HV_CHARSET_H
#define SC_HV_CHARSET_H

#include <stddef.h>

#include "core/common.h"

typedef enum hv_charset { HV_CS_UTF8, HV_CS_LATIN1, HV_CS_CP1252 } hv_charset;

/* Maps a charset label ("utf-8", "ISO-8859-1", "latin1", "windows-1252", "us-ascii", …) to a
 * charset. Returns 0, or -1 for a label we do not decode. */
int hv_charset_from_name(const char *name, size_t len, hv_charset *out) MUST_CHECK;

/* Detection for encoding "auto": a UTF-8 byte-order mark, then the charset parameter of
 * content_type (may be NULL), then <meta charset> / <meta http-equiv> or the XML declaration in
 * the first 4 KiB of body, then UTF-8. Unknown labels are skipped. */
hv_charset hv_charset_detect(const char *content_type, const unsigned char *body, size_t len);

/* Converts len bytes of body from cs to UTF-8. Bytes that are not valid in cs (malformed UTF-8)
 * and NUL bytes become U+FFFD; a UTF-8 byte-order mark is dropped. ISO-8859-1 is decoded as
 * Windows-1252, as browsers do, since 0x80–0x9F are never meant as C1 controls on the web.
 * Returns a new NUL-terminated string (caller frees) and its length in *out_len, or NULL when out
 * of memory. */
char *hv_charset_to_utf8(hv_charset cs, const unsigned char *body, size_t len, size_t *out_len);

#endif
