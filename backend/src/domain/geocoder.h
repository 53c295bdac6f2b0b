/* geocoder: from what people write to a commune, with a confidence and the reason in French.
 *
 * Accepted: an INSEE code ("69123", "2A004"), a postcode ("42000"), a commune name in any case,
 * with or without accents, hyphens, apostrophes, articles (Le, La, Les, L') or "St"/"Ste" for
 * Saint/Sainte, "name (département)" with a code or a name ("Saint-Denis (93)", "Saint-Pierre
 * (Martinique)"), "name 93", and French addresses ("BP 123, 12 rue X, 75700 Paris Cedex 07").
 *
 * How a candidate is chosen, and the confidence it gets:
 *   - a code alone: a 5-digit number is read as a postcode first, since that is what people type
 *     (about 3,000 numbers are both a postcode and another commune's INSEE code: "69100" is
 *     Villeurbanne, not Irigny), then as an INSEE code, then as a former INSEE code of a merged
 *     commune; "INSEE 69100" forces the INSEE reading. INSEE code 1.0; former code 0.95; postcode
 *     of one commune 0.95; postcode shared by several communes: the most populous, 0.5 to 0.9 by
 *     its share of their population. An unknown code (a CEDEX code) gives the most populous
 *     commune of its département with 0.3.
 *   - Paris, Lyon and Marseille: an arrondissement's INSEE code (75115) or postcode (69003) gives
 *     the city commune (75056, 69123) as the match, precision "commune"; the reason names the
 *     arrondissement.
 *   - a name: the words right after the code, or before it, or the last comma-separated part, are
 *     compared by name key (sc_geo_key) with communes, then with communes déléguées and associées
 *     (which answer for their current commune). Homonyms are told apart by the code (postcode,
 *     INSEE or former code), then by a département or région named in parentheses, after the name
 *     or implied by the code (a CEDEX code too), otherwise by population. Exact name confirmed
 *     0.95; unique name 0.9 (0.85 for a former commune's name); homonyms chosen by population 0.4
 *     to 0.8 by their share of population; a name whose code is another commune's 0.8 in the same
 *     département, else 0.6; a département given that has no commune of that name costs 0.2.
 *   - no exact name: similar names (a typo), among the communes of the code when one is given,
 *     else among all communes by trigram similarity and edit distance together, the most
 *     populous winning near-ties; the confidence follows the closeness (at most 0.9). A name that
 *     only starts with the words written ("Cherbourg") is taken with at most 0.7.
 *   The reason, a French sentence, says which of these happened.
 *
 * SQL: the statements of geocoder_stmts, with bound parameters only. */
#ifndef SC_GEOCODER_H
#define SC_GEOCODER_H

#include <jansson.h>

#include "domain/status.h"
#include "storage/db.h"

#define GEOCODER_Q_MAX            500 /* bytes */
#define GEOCODER_ALTERNATIVES_MAX 5

/* NULL-name-terminated; registered with the connection by the program. */
extern const db_stmt_t geocoder_stmts[];

/* Resolves q (valid UTF-8, 1..GEOCODER_Q_MAX bytes). On DOM_OK, *out is a new reference to
 *   {"query": q,
 *    "match": {"territory": TERRITORY, "confidence": 0..1, "precision": "commune",
 *              "reason": "…"} | null,
 *    "alternatives": [{"territory": TERRITORY, "confidence": 0..1, "reason": "…"}, …]}
 * with at most GEOCODER_ALTERNATIVES_MAX alternatives, best first, none the match itself. A query
 * that names nothing gives match null, not an error. Otherwise *out is NULL and the status says
 * why (DOM_UNAVAILABLE: PostgreSQL cannot be reached). */
dom_status geocoder_resolve(db_t *db, const char *q, json_t **out) MUST_CHECK;

#endif
