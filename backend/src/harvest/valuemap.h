/* hv_valuemap: a source's value map ("Finance solidaire" → "FSO"), looked up ignoring case,
 * accents and spacing (core/fold). */
#ifndef SC_HV_VALUEMAP_H
#define SC_HV_VALUEMAP_H

#include <jansson.h>

#include "core/buf.h"
#include "core/common.h"

#define HV_VALUEMAP_MAX_ENTRIES 5000

typedef struct hv_valuemap hv_valuemap;

/* Builds a map from a JSON object of strings (the source's value → our code). On failure returns
 * NULL and err names the offending entry relative to the map ("\"Insertion\": …"). The caller
 * frees with hv_valuemap_free. */
hv_valuemap *hv_valuemap_new(const json_t *obj, char *err, size_t errlen);
void hv_valuemap_free(hv_valuemap *m);

/* The code for value, or NULL when the map has no entry for it. Owned by m. */
const char *hv_valuemap_lookup(const hv_valuemap *m, const char *value);

#endif
