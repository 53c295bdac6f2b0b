/* hv_transform: the value transforms of field specs (docs/sources.md, "transforms"), and the text
 * helpers the record finisher shares with them.
 *
 * Every function here takes NUL-terminated UTF-8 and returns a new malloc'd string the caller
 * frees, or NULL only when out of memory. Results are capped at HV_VALUE_MAX bytes (cut at a
 * character boundary), so no input can make a value grow without bound. */
#ifndef SC_HV_TRANSFORM_H
#define SC_HV_TRANSFORM_H

#include <jansson.h>
#include <regex.h>

#include "core/common.h"

#define HV_VALUE_MAX 50000 /* bytes of one field value */
#define HV_LIST_MAX  100   /* values of one field */

typedef enum hv_transform_kind {
    HV_TR_TRIM,
    HV_TR_COLLAPSE,
    HV_TR_STRIP_HTML,
    HV_TR_LOWER,
    HV_TR_ABSOLUTE_URL,
    HV_TR_REGEX,
    HV_TR_SPLIT,
    HV_TR_DATE,
    HV_TR_REPLACE,
} hv_transform_kind;

typedef enum hv_date_mode { HV_DATE_AUTO, HV_DATE_ISO, HV_DATE_FR } hv_date_mode;

typedef struct hv_transform {
    hv_transform_kind kind;
    hv_date_mode date_mode;
    char *a;    /* owned: split separator, replace's "from" */
    char *b;    /* owned: replace's "to" */
    regex_t re; /* compiled when has_re */
    bool has_re;
} hv_transform;

/* Compiles one element of a "transforms" array. On failure returns -1 with err set (without the
 * key prefix: the caller adds "fields.x.transforms[2]"). The caller releases t with
 * hv_transform_clear in both cases. */
int hv_transform_parse(const json_t *spec, hv_transform *t, char *err, size_t errlen) MUST_CHECK;
void hv_transform_clear(hv_transform *t);

/* Applies t to every string of values (a JSON array) and returns a new array (caller owns) of at
 * most HV_LIST_MAX strings, or NULL when out of memory. base_url (may be NULL) resolves
 * absolute_url. split turns one value into several. */
json_t *hv_transform_apply(const hv_transform *t, const json_t *values, const char *base_url);

char *hv_text_trim(const char *s);
/* Runs of white space (utf8_is_space_cp: no-break and thin spaces included) to one space, trimmed.
 */
char *hv_text_collapse(const char *s);
/* Tags removed (script and style with their content), entities decoded. With paragraphs, block
 * elements and <br> become line breaks and blank lines are kept between paragraphs; without,
 * the result is collapsed to one line. */
char *hv_text_strip_html(const char *s, bool paragraphs);
/* Lower case for ASCII, Latin-1 and Latin Extended-A letters. */
char *hv_text_lower(const char *s);
/* ref resolved against base (RFC 3986). Returns "" when the result is not an http(s) URL. */
char *hv_text_absolute_url(const char *base, const char *ref);
/* The first capture group of re in s, or the whole match; "" when re does not match. */
char *hv_text_regex(const regex_t *re, const char *s);
/* Every occurrence of from (non-empty) replaced by to. */
char *hv_text_replace(const char *s, const char *from, const char *to);
/* The first date found in s: "2019-03-01", "01/03/2019", "1er mars 2019", "Fri, 01 Mar 2019",
 * "mars 2019", "2019" give "2019-03-01", "2019-03" or "2019". Full dates are preferred to months,
 * months to years, wherever they are in s. mode ISO accepts only year-first numeric forms, FR
 * only day-first and French/English month names, AUTO both. "" when nothing matches. */
char *hv_text_date(const char *s, hv_date_mode mode);
/* s cut to at most max bytes at a character boundary, preferably at a word boundary with "…"
 * appended (the "…" counts in max). A copy when s is short enough. */
char *hv_text_truncate(const char *s, size_t max, bool at_word);

#endif
