// `/communautes/invitation?token=…`: the link of an invitation e-mail. Signed in: « Rejoindre ».
// Signed out: create an account (or log in) and come back here — the return address goes through
// the router's safeReturn. Accepting with the invited address also confirms it.
import { ApiError, isAbort } from '../../api';
import { acceptInvitation, describeInvitation, VISIBILITY_LABELS, type Invitation } from '../../communitiesApi';
import { busy, errorText } from '../../components/form';
import { errorMessage, loadingIndicator } from '../../components/status';
import { toast } from '../../components/toast';
import { h, setTitle } from '../../dom';
import { formatDate } from '../../format';
import { communityUrl, loginHref, navigate } from '../../router';
import { onSession, reloadSession, sessionReady, sessionState } from '../../session';
import type { View } from '../view';

export function invitationView(root: HTMLElement, query: URLSearchParams): View {
  const controller = new AbortController();
  const token = query.get('token') ?? '';
  const here = `/communautes/invitation?${new URLSearchParams({ token }).toString()}`;
  let invitation: Invitation | null = null;
  let live = true;
  setTitle('Invitation');
  const page = h('div', { class: 'container account-page community-invitation' }, loadingIndicator('Lecture de l’invitation…'));
  root.append(page);

  function invalid(): void {
    setTitle('Invitation non valable');
    page.replaceChildren(
      h('h1', { class: 'account-page__title' }, 'Ce lien d’invitation n’est plus valable'),
      h('p', null, 'Il a peut-être expiré (une invitation vaut 14 jours) ou été recopié en partie. Demandez à la personne qui vous a invité de vous envoyer une nouvelle invitation.'),
      h('p', null, h('a', { class: 'button button--secondary', href: '/communautes' }, 'Voir les communautés')),
    );
  }

  function render(): void {
    if (!invitation) return;
    const inv = invitation;
    const name = inv.community?.name ?? 'une communauté';
    setTitle(`Invitation à « ${name} »`);
    const state = sessionState();
    const parts: HTMLElement[] = [
      h('h1', { class: 'account-page__title' }, `Vous êtes invité·e à rejoindre « ${name} »`),
      h(
        'p',
        { class: 'account-page__lead' },
        `Communauté ${VISIBILITY_LABELS[inv.community?.visibility] ? VISIBILITY_LABELS[inv.community.visibility].toLowerCase() : ''}`.trim(),
        inv.email ? `, invitation adressée à ${inv.email}` : '',
        inv.expires_at ? `, valable jusqu’au ${formatDate(inv.expires_at)}` : '',
        '.',
      ),
    ];
    if (inv.status === 'accepted') {
      parts.push(
        h('p', { class: 'notice' }, 'Cette invitation a déjà été acceptée.'),
        h('p', null, h('a', { class: 'button button--primary', href: communityUrl(inv.community.id) }, 'Aller à la communauté')),
      );
    } else if (state.status === 'signed-out') {
      parts.push(
        h('p', null, `Pour accepter, créez votre compte${inv.email ? ` avec l’adresse ${inv.email}` : ''}, ou connectez-vous si vous en avez déjà un. Vous reviendrez ensuite sur cette page.`),
        h(
          'p',
          { class: 'account-outcome__actions' },
          h('a', { class: 'button button--primary', href: loginHref('inscription', here) }, 'Créer un compte'),
          ' ',
          h('a', { class: 'button button--secondary', href: loginHref('connexion', here) }, 'Se connecter'),
        ),
      );
    } else if (state.status === 'signed-in') {
      const accept = h('button', { type: 'button', class: 'button button--primary' }, 'Rejoindre la communauté');
      const message = h('div', { class: 'form__message', 'aria-live': 'polite' });
      accept.addEventListener('click', () => {
        message.replaceChildren();
        void busy(accept, 'Un instant…', () => acceptInvitation(token)).then(
          async (community) => {
            // The invited address may just have been confirmed by this link.
            await reloadSession().catch(() => false);
            toast(`Bienvenue dans « ${community.name} » !`);
            navigate(communityUrl(community.id), { replace: true });
          },
          (err: unknown) => {
            if (err instanceof ApiError && err.code === 'invalid_token') {
              invalid();
              return;
            }
            message.replaceChildren(h('p', { class: 'alert alert--error form__alert', role: 'alert' }, errorText(err)));
          },
        );
      });
      parts.push(
        h('p', null, `Vous êtes connecté·e en tant que ${state.user.display_name}.`),
        h('p', null, accept),
        message,
      );
    }
    page.replaceChildren(...parts);
  }

  function load(): void {
    if (!token) {
      invalid();
      return;
    }
    page.replaceChildren(loadingIndicator('Lecture de l’invitation…'));
    describeInvitation(token, controller.signal).then(
      (answer) => {
        if (!live) return;
        invitation = answer;
        void sessionReady().then(() => live && render());
      },
      (err: unknown) => {
        if (!live || isAbort(err)) return;
        if (err instanceof ApiError && (err.status === 400 || err.status === 404)) {
          invalid();
          return;
        }
        page.replaceChildren(h('h1', { class: 'visually-hidden' }, 'Invitation'), errorMessage(errorText(err), load));
      },
    );
  }

  const stop = onSession(() => {
    if (live && invitation) render();
  });
  load();
  return {
    destroy(): void {
      live = false;
      controller.abort();
      stop();
    },
  };
}
