/* territory: régions, départements, communes and arrondissements — references, lookups,
 * autocomplete and contours. docs/api.md ("Territories and geocoding") gives the JSON shapes. */
#ifndef SC_TERRITORY_H
#define SC_TERRITORY_H

#include <jansson.h>

#include "domain/status.h"
#include "storage/db.h"

#define TERRITORY_SUGGEST_MAX 50
#define TERRITORY_Q_MAX       100

extern const db_stmt_t territory_stmts[];

/* A reference to one territory: "commune:69123", or a bare code before resolution. */
typedef struct territory_ref {
    char level[16]; /* "region", "departement", "commune", "arrondissement"; "" when bare */
    char code[8];   /* INSEE code, upper case ("2A004") */
    char region[4]; /* the région holding it, once resolved ("" for a région, or not known) */
} territory_ref_t;

/* Parses "LEVEL:CODE" or a bare "CODE" — syntax only: the level must be known and the code shaped
 * like a code of that level. False for anything else. */
bool territory_ref_parse(const char *text, territory_ref_t *out) MUST_CHECK;

/* Makes ref name an existing territory: a bare code becomes the most local level that has it
 * (commune, arrondissement, département, région), and ref->region is set. DOM_NOT_FOUND when
 * there is none. */
dom_status territory_resolve(db_t *db, territory_ref_t *ref) MUST_CHECK;

/* Writes "level:code" into out (at least 32 bytes). */
void territory_ref_format(const territory_ref_t *ref, char *out, size_t outlen);

/* The TERRITORY object of a resolved reference; with detail, also "children", "bbox" and
 * "has_contour". *out is a new reference on DOM_OK. */
dom_status territory_get(db_t *db, const territory_ref_t *ref, bool detail,
                         json_t **out) MUST_CHECK;

/* Autocomplete: {"items":[TERRITORY…]}, best first. q is valid UTF-8 of 1..TERRITORY_Q_MAX
 * bytes; level is NULL or one of the four levels. */
dom_status territory_suggest(db_t *db, const char *q, const char *level, int limit,
                             json_t **out) MUST_CHECK;

/* The contour as a GeoJSON Feature simplified for map zoom 0..18. DOM_NOT_FOUND when the
 * territory has no contour. */
dom_status territory_contour(db_t *db, const territory_ref_t *ref, int zoom,
                             json_t **out) MUST_CHECK;

/* Reverse geocoding: the TERRITORY of the commune whose contour contains the point (longitude,
 * latitude in WGS84). DOM_NOT_FOUND outside every commune (at sea, abroad). */
dom_status territory_at_point(db_t *db, double lon, double lat, json_t **out) MUST_CHECK;

#endif
