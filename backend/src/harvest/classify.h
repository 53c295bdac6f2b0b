/* hv_classify: guesses the top-level themes of a record from its words, for sources that publish
 * no usable category. A static table of French keywords per theme of
 * /work/shared/vocabularies/vocabularies.json, matched as whole words on folded text. */
#ifndef SC_HV_CLASSIFY_H
#define SC_HV_CLASSIFY_H

#include <stddef.h>

#include "core/common.h"

#define HV_CLASSIFY_MAX 2

/* Writes up to HV_CLASSIFY_MAX theme codes (static strings) to codes, best first, and returns how
 * many: 0 when no keyword matched. A theme's score is the number of keyword occurrences (each
 * keyword counted at most 3 times); the second theme is kept only when it scores at least half
 * the first. Only the first 64 KiB of text are read. */
size_t hv_classify(const char *text, const char *codes[HV_CLASSIFY_MAX]);

#endif
