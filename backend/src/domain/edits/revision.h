/* revision: an initiative's public history, and the direct writes on a published initiative —
 * a carrier's or moderator's edit, a moderator's return to an earlier revision, a moderator's
 * answer to a field the source changed. Every one of them is a revision written by the SQL
 * function initiative_revise (sql/migrations/035), the path every writer takes: the harvest,
 * approved contributions (contribution.h) and these. */
#ifndef SC_REVISION_H
#define SC_REVISION_H

#include <jansson.h>
#include <stdint.h>

#include "domain/edits/edits_common.h"
#include "domain/status.h"
#include "storage/db.h"

#define REVISION_PAGE_MAX  200
#define REVISION_TITLE_MAX (300 * 4 + 1) /* 300 characters of UTF-8 */

extern const db_stmt_t revision_stmts[];

/* A page of the history of a published initiative, newest first, before revision `before`
 * (0: from the newest), at most limit revisions: {"items": [REVISION…], "next_cursor"}.
 * DOM_NOT_FOUND when the initiative is not published. *out is new (caller owns). */
dom_status revision_history(db_t *db, int64_t initiative_id, int before, int limit,
                            json_t **out) MUST_CHECK;

/* What an edit of a published initiative needs to know first: its title (a
 * char[REVISION_TITLE_MAX]) and whether user_id (0: nobody) carries it. DOM_NOT_FOUND when it is
 * not published. */
dom_status revision_target(db_t *db, int64_t initiative_id, int64_t user_id, char *title,
                           bool *carries) MUST_CHECK;

/* Writes fields (checked by fields_check; borrowed) on the initiative at version, as kind
 * ("carrier" or "moderator") user_id with comment (may be NULL). A carrier's edit is told to the
 * moderators by e-mail (outbox) in the same transaction; title is the initiative's, for that
 * notice. *out: DONE, UNCHANGED, CONFLICT (*version receives the current one) or GONE. */
dom_status revision_edit(db_t *db, int64_t initiative_id, long long version, const json_t *fields,
                         const char *kind, int64_t user_id, const char *comment, const char *title,
                         const char *public_url, edits_outcome *out, long long *current) MUST_CHECK;

/* A moderator takes the initiative (at version) back to the values of revision to_version, as a
 * new revision. *valid_target is false when to_version is not one of its revisions. */
dom_status revision_revert(db_t *db, int64_t initiative_id, long long version, long long to_version,
                           int64_t moderator_id, const char *reason, bool *valid_target,
                           edits_outcome *out, long long *current) MUST_CHECK;

/* A moderator's answer ("keep" or "take_source") to a field the source changed, at version. */
dom_status revision_source_change_review(db_t *db, int64_t id, long long version,
                                         const char *decision, int64_t moderator_id,
                                         edits_outcome *out) MUST_CHECK;

#endif
