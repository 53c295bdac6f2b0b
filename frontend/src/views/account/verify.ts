import { resendVerification, verifyEmail } from '../../accountApi';
import { errorText } from '../../components/form';
import { loadingIndicator } from '../../components/status';
import { h } from '../../dom';
import { loginHref } from '../../router';
import { reloadSession, sessionReady, sessionState } from '../../session';
import type { View } from '../view';
import { accountPage, outcome } from './page';

/** « Renvoyer le lien » when signed in; otherwise the way to sign in first. */
function resendBlock(): HTMLElement {
  const box = h('div', { class: 'account-outcome__actions' });
  void sessionReady().then((state) => {
    if (state.status !== 'signed-in') {
      box.append(
        h('p', null, 'Connectez-vous pour recevoir un nouveau lien.'),
        h('a', { class: 'button button--primary', href: loginHref('connexion', '/mon-espace') }, 'Se connecter'),
      );
      return;
    }
    const status = h('p', { class: 'account-outcome__status', role: 'status' });
    const resend = h('button', { type: 'button', class: 'button button--primary' }, 'Renvoyer le lien');
    resend.addEventListener('click', () => {
      resend.disabled = true;
      status.textContent = 'Envoi en cours…';
      resendVerification().then(
        () => (status.textContent = `Un nouveau lien a été envoyé à ${state.user.email}.`),
        (err: unknown) => (status.textContent = errorText(err)),
      ).finally(() => (resend.disabled = false));
    });
    box.append(resend, status);
  });
  return box;
}

/** `/verification?token=`: confirms the address of the link. */
export function verifyView(root: HTMLElement, query: URLSearchParams): View {
  const token = query.get('token') ?? '';
  const body = accountPage(root, 'Confirmation de votre adresse e-mail');
  let live = true;

  function failed(message: string): void {
    outcome(root, 'Ce lien ne fonctionne pas', 'error', h('p', null, message), resendBlock());
  }

  if (!token) {
    failed('Le lien est incomplet. Copiez-le en entier depuis l’e-mail reçu, ou demandez-en un nouveau.');
  } else {
    body.append(loadingIndicator('Vérification du lien…'));
    verifyEmail(token).then(
      () => {
        if (!live) return;
        // The header and the banner follow the account's new state.
        void reloadSession();
        outcome(
          root,
          'Votre adresse e-mail est confirmée',
          'success',
          h('p', null, 'Merci ! Vous pouvez maintenant rendre vos collections publiques et recevoir des alertes.'),
          h(
            'p',
            null,
            sessionState().status === 'signed-out'
              ? h('a', { class: 'button button--primary', href: loginHref('connexion', '/mon-espace') }, 'Se connecter')
              : h('a', { class: 'button button--primary', href: '/mon-espace' }, 'Aller à mon espace'),
          ),
        );
      },
      (err: unknown) => {
        if (!live) return;
        failed(errorText(err));
      },
    );
  }
  return {
    destroy() {
      live = false;
    },
  };
}
