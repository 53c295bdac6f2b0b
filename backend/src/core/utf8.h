/* utf8: strict validation of UTF-8 text received from outside. */
#ifndef SC_UTF8_H
#define SC_UTF8_H

#include "core/common.h"

/* True when the n bytes are well-formed UTF-8: no overlong forms, no surrogates, nothing above
 * U+10FFFF, and no NUL byte (a NUL can never be stored in PostgreSQL text). */
bool utf8_valid(const char *s, size_t n);

/* The length of the longest prefix of s (valid UTF-8, NUL-terminated) of at most max bytes that
 * does not cut a character: for quoting a value in a message ("%.*s") without making it invalid. */
size_t utf8_prefix(const char *s, size_t max);

/* Checks text typed by a person (valid UTF-8, NUL-terminated): trimmed of ASCII white space and
 * U+00A0 around it, it must count at most max characters (code points), at least one unless
 * allow_empty, and hold no control character — except line breaks and tabs when multiline. On
 * success *start and *len describe the trimmed text inside s. */
bool utf8_text_check(const char *s, bool multiline, bool allow_empty, bool trim, long long max,
                     size_t *start, size_t *len) MUST_CHECK;

#endif
