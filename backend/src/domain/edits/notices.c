#include "domain/edits/notices.h"

static const char notice_sign[] = "\n-- \nSocialConnect, les innovations sociales des territoires\n"
                                  "Ce message est envoyé automatiquement ; merci de ne pas y "
                                  "répondre.\n";

bool notice_write(notice_kind k, const char *public_url, const char *path, const char *title,
                  const char *reason, buf_t *subject, buf_t *body) {
    const char *subj = "", *text = "";
    bool with_reason = reason != NULL && reason[0] != '\0';
    switch (k) {
    case NOTICE_PROPOSAL_APPROVED:
        subj = "Votre initiative est publiée sur SocialConnect";
        text = "Bonjour,\n\nL'initiative que vous avez proposée, « %s », a été relue et publiée.";
        break;
    case NOTICE_CORRECTION_APPROVED:
        subj = "Votre correction est publiée sur SocialConnect";
        text = "Bonjour,\n\nLa correction que vous avez suggérée pour « %s » a été acceptée et "
               "publiée.";
        break;
    case NOTICE_CONTRIBUTION_REJECTED:
        subj = "Votre contribution n'a pas été retenue";
        text = "Bonjour,\n\nVotre contribution « %s » a été relue et n'a pas été retenue.";
        break;
    case NOTICE_CHANGES_REQUESTED:
        subj = "Des modifications sont demandées pour votre contribution";
        text = "Bonjour,\n\nVotre contribution « %s » a été relue : quelques modifications sont "
               "demandées avant publication. Vous pouvez la reprendre dans votre espace.";
        break;
    case NOTICE_CLAIM_APPROVED:
        subj = "Vous êtes reconnu·e comme porteur ou porteuse du projet";
        text = "Bonjour,\n\nVotre demande pour « %s » est acceptée : vous pouvez désormais "
               "modifier sa fiche directement.";
        break;
    case NOTICE_CLAIM_REJECTED:
        subj = "Votre demande de porteur de projet n'a pas été acceptée";
        text = "Bonjour,\n\nVotre demande pour « %s » n'a pas été acceptée.";
        break;
    case NOTICE_CARRIER_EDIT:
        subj = "Une fiche a été modifiée par le porteur du projet";
        text = "Bonjour,\n\nLa fiche « %s » vient d'être modifiée par une personne qui porte le "
               "projet. La modification est publiée ; son historique permet de la relire ou d'y "
               "revenir.";
        break;
    }
    return buf_append_str(subject, subj) && buf_appendf(body, text, title) &&
           (!with_reason ||
            buf_appendf(body, "\n\nMessage de l'équipe de modération :\n%s", reason)) &&
           buf_appendf(body, "\n\n%s%s\n%s", public_url, path, notice_sign);
}
