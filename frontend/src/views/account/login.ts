import { h } from '../../dom';
import { busy, clearErrors, formMessage, passwordField, showError, textField } from '../../components/form';
import { toast } from '../../components/toast';
import { navigate, safeReturn } from '../../router';
import { logIn, sessionReady } from '../../session';
import type { View } from '../view';
import { accountPage } from './page';

/** `/connexion?retour=…`: e-mail and password; back to where the person was after. */
export function loginView(root: HTMLElement, query: URLSearchParams): View {
  const back = safeReturn(query.get('retour'));
  const body = accountPage(root, 'Se connecter');
  const email = textField({ id: 'login-email', name: 'email', label: 'Adresse e-mail', type: 'email', autocomplete: 'email' });
  const password = passwordField({ id: 'login-password', name: 'password', label: 'Mot de passe', autocomplete: 'current-password' });
  const message = formMessage();
  const submit = h('button', { type: 'submit', class: 'button button--primary form__submit' }, 'Se connecter');
  const signupHref = back ? `/inscription?retour=${encodeURIComponent(back)}` : '/inscription';
  const form = h(
    'form',
    { class: 'form account-form', novalidate: true, 'aria-labelledby': 'page-title' },
    message.element,
    email.element,
    password.element,
    h('p', { class: 'form__aside' }, h('a', { href: '/mot-de-passe-oublie' }, 'Mot de passe oublié ?')),
    submit,
  );
  body.append(
    form,
    h('p', { class: 'account-page__switch' }, 'Pas encore de compte ? ', h('a', { href: signupHref }, 'Créer un compte')),
  );
  const fields = [email, password];

  void sessionReady().then((state) => {
    if (state.status === 'signed-in' && root.contains(form)) {
      message.success(`Vous êtes déjà connecté en tant que ${state.user.display_name}.`);
    }
  });

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    clearErrors(fields, message);
    const missing = fields.find((f) => f.control.value.trim() === '');
    if (missing) {
      missing.error.textContent = missing === email ? 'Saisissez votre adresse e-mail.' : 'Saisissez votre mot de passe.';
      missing.control.setAttribute('aria-invalid', 'true');
      missing.control.focus();
      return;
    }
    void busy(submit, 'Connexion…', () => logIn(email.control.value.trim(), password.control.value)).then(
      (user) => {
        toast(`Bonjour ${user.display_name}, vous êtes connecté.`);
        navigate(back ?? '/mon-espace', { replace: true });
      },
      (err: unknown) => {
        showError(err, fields, message);
        // A wrong address or password: one message for both, in the form's alert.
        password.control.value = '';
      },
    );
  });
  return { destroy() {} };
}
