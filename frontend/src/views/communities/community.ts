// `/communautes/{id}` and its tabs, each at its own address so that links and the back button work:
// « Présentation » (`/communautes/12`), « Discussions » (`/discussions`), « Membres » (`/membres`),
// « Collections » (`/collections`), « Carte » (`/carte`), « Activité » (`/activite`). The header
// holds the buttons of the person's state (join, request, cancel, leave). A private community is,
// for whoever is not in it, the same « n'existe pas » page as an unknown id.
import { ApiError, isAbort } from '../../api';
import {
  getCommunity,
  join,
  leave,
  postThread,
  type Community,
} from '../../communitiesApi';
import { confirmDialog } from '../../components/dialog';
import { errorText } from '../../components/form';
import { errorMessage, loadingIndicator } from '../../components/status';
import { toast } from '../../components/toast';
import { append, h, setTitle } from '../../dom';
import { communityUrl, loginHref, navigate, threadUrl, type CommunityTab, type Route } from '../../router';
import { currentUser, onSession, sessionState } from '../../session';
import type { View } from '../view';
import { memberCount, renderCommunityNotFound, statusBadge, visibilityBadge } from './shared';
import { activityTab, collectionsTab, discussionsTab, mapTab, membersTab, presentationTab, type Tab, type TabContext } from './tabs';

const TABS: { key: CommunityTab; label: string }[] = [
  { key: 'presentation', label: 'Présentation' },
  { key: 'discussions', label: 'Discussions' },
  { key: 'membres', label: 'Membres' },
  { key: 'collections', label: 'Collections' },
  { key: 'carte', label: 'Carte' },
  { key: 'activite', label: 'Activité' },
];

export function communityView(root: HTMLElement, route: Extract<Route, { name: 'community' }>): View {
  let current = route;
  let community: Community | null = null;
  let tab: Tab | null = null;
  let controller = new AbortController();
  let live = true;
  setTitle('Communauté');

  const page = h('div', { class: 'container community-page' });
  root.append(page);
  const actions = h('div', { class: 'community-page__actions' });
  const actionMessage = h('p', { class: 'community-page__message', role: 'status', 'aria-live': 'polite' });
  const badges = h('p', { class: 'community-page__badges' });
  const heading = h('h1', { class: 'community-page__title' });
  const links = TABS.map((t) => h('a', { class: 'community-tabs__link', href: '#', 'data-tab': t.key }, t.label));
  const nav = h('nav', { class: 'community-tabs', 'aria-label': 'Rubriques de la communauté' }, h('ul', { class: 'community-tabs__list' }, ...links.map((a) => h('li', null, a))));
  const panel = h('section', { class: 'community-panel', 'aria-labelledby': 'community-panel-title' });

  function context(): TabContext {
    return {
      community: community!,
      signal: controller.signal,
      replaced(next: Community) {
        community = next;
        renderHeader();
      },
      reload: () => reloadCommunity(),
      startThread: (title, body, mentions) =>
        postThread(community!.id, title, body, mentions).then((thread) => {
          navigate(threadUrl(community!.id, thread.id));
          return thread;
        }),
    };
  }

  function renderHeader(): void {
    if (!community) return;
    heading.textContent = community.name;
    badges.replaceChildren();
    append(
      badges,
      visibilityBadge(community.visibility),
      ' ',
      h('span', { class: 'community-page__count' }, memberCount(community.member_count ?? 0)),
      community.territory ? h('span', { class: 'community-page__territory' }, ' · ', community.territory.name) : null,
      ' ',
      statusBadge(community),
    );
    renderActions();
  }

  function actionButton(text: string, kind: 'primary' | 'secondary', work: () => Promise<void>): HTMLButtonElement {
    const button = h('button', { type: 'button', class: `button button--${kind}` }, text);
    button.addEventListener('click', () => {
      button.disabled = true;
      work().finally(() => {
        button.disabled = false;
      });
    });
    return button;
  }

  function renderActions(): void {
    if (!community) return;
    const c = community;
    const state = sessionState();
    actions.replaceChildren();
    if (state.status === 'loading') return;
    if (state.status === 'signed-out') {
      actions.append(
        h('a', { class: 'button button--primary', href: loginHref('connexion') }, c.visibility === 'restricted' ? 'Se connecter pour demander à rejoindre' : 'Se connecter pour rejoindre'),
      );
      return;
    }
    const status = c.me?.status ?? null;
    if (status === null) {
      if (c.visibility === 'private') return;
      const restricted = c.visibility === 'restricted';
      actions.append(
        actionButton(restricted ? 'Demander à rejoindre' : 'Rejoindre la communauté', 'primary', async () => {
          try {
            const answer = await join(c.id);
            await reloadCommunity();
            actionMessage.textContent =
              answer?.status === 'pending' ? 'Votre demande a été envoyée aux modérateurs.' : `Bienvenue dans « ${c.name} » !`;
            actions.querySelector<HTMLElement>('button')?.focus();
          } catch (err) {
            actionMessage.textContent =
              err instanceof ApiError && err.code === 'unverified'
                ? 'Confirmez d’abord votre adresse e-mail (lien reçu à l’inscription) pour rejoindre une communauté.'
                : errorText(err);
          }
        }),
      );
    } else if (status === 'pending') {
      actions.append(
        h('span', { class: 'community-page__pending' }, 'Votre demande attend la réponse des modérateurs.'),
        actionButton('Annuler ma demande', 'secondary', async () => {
          try {
            await leave(c.id);
            await reloadCommunity();
            actionMessage.textContent = 'Votre demande est annulée.';
          } catch (err) {
            actionMessage.textContent = errorText(err);
          }
        }),
      );
    } else if (status === 'member') {
      if (c.me?.role === 'owner') {
        actions.append(h('span', { class: 'community-page__pending' }, 'Pour quitter la communauté, passez d’abord la main à un autre membre (onglet « Membres »).'));
      } else {
        actions.append(
          actionButton('Quitter la communauté', 'secondary', async () => {
            const yes = await confirmDialog('Quitter la communauté ?', `Vous ne recevrez plus les nouvelles de « ${c.name} ».`, 'Quitter');
            if (!yes) return;
            try {
              await leave(c.id);
              toast('Vous avez quitté la communauté.');
              if (c.visibility === 'private') navigate('/mon-espace/communautes');
              else await reloadCommunity();
            } catch (err) {
              actionMessage.textContent = errorText(err);
            }
          }),
        );
      }
    } else if (status === 'banned') {
      actions.append(h('span', { class: 'community-page__pending' }, 'Vous ne pouvez plus participer à cette communauté.'));
    }
  }

  function renderTab(focus: boolean): void {
    if (!community) return;
    tab?.destroy();
    tab = null;
    controller.abort();
    controller = new AbortController();
    const label = TABS.find((t) => t.key === current.tab)?.label ?? 'Présentation';
    setTitle(current.tab === 'presentation' ? community.name : `${label} — ${community.name}`);
    for (const a of links) {
      a.setAttribute('href', communityUrl(community.id, a.dataset.tab as CommunityTab));
      if (a.dataset.tab === current.tab) a.setAttribute('aria-current', 'page');
      else a.removeAttribute('aria-current');
    }
    panel.replaceChildren();
    const title = h('h2', { class: 'community-panel__title', id: 'community-panel-title', tabindex: '-1' }, label);
    const body = h('div', { class: 'community-panel__body' });
    panel.append(title, body);
    const ctx = context();
    switch (current.tab) {
      case 'presentation':
        tab = presentationTab(body, ctx);
        break;
      case 'discussions':
        tab = discussionsTab(body, ctx);
        break;
      case 'membres':
        tab = membersTab(body, ctx);
        break;
      case 'collections':
        tab = collectionsTab(body, ctx);
        break;
      case 'carte':
        tab = mapTab(body, ctx);
        break;
      case 'activite':
        tab = activityTab(body, ctx);
        break;
    }
    if (focus) title.focus({ preventScroll: false });
  }

  function renderPage(): void {
    page.replaceChildren(
      h('p', { class: 'breadcrumb' }, h('a', { href: '/communautes' }, 'Communautés')),
      h('header', { class: 'community-page__header' }, heading, badges, actions, actionMessage),
      nav,
      panel,
    );
    renderHeader();
    renderTab(false);
  }

  async function reloadCommunity(): Promise<void> {
    if (!community) return;
    try {
      community = await getCommunity(community.id);
      renderHeader();
      renderTab(false);
    } catch (err) {
      if (err instanceof ApiError && err.status === 404) renderCommunityNotFound(root);
    }
  }

  function load(): void {
    page.replaceChildren(loadingIndicator('Chargement de la communauté…'));
    const id = current.id;
    getCommunity(id).then(
      (answer) => {
        if (!live || id !== current.id) return;
        community = answer;
        renderPage();
      },
      (err: unknown) => {
        if (!live || isAbort(err)) return;
        if (err instanceof ApiError && (err.status === 404 || err.status === 400)) {
          renderCommunityNotFound(root);
          return;
        }
        setTitle('Service indisponible');
        page.replaceChildren(h('h1', { class: 'visually-hidden' }, 'Communauté'), errorMessage(errorText(err), load));
      },
    );
  }

  // Signing in or out changes what the page offers: ask again who one is in it.
  let lastUser = currentUser()?.id ?? null;
  const stopSession = onSession(() => {
    const now = currentUser()?.id ?? null;
    if (now !== lastUser) {
      lastUser = now;
      if (community) void reloadCommunity();
    } else {
      renderActions();
    }
  });

  load();

  return {
    update(next: Route): boolean {
      if (next.name !== 'community' || !community || next.id !== community.id) return false;
      const changed = next.tab !== current.tab;
      current = next;
      if (changed) renderTab(true);
      return true;
    },
    destroy(): void {
      live = false;
      controller.abort();
      stopSession();
      tab?.destroy();
    },
  };
}
