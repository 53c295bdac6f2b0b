/* hv_csv: an RFC 4180 reader. Quoted fields may hold the delimiter, doubled quotes and line
 * breaks; rows end with CRLF, LF or CR; blank lines are skipped. Caps: HV_CSV_MAX_FIELDS fields
 * per row (the rest are dropped) and HV_CSV_MAX_ROW bytes per row (fields past it are empty),
 * each field cut at HV_VALUE_MAX bytes. */
#ifndef SC_HV_CSV_H
#define SC_HV_CSV_H

#include <jansson.h>

#include "core/common.h"

#define HV_CSV_MAX_FIELDS 1000
#define HV_CSV_MAX_ROW    (1024 * 1024)

typedef struct hv_csv {
    const char *p; /* next byte to read */
    const char *end;
    char delim;
} hv_csv;

void hv_csv_init(hv_csv *r, const char *text, size_t len, char delim);

/* Reads the next row. Returns 1 with *row a new array of strings (caller owns), 0 at the end of
 * the text, -1 when out of memory. */
int hv_csv_next(hv_csv *r, json_t **row) MUST_CHECK;

#endif
