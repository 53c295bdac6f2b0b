import { ApiError } from '../api';
import { REASON_MAX, sendReport, type ReportTarget } from '../commentsApi';
import { h } from '../dom';
import { currentUser } from '../session';
import { openDialog } from './dialog';
import { busy, clearErrors, formMessage, showError, textArea, textField, type Field } from './form';

let counter = 0;

/**
 * « Signaler une erreur » (an initiative) or « Signaler » (a comment): what is wrong, and, signed out,
 * an address to be answered at. Anyone may send one. The form holds a field that people never see
 * nor reach (`website`): robots that fill every field are answered as people are, and nothing is kept.
 */
export function openReportDialog(target: ReportTarget, about: string): void {
  const n = ++counter;
  const signedIn = currentUser() !== null;
  const reason = textArea({
    id: `report-reason-${n}`,
    name: 'reason',
    label: target.kind === 'initiative' ? "Qu'est-ce qui est inexact ou manque ?" : 'Pourquoi signalez-vous ce commentaire ?',
    hint:
      target.kind === 'initiative'
        ? 'Par exemple : adresse fausse, projet arrêté, site web qui ne répond plus. 2 000 caractères au plus.'
        : 'Par exemple : propos injurieux, publicité, information fausse. 2 000 caractères au plus.',
    maxLength: REASON_MAX,
    rows: 5,
  });
  const fields: Field[] = [reason];
  const email = signedIn
    ? null
    : textField({
        id: `report-email-${n}`,
        name: 'email',
        type: 'email',
        label: 'Votre adresse e-mail',
        hint: "Pour que l'équipe puisse vous répondre ; elle ne sera pas publiée.",
        required: false,
        autocomplete: 'email',
        maxLength: 254,
      });
  if (email) fields.push(email);
  // The honeypot: out of sight, out of the tab order, hidden from assistive technologies.
  const trap = h('input', { type: 'text', name: 'website', id: `report-website-${n}`, tabindex: '-1', autocomplete: 'off' });
  const trapBox = h(
    'div',
    { class: 'report-trap', 'aria-hidden': 'true' },
    h('label', { for: `report-website-${n}` }, 'Ne remplissez pas ce champ'),
    trap,
  );
  const message = formMessage();
  const submit = h('button', { type: 'submit', class: 'button button--primary' }, 'Envoyer le signalement');
  const cancel = h('button', { type: 'button', class: 'button button--secondary' }, 'Annuler');
  const form = h(
    'form',
    { class: 'form report-form', novalidate: true },
    h('p', { class: 'report-form__about' }, about),
    reason.element,
    email ? email.element : null,
    trapBox,
    message.element,
    h('div', { class: 'dialog__actions' }, submit, cancel),
  );
  const dialog = openDialog({
    title: target.kind === 'initiative' ? 'Signaler une erreur' : 'Signaler ce commentaire',
    content: [form],
    focus: reason.control,
  });
  cancel.addEventListener('click', () => dialog.close());
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    clearErrors(fields, message);
    const text = reason.control.value.trim();
    if (!text) {
      showError(new ApiError(400, 'invalid_field', 'Dites en quelques mots ce qui ne va pas.', 'reason'), fields, message);
      return;
    }
    const address = email?.control.value.trim() || null;
    void busy(submit, 'Envoi…', () => sendReport(target, text, address, trap.value)).then(
      (answer) => {
        const close = h('button', { type: 'button', class: 'button button--primary' }, 'Fermer');
        close.addEventListener('click', () => dialog.close());
        dialog.body.replaceChildren(
          h('p', { class: 'notice notice--success', role: 'status' }, answer?.message ?? 'Merci : votre signalement a bien été envoyé.'),
          h('div', { class: 'dialog__actions' }, close),
        );
        close.focus();
      },
      (err: unknown) => showError(err, fields, message),
    );
  });
}
