/* utf8: strict validation of UTF-8 text received from outside. */
#ifndef SC_UTF8_H
#define SC_UTF8_H

#include <stdint.h>

#include "core/common.h"

/* True when the n bytes are well-formed UTF-8: no overlong forms, no surrogates, nothing above
 * U+10FFFF, and no NUL byte (a NUL can never be stored in PostgreSQL text). */
bool utf8_valid(const char *s, size_t n);

/* The length of the longest prefix of s (valid UTF-8, NUL-terminated) of at most max bytes that
 * does not cut a character: for quoting a value in a message ("%.*s") without making it invalid. */
size_t utf8_prefix(const char *s, size_t max);

/* White space, the one definition of it for text (trimming, collapsing, separating words):
 * Unicode's White_Space property — U+0009..U+000D, U+0020, U+0085, U+00A0, U+1680, U+2000..U+200A,
 * U+2028, U+2029, U+202F, U+205F, U+3000 — plus two invisible characters French text carries
 * between words: U+200B (zero-width space) and U+FEFF (a stray byte-order mark). The no-break
 * spaces typed before ':' or inside « » are among them. */
bool utf8_is_space_cp(uint32_t cp);

#define UTF8_SPACE_MAX 3 /* bytes of the longest white-space character */

/* The length in bytes of the white-space character (utf8_is_space_cp) that s starts with, of the n
 * bytes available, or 0 when s does not start with one (or n is 0). s need not be NUL-terminated
 * nor valid UTF-8: a malformed sequence is not white space. Reading stops at the first byte that
 * cannot continue the character, so for a NUL-terminated s, n = UTF8_SPACE_MAX is safe. */
size_t utf8_space_len(const char *s, size_t n);

/* Checks text typed by a person (valid UTF-8, NUL-terminated): trimmed of white space
 * (utf8_is_space_cp) around it, it must count at most max characters (code points), at least one
 * unless allow_empty, and hold no control character — except line breaks and tabs when multiline.
 * On success *start and *len describe the trimmed text inside s. */
bool utf8_text_check(const char *s, bool multiline, bool allow_empty, bool trim, long long max,
                     size_t *start, size_t *len) MUST_CHECK;

#endif
