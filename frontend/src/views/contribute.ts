// `/contribuer` « Ajouter une initiative »: the proposal form. « Enregistrer le brouillon » keeps it to
// finish later (`/contribuer?brouillon=ID` reopens it, as does « Reprendre » in « Mes contributions »,
// also for a proposal or correction sent back with « Modifications demandées »); « Envoyer à la
// modération » submits it. Signed out: an invitation to sign in; unconfirmed address: a request to
// confirm it first.
import { ApiError, getInitiative, getVocabularies, isAbort } from '../api';
import { resendVerification } from '../accountApi';
import { busy, errorText, formMessage, textArea } from '../components/form';
import { errorMessage, loadingIndicator } from '../components/status';
import { toast } from '../components/toast';
import { fieldsOfInitiative } from '../components/contribute/fieldValues';
import { initiativeForm, type InitiativeForm } from '../components/contribute/initiativeForm';
import { createProposal, getContribution, updateContribution, type Contribution, type InitiativeFields } from '../contribApi';
import { h, setTitle } from '../dom';
import { loginHref, navigate } from '../router';
import { onSession, sessionState, type SessionState } from '../session';
import type { Vocabularies } from '../types';
import type { View } from './view';

export const CONTRIBUTE_TITLE = 'Ajouter une initiative';

export function contributeView(root: HTMLElement, query: URLSearchParams): View {
  const controller = new AbortController();
  const heading = h('h1', { class: 'contribute__title', id: 'page-title', tabindex: '-1' }, CONTRIBUTE_TITLE);
  const lead = h(
    'p',
    { class: 'contribute__lead' },
    "Faites connaître une innovation sociale qui manque. Votre proposition est relue par l'équipe de modération avant d'être publiée.",
  );
  const body = h('div', { class: 'contribute__body' }, loadingIndicator('Chargement du formulaire…'));
  root.append(h('div', { class: 'container contribute' }, heading, lead, body));
  setTitle(CONTRIBUTE_TITLE);
  let form: InitiativeForm | null = null;
  let live = true;
  const draftId = Number(query.get('brouillon'));
  let savedId = 0;

  function signedOut(): void {
    body.replaceChildren(
      h(
        'div',
        { class: 'notice contribute__invite' },
        h('p', null, 'Connectez-vous pour ajouter une initiative. Il faut un compte avec une adresse e-mail confirmée.'),
        h(
          'p',
          { class: 'contribute__invite-actions' },
          h('a', { class: 'button button--primary', href: loginHref('connexion') }, 'Se connecter'),
          ' ',
          h('a', { class: 'button button--secondary', href: loginHref('inscription') }, 'Créer un compte'),
        ),
      ),
    );
  }

  function unverified(email: string): void {
    const status = h('p', { role: 'status', class: 'contribute__resend-status' });
    const resend = h('button', { type: 'button', class: 'button button--secondary' }, 'Renvoyer le lien');
    resend.addEventListener('click', () => {
      resend.disabled = true;
      resendVerification().then(
        () => {
          status.textContent = `Un nouveau lien a été envoyé à ${email}.`;
          resend.disabled = false;
        },
        (err: unknown) => {
          status.textContent = errorText(err);
          resend.disabled = false;
        },
      );
    });
    body.replaceChildren(
      h(
        'div',
        { class: 'notice contribute__invite' },
        h('p', null, h('strong', null, 'Confirmez votre adresse e-mail'), ` pour ajouter une initiative : ouvrez le lien envoyé à ${email}.`),
        resend,
        status,
      ),
    );
  }

  function build(vocabularies: Vocabularies, existing: Contribution | null, base: InitiativeFields | null): void {
    form?.destroy();
    const f = initiativeForm('contrib', vocabularies);
    form = f;
    const comment = textArea({
      id: 'contrib-comment',
      name: 'comment',
      label: "Un mot pour l'équipe de modération",
      required: false,
      maxLength: 2000,
      rows: 3,
      hint: "D'où viennent ces informations, votre lien avec le projet…",
    });
    const message = formMessage();
    const saveDraft = h('button', { type: 'button', class: 'button button--secondary contribute__draft' }, 'Enregistrer le brouillon');
    const submit = h('button', { type: 'submit', class: 'button button--primary contribute__submit' }, 'Envoyer à la modération');
    const state = h('p', { class: 'contribute__state', role: 'status' });
    const formEl = h(
      'form',
      { class: 'form form--wide contribute__form', novalidate: true, 'aria-labelledby': 'page-title' },
      h('p', { class: 'form__required-note' }, 'Seul le titre est obligatoire pour envoyer ; un brouillon peut rester incomplet.'),
      f.element,
      comment.element,
      message.element,
      h('div', { class: 'form__actions contribute__actions' }, submit, saveDraft),
      state,
    );
    let current = existing;
    if (existing) {
      const start = base ? { ...base, ...existing.fields } : existing.fields;
      f.setValues(start);
      comment.control.value = existing.comment ?? '';
      if (existing.status === 'changes_requested' && existing.reason) {
        formEl.prepend(
          h('div', { class: 'notice notice--warning contribute__reason' }, h('p', null, h('strong', null, 'Modifications demandées par la modération : '), existing.reason)),
        );
      }
      state.textContent = existing.status === 'draft' ? `Brouillon enregistré le ${new Date(existing.updated_at).toLocaleString('fr-FR')}.` : '';
    }
    const fieldsToSend = (): InitiativeFields => (base ? f.changedFrom(base) : f.filled());

    async function send(submitting: boolean): Promise<void> {
      f.clearErrors();
      message.clear();
      const fields = fieldsToSend();
      if (submitting && !base && !fields.title) {
        f.showError(new ApiError(400, 'invalid', 'Donnez un titre à l’initiative.', 'title'), message);
        return;
      }
      if (submitting && base && Object.keys(fields).length === 0) {
        message.error("Vous n'avez modifié aucun champ.");
        return;
      }
      try {
        const saved = current
          ? await updateContribution(current.id, { version: current.version, fields, comment: comment.control.value.trim(), ...(submitting ? { submit: true } : {}) })
          : await createProposal(fields, comment.control.value.trim(), submitting);
        current = saved;
        savedId = saved.id;
        if (submitting || saved.status === 'pending') {
          done(saved);
          return;
        }
        navigate(`/contribuer?brouillon=${saved.id}`, { replace: true });
        state.textContent = 'Brouillon enregistré. Vous pouvez le reprendre plus tard depuis « Mes contributions ».';
        toast('Brouillon enregistré.');
      } catch (err) {
        if (err instanceof ApiError && err.status === 409) {
          message.error('Ce brouillon a été modifié ailleurs entre-temps : rechargez la page pour repartir de sa dernière version.');
          return;
        }
        f.showError(err, message);
      }
    }
    formEl.addEventListener('submit', (event) => {
      event.preventDefault();
      void busy(submit, 'Envoi…', () => send(true));
    });
    saveDraft.addEventListener('click', () => void busy(saveDraft, 'Enregistrement…', () => send(false)));
    body.replaceChildren(formEl);
  }

  function done(saved: Contribution): void {
    form?.destroy();
    form = null;
    setTitle('Proposition envoyée');
    heading.textContent = 'Merci ! Votre proposition est envoyée';
    lead.textContent = '';
    body.replaceChildren(
      h(
        'div',
        { class: 'notice notice--success contribute__done', role: 'status' },
        h('p', null, "Elle est « En attente de modération ». Vous recevrez un e-mail quand l'équipe l'aura relue."),
        h(
          'p',
          null,
          h('a', { href: '/mon-espace/contributions', class: 'button button--secondary' }, 'Voir mes contributions'),
          ' ',
          saved.kind === 'proposal' ? h('a', { href: '/contribuer', class: 'button button--tertiary contribute__another' }, 'Ajouter une autre initiative') : null,
        ),
      ),
    );
    heading.focus();
  }

  async function start(state: SessionState): Promise<void> {
    if (state.status !== 'signed-in') {
      signedOut();
      return;
    }
    if (!state.user.verified) {
      unverified(state.user.email);
      return;
    }
    body.replaceChildren(loadingIndicator('Chargement du formulaire…'));
    try {
      const vocabularies = await getVocabularies();
      let existing: Contribution | null = null;
      let base: InitiativeFields | null = null;
      if (Number.isSafeInteger(draftId) && draftId > 0) {
        existing = await getContribution(draftId, controller.signal);
        if (existing.status !== 'draft' && existing.status !== 'changes_requested') {
          body.replaceChildren(
            h(
              'div',
              { class: 'notice' },
              h('p', null, 'Cette contribution ne peut plus être modifiée : elle a déjà été envoyée ou relue.'),
              h('a', { href: '/mon-espace/contributions' }, 'Voir mes contributions'),
            ),
          );
          return;
        }
        if (existing.kind === 'correction' && existing.initiative) {
          // A correction is reopened over the record as it is now; only the fields that differ go.
          base = fieldsOfInitiative(await getInitiative(existing.initiative.id, controller.signal));
          heading.textContent = `Corriger « ${existing.initiative.title} »`;
          setTitle(heading.textContent);
          lead.textContent = 'Modifiez les champs à corriger ; seuls les champs changés sont envoyés.';
        }
      }
      if (!live) return;
      build(vocabularies, existing, base);
    } catch (err) {
      if (isAbort(err) || !live) return;
      if (err instanceof ApiError && err.status === 404) {
        body.replaceChildren(errorMessage('Ce brouillon est introuvable.'));
        return;
      }
      body.replaceChildren(errorMessage(errorText(err), () => void start(state)));
    }
  }

  // Signing in or out, or confirming the address in another tab, changes what this page offers.
  const keyOf = (state: SessionState): string => (state.status === 'signed-in' ? `${state.user.id}:${state.user.verified}` : state.status);
  let known = '';
  const follow = (state: SessionState): void => {
    const key = keyOf(state);
    if (!live || state.status === 'loading' || key === known) return;
    known = key;
    void start(state);
  };
  const stop = onSession(follow);
  follow(sessionState());

  return {
    update(route): boolean {
      // Saving a draft puts its id in the address: the form stays as it is.
      return route.name === 'contribute' && Number(route.query.get('brouillon')) === savedId && savedId > 0;
    },
    destroy(): void {
      live = false;
      stop();
      controller.abort();
      form?.destroy();
    },
  };
}
