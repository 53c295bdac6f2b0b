/* socialconnect-admin: administration of accounts from the command line — the first
 * administrator, and roles.
 *
 *   socialconnect-admin create-admin EMAIL NAME   a verified administrator (password: the variable
 *                                                 SC_ADMIN_PASSWORD, else the first line of the
 *                                                 standard input); an existing account of that
 *                                                 address is made administrator, its password kept
 *   socialconnect-admin grant EMAIL ROLE          ROLE: member, moderator or admin
 *
 * Reads SC_PG_DSN (else the libpq variables PGHOST, PGPORT…). Exit status: 0 done, 1 refused
 * (unknown address, weak password…), 2 usage, 3 database unavailable. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain/people/account.h"
#include "domain/people/password.h"

static const db_stmt_t *const admin_sets[] = {account_stmts, password_stmts};

static void usage(FILE *f) {
    fprintf(f, "usage: socialconnect-admin create-admin EMAIL NAME\n"
               "       socialconnect-admin grant EMAIL member|moderator|admin\n");
}

/* The password of create-admin: SC_ADMIN_PASSWORD, or one line of standard input. */
static bool read_password(char *out, size_t outlen) {
    const char *env = getenv("SC_ADMIN_PASSWORD");
    if (env != NULL && *env != '\0') {
        if (strlen(env) >= outlen)
            return false;
        memcpy(out, env, strlen(env) + 1);
        return true;
    }
    if (fgets(out, (int)outlen, stdin) == NULL)
        return false;
    out[strcspn(out, "\r\n")] = '\0';
    return out[0] != '\0';
}

static int cmd_create_admin(db_t *db, const char *email, const char *name) {
    char password[PASSWORD_MAX_CHARS * 4 + 2], hash[PASSWORD_HASH_MAX];
    bool weak = false, created = false;
    size_t chars = 0;
    if (!read_password(password, sizeof password)) {
        fprintf(stderr, "no password: set SC_ADMIN_PASSWORD or type it on the standard input\n");
        return 1;
    }
    for (const char *p = password; *p; p++)
        chars += ((unsigned char)*p & 0xc0) != 0x80;
    dom_status st = password_is_common(db, password, &weak);
    if (st != DOM_OK) {
        fprintf(stderr, "%s\n", dom_status_text(st));
        return 3;
    }
    if (chars < PASSWORD_MIN_CHARS || weak) {
        fprintf(stderr,
                "refused: the password must have at least %d characters and not be a "
                "common one\n",
                PASSWORD_MIN_CHARS);
        return 1;
    }
    if (password_hash(password, hash) != PASSWORD_OK) {
        fprintf(stderr, "cannot hash the password\n");
        return 1;
    }
    st = account_ensure(db, email, name, hash, ROLE_ADMIN, &created);
    if (st != DOM_OK) {
        fprintf(stderr, "%s\n", dom_status_text(st));
        return 3;
    }
    printf("%s: %s\n", email,
           created ? "administrator created" : "existing account made administrator");
    return 0;
}

static int cmd_grant(db_t *db, const char *email, const char *role_name) {
    actor_role role;
    if (!actor_role_parse(role_name, &role)) {
        usage(stderr);
        return 2;
    }
    dom_status st = account_set_role(db, email, role);
    if (st == DOM_NOT_FOUND) {
        fprintf(stderr, "%s: no account with this address\n", email);
        return 1;
    }
    if (st != DOM_OK) {
        fprintf(stderr, "%s\n", dom_status_text(st));
        return 3;
    }
    printf("%s: role %s\n", email, role_name);
    return 0;
}

int main(int argc, char **argv) {
    if (argc != 4 || (strcmp(argv[1], "create-admin") != 0 && strcmp(argv[1], "grant") != 0)) {
        usage(argc > 1 && strcmp(argv[1], "--help") == 0 ? stdout : stderr);
        return argc > 1 && strcmp(argv[1], "--help") == 0 ? 0 : 2;
    }
    const char *dsn = getenv("SC_PG_DSN");
    db_t *db = db_open(dsn ? dsn : "", admin_sets, ARRAY_LEN(admin_sets));
    if (db == NULL)
        return 3;
    int rc = strcmp(argv[1], "grant") == 0 ? cmd_grant(db, argv[2], argv[3])
                                           : cmd_create_admin(db, argv[2], argv[3]);
    db_close(db);
    return rc;
}
