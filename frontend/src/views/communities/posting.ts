// The forms of a new discussion and of a reply, with @-mention completion among the members, and the
// report dialog (« Signaler ») of a discussion or a reply.
import { ApiError } from '../../api';
import { BODY_MAX, listMembers, reportPost, TITLE_MAX, type Person } from '../../communitiesApi';
import { openDialog } from '../../components/dialog';
import { busy, clearErrors, formMessage, setFieldError, showError, textArea, textField, type Field } from '../../components/form';
import { toast } from '../../components/toast';
import { h } from '../../dom';
import { attachMentions } from './mention';

const membersCache = new Map<number, Promise<Person[]>>();

/** The members one may mention (the first page of the list, which holds up to 100 names). */
export function mentionableMembers(communityId: number): Promise<Person[]> {
  let pending = membersCache.get(communityId);
  if (!pending) {
    pending = listMembers(communityId, null, null).then(
      (page) => (Array.isArray(page.items) ? page.items.filter((m) => m.status === 'member') : []),
      () => {
        membersCache.delete(communityId);
        return [];
      },
    );
    membersCache.set(communityId, pending);
  }
  return pending;
}

let counter = 0;

export interface PostForm {
  element: HTMLFormElement;
  focus(): void;
  destroy(): void;
}

/**
 * A form with a title (new discussion only) and a text with mention completion. send() gets what to
 * post; the form is emptied once it succeeded.
 */
export function postForm(options: {
  communityId: number;
  selfId: number | null;
  withTitle: boolean;
  bodyLabel: string;
  submitLabel: string;
  busyLabel: string;
  send(title: string, body: string, mentions: number[]): Promise<unknown>;
}): PostForm {
  const n = ++counter;
  const title = options.withTitle
    ? textField({ id: `post-title-${n}`, name: 'title', label: 'Titre de la discussion', hint: `Une ligne, ${TITLE_MAX} caractères au plus.`, maxLength: TITLE_MAX })
    : null;
  const body = textArea({
    id: `post-body-${n}`,
    name: 'body',
    label: options.bodyLabel,
    hint: 'Texte simple ; les adresses web deviennent des liens.',
    maxLength: BODY_MAX,
    rows: 6,
  });
  const mentions = attachMentions(body.control, options.selfId);
  body.control.insertAdjacentElement('afterend', mentions.element);
  body.element.insertBefore(mentions.hint, body.control);
  void mentionableMembers(options.communityId).then((list) => mentions.setMembers(list));
  const fields: Field[] = title ? [title, body] : [body];
  const message = formMessage();
  const submit = h('button', { type: 'submit', class: 'button button--primary' }, options.submitLabel);
  const element = h('form', { class: 'form post-form', novalidate: true }, title?.element, body.element, message.element, h('div', { class: 'form__actions' }, submit));
  element.addEventListener('submit', (event) => {
    event.preventDefault();
    clearErrors(fields, message);
    const titleText = title?.control.value.trim() ?? '';
    const text = body.control.value.trim();
    if (title && !titleText) {
      setFieldError(title, 'Donnez un titre à la discussion.');
      title.control.focus();
      return;
    }
    if (!text) {
      setFieldError(body, options.withTitle ? 'Écrivez le message de la discussion.' : 'Écrivez votre réponse.');
      body.control.focus();
      return;
    }
    void busy(submit, options.busyLabel, () => options.send(titleText, text, mentions.ids())).then(
      () => {
        if (title) title.control.value = '';
        body.control.value = '';
      },
      (err: unknown) => {
        if (err instanceof ApiError && err.code === 'unverified') {
          message.error('Confirmez d’abord votre adresse e-mail (lien reçu à l’inscription) pour écrire ici.');
          return;
        }
        showError(err, fields, message);
      },
    );
  });
  return {
    element,
    focus: () => (title ?? body).control.focus(),
    destroy: () => mentions.destroy(),
  };
}

/** « Signaler » a discussion or a reply to the community's moderators and the site's moderation. */
export function openCommunityReport(communityId: number, target: { thread_id: number } | { reply_id: number }, about: string): void {
  const n = ++counter;
  const reason = textArea({
    id: `community-report-${n}`,
    name: 'reason',
    label: 'Pourquoi signalez-vous ce message ?',
    hint: 'Par exemple : propos injurieux, publicité, information fausse. 2 000 caractères au plus.',
    maxLength: 2000,
    rows: 5,
  });
  const message = formMessage();
  const submit = h('button', { type: 'submit', class: 'button button--primary' }, 'Envoyer le signalement');
  const cancel = h('button', { type: 'button', class: 'button button--secondary' }, 'Annuler');
  const form = h(
    'form',
    { class: 'form report-form', novalidate: true },
    h('p', { class: 'report-form__about' }, about),
    reason.element,
    message.element,
    h('div', { class: 'dialog__actions' }, submit, cancel),
  );
  const dialog = openDialog({ title: 'Signaler ce message', content: [form], focus: reason.control });
  cancel.addEventListener('click', () => dialog.close());
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    clearErrors([reason], message);
    const text = reason.control.value.trim();
    if (!text) {
      setFieldError(reason, 'Dites en quelques mots ce qui ne va pas.');
      reason.control.focus();
      return;
    }
    void busy(submit, 'Envoi…', () => reportPost(communityId, target, text)).then(
      () => {
        dialog.close();
        toast('Merci : votre signalement a été transmis à la modération.');
      },
      (err: unknown) => showError(err, [reason], message),
    );
  });
}
