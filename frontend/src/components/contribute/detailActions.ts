// What the initiative's page offers to contribute: « Suggérer une correction » (the fields prefilled
// with the current values; only the changed ones are sent, with the version seen), « Je porte ce
// projet » (a claim with a message), « Modifier la fiche » for its carriers and the moderators (a
// direct edit; a 409 reloads the current values), the « Historique » link, and the line « Fiche mise à
// jour par le porteur du projet le … ». Signed out, the buttons invite to sign in; with an unconfirmed
// address they say to confirm it.
import { ApiError, getVocabularies } from '../../api';
import { claimInitiative, editInitiative, getInitiativeFresh, getMyClaims, suggestCorrection, type EditableInitiative, type InitiativeFields } from '../../contribApi';
import { h } from '../../dom';
import { formatDate } from '../../format';
import { navigate } from '../../router';
import { currentUser, onSession } from '../../session';
import type { Initiative } from '../../types';
import { openDialog } from '../dialog';
import { busy, errorText, formMessage, textArea } from '../form';
import { inviteToLogIn } from '../loginInvite';
import { toast } from '../toast';
import { fieldsOfInitiative } from './fieldValues';
import { initiativeForm, type InitiativeForm } from './initiativeForm';

export const CONFLICT_MESSAGE = "Quelqu'un a modifié la fiche entre-temps. Les valeurs actuelles sont rechargées : refaites vos changements.";

/** « Fiche mise à jour par le porteur du projet le 3 mars 2026 », or null. */
export function carrierUpdatedLine(record: Initiative): HTMLElement | null {
  const at = formatDate((record as EditableInitiative).carrier_updated_at ?? null);
  return at ? h('p', { class: 'detail__carrier-updated' }, `Fiche mise à jour par le porteur du projet le ${at}.`) : null;
}

/** The link to the public history of the record. */
export function historyLink(id: number): HTMLElement {
  return h('a', { class: 'detail__history', href: `/initiatives/${id}/historique` }, 'Historique des modifications');
}

function mustBeVerified(action: string): boolean {
  const user = currentUser();
  if (!user) {
    inviteToLogIn(`Connectez-vous pour ${action}.`);
    return false;
  }
  if (!user.verified) {
    openDialog({
      title: 'Confirmez votre adresse e-mail',
      content: [h('p', null, `Pour ${action}, confirmez d'abord votre adresse e-mail : ouvrez le lien envoyé à ${user.email} (« Renvoyer le lien » en haut de la page).`)],
    });
    return false;
  }
  return true;
}

/**
 * Mounts the contribution block of a record's page into `container`; returns what frees it. The
 * record is the one the page shows (its `version` is the one corrections and edits are made against).
 */
export function mountContributeActions(container: HTMLElement, record: Initiative): { destroy(): void } {
  const id = record.id;
  let version = (record as EditableInitiative).version ?? 1;
  let form: InitiativeForm | null = null;
  let live = true;
  let carrier = false;
  const panel = h('div', { class: 'contribute-panel', hidden: true });
  const correct = h('button', { type: 'button', class: 'button button--secondary contribute-actions__correct' }, 'Suggérer une correction');
  const claim = h('button', { type: 'button', class: 'button button--secondary contribute-actions__claim' }, 'Je porte ce projet');
  const edit = h('button', { type: 'button', class: 'button button--primary contribute-actions__edit', hidden: true }, 'Modifier la fiche');
  const block = h(
    'section',
    { class: 'detail__section contribute-actions', 'aria-labelledby': 'contribute-heading' },
    h('h2', { id: 'contribute-heading' }, 'Contribuer'),
    h('p', { class: 'contribute-actions__intro' }, 'Une information manque ou est fausse ? Proposez une correction : elle sera relue avant publication.'),
    h('div', { class: 'contribute-actions__buttons' }, edit, correct, claim),
    h('p', { class: 'contribute-actions__history' }, historyLink(id)),
    panel,
  );
  container.append(block);

  function refreshRole(): void {
    const user = currentUser();
    const moderator = user?.role === 'moderator' || user?.role === 'admin';
    edit.hidden = !(carrier || moderator) || !user?.verified;
    claim.hidden = carrier;
  }
  function loadClaims(): void {
    carrier = false;
    refreshRole();
    if (!currentUser()) return;
    getMyClaims().then(
      (answer) => {
        if (!live) return;
        carrier = (answer.items ?? []).some((c) => c.status === 'approved' && c.initiative?.id === id);
        refreshRole();
      },
      () => undefined,
    );
  }
  const stop = onSession(() => loadClaims());
  loadClaims();

  function closePanel(focus: HTMLElement | null): void {
    form?.destroy();
    form = null;
    panel.hidden = true;
    panel.replaceChildren();
    focus?.focus();
  }

  /** The correction or edit form, under the buttons, prefilled with the current values. */
  async function openForm(mode: 'correction' | 'edit', opener: HTMLElement): Promise<void> {
    const vocabularies = await getVocabularies().catch(() => null);
    if (!vocabularies || !live) {
      toast('Le formulaire ne peut pas être chargé pour le moment. Réessayez dans quelques instants.');
      return;
    }
    closePanel(null);
    const f = initiativeForm(mode === 'edit' ? 'edit' : 'correction', vocabularies);
    form = f;
    let base: InitiativeFields = fieldsOfInitiative(record);
    f.setValues(base);
    const title = mode === 'edit' ? 'Modifier la fiche' : 'Suggérer une correction';
    const heading = h('h3', { class: 'contribute-panel__title', id: 'contribute-panel-title', tabindex: '-1' }, title);
    const comment = textArea({
      id: `${mode}-comment`,
      name: 'comment',
      label: mode === 'edit' ? 'Ce qui a changé (facultatif)' : 'Votre commentaire',
      required: false,
      maxLength: 2000,
      rows: 3,
      hint: mode === 'edit' ? "Visible dans l'historique de la fiche." : "D'où vient l'information ? Il aide la modération à valider.",
    });
    const message = formMessage();
    const send = h('button', { type: 'submit', class: 'button button--primary' }, mode === 'edit' ? 'Publier les modifications' : 'Envoyer la correction');
    const cancel = h('button', { type: 'button', class: 'button button--tertiary' }, 'Annuler');
    cancel.addEventListener('click', () => closePanel(opener));
    const formEl = h(
      'form',
      { class: 'form form--wide contribute-panel__form', novalidate: true, 'aria-labelledby': 'contribute-panel-title' },
      h(
        'p',
        { class: 'form__required-note' },
        mode === 'edit'
          ? 'Vos modifications sont publiées tout de suite et inscrites dans l’historique ; la modération en est informée.'
          : 'Modifiez les champs à corriger ; seuls les champs changés sont envoyés.',
      ),
      f.element,
      comment.element,
      message.element,
      h('div', { class: 'form__actions' }, send, cancel),
    );
    formEl.addEventListener('submit', (event) => {
      event.preventDefault();
      f.clearErrors();
      message.clear();
      const changed = f.changedFrom(base);
      if (Object.keys(changed).length === 0) {
        message.error("Vous n'avez modifié aucun champ.");
        return;
      }
      void busy(send, 'Envoi…', async () => {
        try {
          if (mode === 'edit') {
            await editInitiative(id, version, changed, comment.control.value.trim());
            closePanel(null);
            toast('La fiche est mise à jour.');
            // The page is drawn again from the new record.
            navigate(window.location.pathname, { replace: true });
          } else {
            await suggestCorrection(id, version, changed, comment.control.value.trim());
            closePanel(null);
            panel.hidden = false;
            const done = h(
              'div',
              { class: 'notice notice--success contribute-panel__done', role: 'status', tabindex: '-1' },
              h('p', null, 'Merci ! Votre correction est « En attente de modération ».'),
              h('p', null, h('a', { href: '/mon-espace/contributions' }, 'Suivre mes contributions')),
            );
            panel.replaceChildren(done);
            done.focus();
          }
        } catch (err) {
          if (err instanceof ApiError && err.status === 409) {
            message.error(CONFLICT_MESSAGE);
            try {
              const fresh = await getInitiativeFresh(id);
              version = fresh.version ?? version;
              base = fieldsOfInitiative(fresh);
              f.setValues(base);
            } catch {
              // The message already says what happened; the values stay as typed.
            }
            return;
          }
          f.showError(err, message);
        }
      });
    });
    panel.replaceChildren(h('section', { class: 'contribute-panel__box', 'aria-labelledby': 'contribute-panel-title' }, heading, formEl));
    panel.hidden = false;
    heading.focus();
  }

  correct.addEventListener('click', () => {
    if (mustBeVerified('suggérer une correction')) void openForm('correction', correct);
  });
  edit.addEventListener('click', () => {
    if (mustBeVerified('modifier la fiche')) void openForm('edit', edit);
  });
  claim.addEventListener('click', () => {
    if (!mustBeVerified('dire que vous portez ce projet')) return;
    const text = textArea({
      id: 'claim-message',
      name: 'message',
      label: 'Votre message',
      required: false,
      maxLength: 2000,
      rows: 4,
      hint: 'Votre rôle dans le projet. Si votre adresse e-mail est celle du site du projet, la demande est acceptée tout de suite.',
    });
    const message = formMessage();
    const send = h('button', { type: 'submit', class: 'button button--primary' }, 'Envoyer la demande');
    const formEl = h('form', { class: 'form', novalidate: true }, text.element, message.element, h('div', { class: 'dialog__actions' }, send));
    const dialog = openDialog({ title: 'Je porte ce projet', content: [formEl] });
    formEl.addEventListener('submit', (event) => {
      event.preventDefault();
      message.clear();
      void busy(send, 'Envoi…', async () => {
        try {
          const answer = await claimInitiative(id, text.control.value.trim());
          const approved = answer.status === 'approved';
          dialog.body.replaceChildren(
            h(
              'div',
              { class: 'notice notice--success claim-outcome', role: 'status' },
              h(
                'p',
                null,
                approved
                  ? 'Votre demande est acceptée : vous portez ce projet et pouvez modifier la fiche.'
                  : "Votre demande est envoyée : elle attend la validation de l'équipe de modération.",
              ),
            ),
          );
          if (approved) {
            carrier = true;
            refreshRole();
          }
        } catch (err) {
          if (err instanceof ApiError && err.field === 'message') {
            text.error.textContent = errorText(err);
            text.control.setAttribute('aria-invalid', 'true');
            text.control.focus();
          } else {
            message.error(errorText(err));
          }
        }
      });
    });
  });

  return {
    destroy(): void {
      live = false;
      stop();
      form?.destroy();
    },
  };
}
