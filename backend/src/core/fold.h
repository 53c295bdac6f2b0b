/* fold: text compared without case or accents — the way the harvester matches labels and the way
 * search excerpts find a query's words (PostgreSQL's unaccent + lower, for the Latin letters of
 * French). */
#ifndef SC_FOLD_H
#define SC_FOLD_H

#include <stdint.h>

#include "core/buf.h"
#include "core/common.h"

/* Decodes one code point of (assumed valid) UTF-8 from the n > 0 bytes at s; returns its length,
 * 1 with U+FFFD for a stray or truncated byte. */
size_t fold_decode(const unsigned char *s, size_t n, uint32_t *cp);

/* The lower-case ASCII replacement of a Latin-1 / Latin Extended-A letter (é→"e", Œ→"oe",
 * ß→"ss"), "'" for a typographic apostrophe, or NULL when cp is none of these. Static storage. */
const char *fold_latin(uint32_t cp);

/* Appends to out the folded form of the n bytes of UTF-8 text s: lower case, Latin letters without
 * their accents, typographic apostrophes as "'", runs of white space (NBSP included) as one space,
 * no leading or trailing space. Characters outside Latin-1 and Latin Extended-A are kept as they
 * are. Returns false when out reaches its cap or memory runs out. */
bool fold_text(const char *s, size_t n, buf_t *out) MUST_CHECK;

#endif
