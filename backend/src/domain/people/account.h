/* account: the life of an account — sign-up, verification, log-in, password and address changes,
 * export and deletion (tables app_user, user_token, mail_outbox).
 *
 * Every e-mail an action causes is written to mail_outbox by the same statement as the change, so
 * the message exists exactly when the change was committed; the job runner sends it. Links in
 * messages are single-use tokens of which only the SHA-256 is stored. Passwords reach these
 * functions already hashed (people/password.h), except where one must be checked. */
#ifndef SC_ACCOUNT_H
#define SC_ACCOUNT_H

#include <jansson.h>
#include <stdint.h>

#include "domain/people/actor.h"
#include "domain/status.h"
#include "storage/db.h"

#define ACCOUNT_VERIFY_HOURS 48
#define ACCOUNT_RESET_HOURS  1

/* The outcome of an account action beyond the database's: */
typedef enum account_result {
    ACCOUNT_DONE = 0,
    ACCOUNT_INVALID_TOKEN, /* unknown, used or expired link */
    ACCOUNT_BAD_PASSWORD,  /* the password given does not match */
    ACCOUNT_CONFLICT,      /* stale version (PATCH) or address already taken */
} account_result;

/* Creates the account, or — when the address has one — e-mails its owner instead; the caller
 * answers the same either way. public_url prefixes the links of messages. */
dom_status account_signup(db_t *db, const char *public_url, const char *email,
                          const char *display_name, const char *password_hash) MUST_CHECK;

/* Follows a verification link (sign-up or change of address). On ACCOUNT_DONE *user is the
 * USER JSON (new object, caller owns). */
dom_status account_verify(db_t *db, const char *token, account_result *res,
                          json_t **user) MUST_CHECK;

/* Sends a new verification link to the actor's address (nothing when already verified). */
dom_status account_verify_resend(db_t *db, const char *public_url, int64_t user_id) MUST_CHECK;

/* The user id and password hash of the live account with this address. DOM_NOT_FOUND when none.
 * hash receives at most hashlen - 1 bytes. */
dom_status account_credentials(db_t *db, const char *email, int64_t *user_id, char *hash,
                               size_t hashlen) MUST_CHECK;

/* The password hash of a live account by id. */
dom_status account_hash_by_id(db_t *db, int64_t user_id, char *hash, size_t hashlen) MUST_CHECK;

/* Queues a reset link (valid ACCOUNT_RESET_HOURS) for the address when it has an account; nothing
 * otherwise (DOM_OK either way). */
dom_status account_forgot(db_t *db, const char *public_url, const char *email) MUST_CHECK;

/* Follows a reset link: sets the new password hash, closes every session, voids the other reset
 * links. ACCOUNT_INVALID_TOKEN when the link does not work. */
dom_status account_reset(db_t *db, const char *token, const char *password_hash,
                         account_result *res) MUST_CHECK;

/* The USER JSON of user_id (new object, caller owns). */
dom_status account_get(db_t *db, int64_t user_id, json_t **user) MUST_CHECK;

/* Renames; ACCOUNT_CONFLICT when version is not the current one (then *user is the current). */
dom_status account_rename(db_t *db, int64_t user_id, const char *display_name, long long version,
                          account_result *res, json_t **user) MUST_CHECK;

/* Replaces the password hash and closes every session but keep_session. */
dom_status account_set_password(db_t *db, int64_t user_id, int64_t keep_session,
                                const char *password_hash) MUST_CHECK;

/* Sends a link to new_email that will make it the account's address, and tells the old address.
 * ACCOUNT_CONFLICT when another account has it (the caller answers as if sent: no enumeration). */
dom_status account_change_email(db_t *db, const char *public_url, int64_t user_id,
                                const char *new_email, account_result *res) MUST_CHECK;

/* Everything the platform keeps about the person, as one JSON document (caller owns). */
dom_status account_export(db_t *db, int64_t user_id, json_t **doc) MUST_CHECK;

/* Erases the person's data: address, name and password emptied, sessions, links, favourites,
 * collections and saved searches deleted; the row stays for what they contributed. */
dom_status account_delete(db_t *db, int64_t user_id) MUST_CHECK;

/* Sets the role of the account with this address (administration program). */
dom_status account_set_role(db_t *db, const char *email, actor_role role) MUST_CHECK;

/* Creates a verified account with a role, or gives the role to the existing account of the
 * address (administration program, make run's local administrator). *created tells which. */
dom_status account_ensure(db_t *db, const char *email, const char *display_name,
                          const char *password_hash, actor_role role, bool *created) MUST_CHECK;

extern const db_stmt_t account_stmts[];

#endif
