/* hv_valuemap: a source's value map ("Finance solidaire" → "FSO"), looked up ignoring case,
 * accents and spacing; and hv_fold, the folding both this and the classifier use. */
#ifndef SC_HV_VALUEMAP_H
#define SC_HV_VALUEMAP_H

#include <jansson.h>

#include "core/buf.h"
#include "core/common.h"

#define HV_VALUEMAP_MAX_ENTRIES 5000

/* Appends to out the folded form of the n bytes of UTF-8 text s: lower case, Latin letters without
 * their accents (é→e, œ→oe, ß→ss), typographic apostrophes as "'", runs of white space (NBSP
 * included) as one space, no leading or trailing space. Characters outside Latin-1 and Latin
 * Extended-A are kept as they are. Returns false when out reaches its cap or memory runs out. */
bool hv_fold(const char *s, size_t n, buf_t *out) MUST_CHECK;

typedef struct hv_valuemap hv_valuemap;

/* Builds a map from a JSON object of strings (the source's value → our code). On failure returns
 * NULL and err names the offending entry relative to the map ("\"Insertion\": …"). The caller
 * frees with hv_valuemap_free. */
hv_valuemap *hv_valuemap_new(const json_t *obj, char *err, size_t errlen);
void hv_valuemap_free(hv_valuemap *m);

/* The code for value, or NULL when the map has no entry for it. Owned by m. */
const char *hv_valuemap_lookup(const hv_valuemap *m, const char *value);

#endif
