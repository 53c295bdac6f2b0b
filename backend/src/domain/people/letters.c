#include "domain/people/letters.h"

const char *letter_name(letter_kind k) {
    switch (k) {
    case LETTER_VERIFY:
        return "verify";
    case LETTER_ALREADY:
        return "signup_existing";
    case LETTER_RESET:
        return "reset";
    case LETTER_EMAIL_CHANGE:
        return "email_change";
    case LETTER_EMAIL_NOTICE:
        return "email_notice";
    }
    return "notice";
}

static const char letter_sign[] = "\n-- \nSocialConnect, les innovations sociales des territoires\n"
                                  "Ce message est envoyé automatiquement ; merci de ne pas y "
                                  "répondre.\n";

bool letter_write(letter_kind k, const char *public_url, const char *token, buf_t *subject,
                  buf_t *body) {
    const char *tok = token ? token : "";
    switch (k) {
    case LETTER_VERIFY:
        return buf_append_str(subject, "Confirmez votre adresse e-mail sur SocialConnect") &&
               buf_appendf(body,
                           "Bonjour,\n\nVotre compte SocialConnect est créé. Pour confirmer votre "
                           "adresse e-mail et pouvoir contribuer, ouvrez ce lien (valable 48 "
                           "heures) :\n\n%s/verification?token=%s\n\nSi vous n'avez pas créé de "
                           "compte, ignorez ce message : sans confirmation, l'adresse ne sera "
                           "utilisée pour rien d'autre.\n%s",
                           public_url, tok, letter_sign);
    case LETTER_ALREADY:
        return buf_append_str(subject, "Votre compte SocialConnect existe déjà") &&
               buf_appendf(body,
                           "Bonjour,\n\nQuelqu'un (peut-être vous) a demandé à créer un compte "
                           "SocialConnect avec cette adresse, qui en a déjà un. Aucun nouveau "
                           "compte n'a été créé.\n\nSi vous avez oublié votre mot de passe, "
                           "choisissez-en un nouveau ici :\n\n%s/mot-de-passe-oublie\n\nSi vous "
                           "n'êtes pas à l'origine de cette demande, ignorez ce message.\n%s",
                           public_url, letter_sign);
    case LETTER_RESET:
        return buf_append_str(subject, "Choisissez un nouveau mot de passe SocialConnect") &&
               buf_appendf(body,
                           "Bonjour,\n\nPour choisir un nouveau mot de passe, ouvrez ce lien "
                           "(valable une heure, une seule fois) :\n\n"
                           "%s/reinitialisation?token=%s\n\nSi vous n'avez rien demandé, ignorez "
                           "ce message : votre mot de passe reste le même.\n%s",
                           public_url, tok, letter_sign);
    case LETTER_EMAIL_CHANGE:
        return buf_append_str(subject, "Confirmez votre nouvelle adresse e-mail SocialConnect") &&
               buf_appendf(body,
                           "Bonjour,\n\nPour que cette adresse devienne celle de votre compte "
                           "SocialConnect, ouvrez ce lien (valable 48 heures) :\n\n"
                           "%s/verification?token=%s\n\nSi vous n'avez rien demandé, ignorez ce "
                           "message.\n%s",
                           public_url, tok, letter_sign);
    case LETTER_EMAIL_NOTICE:
        return buf_append_str(subject, "Changement d'adresse e-mail demandé sur SocialConnect") &&
               buf_appendf(body,
                           "Bonjour,\n\nUn changement de l'adresse e-mail de votre compte "
                           "SocialConnect a été demandé. Il prendra effet quand la nouvelle "
                           "adresse sera confirmée.\n\nSi vous n'êtes pas à l'origine de cette "
                           "demande, changez votre mot de passe dès maintenant :\n\n"
                           "%s/mot-de-passe-oublie\n%s",
                           public_url, letter_sign);
    }
    return false;
}
