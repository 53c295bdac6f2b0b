import { ApiError } from '../../api';
import { signUp } from '../../accountApi';
import { busy, clearErrors, formMessage, passwordField, passwordProblem, setFieldError, showError, textField } from '../../components/form';
import { h } from '../../dom';
import { safeReturn } from '../../router';
import { logIn } from '../../session';
import type { View } from '../view';
import { accountPage, outcome } from './page';

/** `/inscription`: e-mail, display name, password; then a page saying to check the mailbox. */
export function signupView(root: HTMLElement, query: URLSearchParams): View {
  const back = safeReturn(query.get('retour'));
  const body = accountPage(
    root,
    'Créer un compte',
    'Un compte permet de garder des favoris, de composer des collections et de recevoir des alertes sur vos recherches.',
  );
  const email = textField({ id: 'signup-email', name: 'email', label: 'Adresse e-mail', type: 'email', autocomplete: 'email', hint: 'Un lien de confirmation y sera envoyé.' });
  const name = textField({
    id: 'signup-name',
    name: 'display_name',
    label: 'Nom affiché',
    autocomplete: 'nickname',
    maxLength: 80,
    hint: 'Il apparaît sur vos collections publiques.',
  });
  const password = passwordField({
    id: 'signup-password',
    name: 'password',
    label: 'Mot de passe',
    autocomplete: 'new-password',
    hint: 'Au moins 12 caractères. Une phrase facile à retenir convient très bien.',
  });
  const message = formMessage();
  const submit = h('button', { type: 'submit', class: 'button button--primary form__submit' }, 'Créer mon compte');
  const form = h(
    'form',
    { class: 'form account-form', novalidate: true, 'aria-labelledby': 'page-title' },
    message.element,
    email.element,
    name.element,
    password.element,
    submit,
  );
  body.append(
    form,
    h('p', { class: 'account-page__switch' }, 'Déjà un compte ? ', h('a', { href: back ? `/connexion?retour=${encodeURIComponent(back)}` : '/connexion' }, 'Se connecter')),
  );
  const fields = [email, name, password];

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    clearErrors(fields, message);
    const address = email.control.value.trim();
    const displayName = name.control.value.trim();
    const problems: [typeof email, string | null][] = [
      [email, address === '' ? 'Saisissez votre adresse e-mail.' : !/^[^\s@]+@[^\s@]+$/.test(address) ? 'Saisissez une adresse e-mail valide, par exemple camille@exemple.fr.' : null],
      [name, displayName === '' ? 'Saisissez le nom à afficher.' : null],
      [password, passwordProblem(password.control.value)],
    ];
    const invalid = problems.filter(([, problem]) => problem !== null);
    if (invalid.length > 0) {
      for (const [field, problem] of invalid) setFieldError(field, problem);
      invalid[0][0].control.focus();
      return;
    }
    const secret = password.control.value;
    void busy(submit, 'Création du compte…', async () => {
      await signUp(address, displayName, secret);
      // A new account may sign in at once; for an address that already had one, this fails quietly.
      await logIn(address, secret).catch(() => undefined);
    }).then(
      () =>
        outcome(
          root,
          'Vérifiez votre boîte de réception',
          'info',
          h('p', null, `Un e-mail vient d’être envoyé à ${address}. Ouvrez le lien qu’il contient pour confirmer votre adresse : il est valable 48 heures.`),
          h('p', null, 'Pensez à regarder dans les courriers indésirables si vous ne le voyez pas.'),
          h('p', null, h('a', { class: 'button button--secondary', href: back ?? '/mon-espace' }, back ? 'Continuer' : 'Aller à mon espace')),
        ),
      (err: unknown) => {
        if (err instanceof ApiError && err.code === 'weak_password') setFieldError(password, err.message);
        showError(err, fields, message);
      },
    );
  });
  return { destroy() {} };
}
