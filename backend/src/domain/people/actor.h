/* actor: who is asking — anonymous, or a signed-in person with a role. Built from the session
 * cookie by http/auth.c; read by the one authorisation policy (people/policy.h). */
#ifndef SC_ACTOR_H
#define SC_ACTOR_H

#include <stdint.h>

#include "core/common.h"
#include "core/crypto.h"

typedef enum actor_role {
    ROLE_MEMBER = 0,
    ROLE_MODERATOR,
    ROLE_ADMIN,
} actor_role;

typedef struct actor {
    int64_t user_id;    /* 0: anonymous */
    int64_t session_id; /* the session that authenticated this request, 0 when anonymous */
    actor_role role;
    bool verified;                     /* the e-mail address was confirmed */
    char csrf_token[CRYPTO_TOKEN_LEN]; /* the session's CSRF token ("" when anonymous) */
    char display_name[81 * 4];         /* at most 80 characters of UTF-8 */
} actor_t;

/* The anonymous actor. */
void actor_anonymous(actor_t *a);

/* "member", "moderator", "admin". */
const char *actor_role_name(actor_role r);

/* Parses a role name; false for anything else. */
bool actor_role_parse(const char *name, actor_role *out) MUST_CHECK;

#endif
