import { ApiError } from '../../api';
import { resetPassword } from '../../accountApi';
import { busy, clearErrors, formMessage, passwordField, passwordProblem, setFieldError, showError } from '../../components/form';
import { h } from '../../dom';
import { forgetSession } from '../../session';
import type { View } from '../view';
import { accountPage, outcome } from './page';

/** `/reinitialisation?token=`: a new password; every session of the account is closed after. */
export function resetPasswordView(root: HTMLElement, query: URLSearchParams): View {
  const token = query.get('token') ?? '';
  const body = accountPage(root, 'Choisir un nouveau mot de passe');
  const password = passwordField({
    id: 'reset-password',
    name: 'password',
    label: 'Nouveau mot de passe',
    autocomplete: 'new-password',
    hint: 'Au moins 12 caractères.',
  });
  const message = formMessage();
  const submit = h('button', { type: 'submit', class: 'button button--primary form__submit' }, 'Enregistrer le mot de passe');
  const form = h('form', { class: 'form account-form', novalidate: true, 'aria-labelledby': 'page-title' }, message.element, password.element, submit);
  body.append(form);
  if (!token) message.error('Le lien est incomplet. Copiez-le en entier depuis l’e-mail reçu, ou demandez-en un nouveau.');

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    clearErrors([password], message);
    const problem = passwordProblem(password.control.value);
    if (problem) {
      setFieldError(password, problem);
      password.control.focus();
      return;
    }
    void busy(submit, 'Enregistrement…', () => resetPassword(token, password.control.value)).then(
      () => {
        forgetSession();
        outcome(
          root,
          'Votre mot de passe est changé',
          'success',
          h('p', null, 'Pour votre sécurité, toutes les sessions ouvertes avec ce compte ont été fermées.'),
          h('p', null, h('a', { class: 'button button--primary', href: '/connexion' }, 'Se connecter')),
        );
      },
      (err: unknown) => {
        if (err instanceof ApiError && err.code === 'invalid_token') {
          message.element.replaceChildren(
            h(
              'div',
              { class: 'alert alert--error', role: 'alert' },
              h('p', { class: 'alert__text' }, err.message),
              h('a', { href: '/mot-de-passe-oublie' }, 'Demander un nouveau lien'),
            ),
          );
          return;
        }
        showError(err, [password], message);
      },
    );
  });
  return { destroy() {} };
}
