#include "http/account_input.h"

#include <string.h>

#include "core/log.h"
#include "http/reply.h"

bool input_email(resp_t *resp, const char *email, const char *field) {
    const char *at = strchr(email, '@');
    size_t n = strlen(email);
    bool ok = at != NULL && at != email && strchr(at + 1, '@') == NULL && n >= 3 && n <= 254;
    if (ok) {
        const char *dot = strchr(at + 1, '.');
        ok = dot != NULL && dot != at + 1 && email[n - 1] != '.';
    }
    for (size_t i = 0; ok && i < n; i++)
        if (email[i] == ' ' || email[i] == '\t' || (unsigned char)email[i] < 0x20 ||
            email[i] == '<' || email[i] == '>' || email[i] == '"' || email[i] == ',' ||
            email[i] == ';' || email[i] == '\\')
            ok = false;
    if (!ok)
        resp_error(resp, 400, "invalid_field",
                   "Cette adresse e-mail n'est pas valide (exemple : prenom.nom@exemple.fr).",
                   field);
    return ok;
}

bool input_new_password(app_t *app, resp_t *resp, const char *password, const char *field) {
    size_t chars = 0;
    bool weak = false;
    for (const char *p = password; *p; p++)
        if (((unsigned char)*p & 0xc0) != 0x80)
            chars++;
    if (chars < PASSWORD_MIN_CHARS) {
        resp_error(resp, 422, "weak_password",
                   "Le mot de passe doit compter au moins 12 caractères. Une phrase facile à "
                   "retenir convient très bien.",
                   field);
        return false;
    }
    dom_status st = password_is_common(app->db, password, &weak);
    if (st != DOM_OK) {
        reply_failure(resp, st, NULL);
        return false;
    }
    if (weak) {
        resp_error(resp, 422, "weak_password",
                   "Ce mot de passe fait partie des plus courants et serait vite deviné : "
                   "choisissez-en un autre.",
                   field);
        return false;
    }
    return true;
}

void input_password_failure(resp_t *resp, password_status ps) {
    if (ps == PASSWORD_BUSY) {
        resp_error(resp, 503, "unavailable",
                   "Le service est très sollicité : réessayez dans un instant.", NULL);
        if (!resp_header(resp, "Retry-After", "2"))
            log_msg(LOG_WARN, "Retry-After header dropped");
    } else {
        resp_error(resp, 500, "internal", "Erreur interne du serveur.", NULL);
    }
}

bool input_hash(resp_t *resp, const char *password, char hash[PASSWORD_HASH_MAX]) {
    password_status ps = password_hash(password, hash);
    if (ps != PASSWORD_OK) {
        input_password_failure(resp, ps);
        return false;
    }
    return true;
}
