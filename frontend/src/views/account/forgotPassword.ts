import { forgotPassword } from '../../accountApi';
import { busy, clearErrors, formMessage, showError, textField } from '../../components/form';
import { h } from '../../dom';
import type { View } from '../view';
import { accountPage, outcome } from './page';

/** `/mot-de-passe-oublie`: sends a reset link to the address, if it has an account. */
export function forgotPasswordView(root: HTMLElement): View {
  const body = accountPage(root, 'Mot de passe oublié', 'Saisissez l’adresse de votre compte : nous vous enverrons un lien pour choisir un nouveau mot de passe.');
  const email = textField({ id: 'forgot-email', name: 'email', label: 'Adresse e-mail', type: 'email', autocomplete: 'email' });
  const message = formMessage();
  const submit = h('button', { type: 'submit', class: 'button button--primary form__submit' }, 'Recevoir le lien');
  const form = h('form', { class: 'form account-form', novalidate: true, 'aria-labelledby': 'page-title' }, message.element, email.element, submit);
  body.append(form, h('p', { class: 'account-page__switch' }, h('a', { href: '/connexion' }, 'Revenir à la connexion')));

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    clearErrors([email], message);
    const address = email.control.value.trim();
    if (!address) {
      email.error.textContent = 'Saisissez votre adresse e-mail.';
      email.control.setAttribute('aria-invalid', 'true');
      email.control.focus();
      return;
    }
    void busy(submit, 'Envoi…', () => forgotPassword(address)).then(
      () =>
        outcome(
          root,
          'Vérifiez votre boîte de réception',
          'info',
          h('p', null, `Si un compte existe pour ${address}, un e-mail vient de lui être envoyé. Le lien qu’il contient est valable une heure.`),
          h('p', null, h('a', { href: '/connexion' }, 'Revenir à la connexion')),
        ),
      (err: unknown) => showError(err, [email], message),
    );
  });
  return { destroy() {} };
}
