import { h } from '../dom';
import { loginHref } from '../router';
import { openDialog } from './dialog';

/** Signed out, a personal action opens this: why to sign in, and the two ways to. */
export function inviteToLogIn(reason: string): void {
  const dialog = openDialog({
    title: 'Connectez-vous',
    content: [
      h('p', null, reason),
      h(
        'div',
        { class: 'dialog__actions' },
        h('a', { class: 'button button--primary', href: loginHref('connexion') }, 'Se connecter'),
        h('a', { class: 'button button--secondary', href: loginHref('inscription') }, 'Créer un compte'),
      ),
    ],
  });
  // Following either link leaves the page: the dialog goes with it.
  dialog.body.addEventListener('click', (event) => {
    if (event.target instanceof Element && event.target.closest('a')) dialog.close();
  });
}
