// `/mon-espace`: the personal space, one section per address, reached through a navigation whose
// current link carries aria-current. Signed out, it sends to the log-in page and back.
import { loadingIndicator } from '../../components/status';
import { h, setTitle } from '../../dom';
import { loginHref, navigate, type Route, type SpaceSection } from '../../router';
import { onSession, sessionReady, type SessionState } from '../../session';
import type { User } from '../../types';
import type { View } from '../view';
import { collectionEditor } from './collectionEditor';
import { collectionsSection } from './collections';
import { communitiesSection } from './communities';
import { notificationsSection } from './notifications';
import { contributionsSection } from './contributions';
import { favouritesSection } from './favourites';
import { keysSection } from './keys';
import { profileSection } from './profile';
import { searchesSection } from './searches';
import type { Section } from './section';
import { sessionsSection } from './sessions';

const SECTIONS: { key: SpaceSection; href: string; label: string }[] = [
  { key: 'profil', href: '/mon-espace', label: 'Profil' },
  { key: 'sessions', href: '/mon-espace/sessions', label: 'Sessions' },
  { key: 'favoris', href: '/mon-espace/favoris', label: 'Favoris' },
  { key: 'collections', href: '/mon-espace/collections', label: 'Collections' },
  { key: 'recherches', href: '/mon-espace/recherches', label: 'Recherches enregistrées' },
  { key: 'contributions', href: '/mon-espace/contributions', label: 'Mes contributions' },
  { key: 'cles', href: '/mon-espace/cles', label: "Clés d'API" },
  { key: 'communautes', href: '/mon-espace/communautes', label: 'Mes communautés' },
  { key: 'notifications', href: '/mon-espace/notifications', label: 'Notifications' },
];

export function spaceView(root: HTMLElement, route: Extract<Route, { name: 'space' }>): View {
  let current = route;
  let section: Section | null = null;
  let user: User | null = null;
  const links = SECTIONS.map((s) => h('a', { class: 'space-nav__link', href: s.href, 'data-section': s.key }, s.label));
  const nav = h('nav', { class: 'space-nav', 'aria-label': 'Mon espace' }, h('ul', { class: 'space-nav__list' }, ...links.map((a) => h('li', null, a))));
  const content = h('div', { class: 'space-content' }, loadingIndicator('Chargement de votre espace…'));
  const heading = h('h1', { class: 'space__title' }, 'Mon espace');
  root.append(h('div', { class: 'container space' }, heading, nav, content));
  setTitle('Mon espace');

  function render(): void {
    section?.destroy();
    section = null;
    if (!user) return;
    const key = current.section;
    for (const a of links) {
      if (a.dataset.section === key) a.setAttribute('aria-current', 'page');
      else a.removeAttribute('aria-current');
    }
    const label = SECTIONS.find((s) => s.key === key)?.label ?? 'Mon espace';
    setTitle(`${label} — Mon espace`);
    content.replaceChildren();
    if (key === 'profil') section = profileSection(content, user);
    else if (key === 'sessions') section = sessionsSection(content);
    else if (key === 'favoris') section = favouritesSection(content);
    else if (key === 'collections') section = current.collectionId ? collectionEditor(content, current.collectionId) : collectionsSection(content);
    else if (key === 'contributions') section = contributionsSection(content);
    else if (key === 'cles') section = keysSection(content);
    else if (key === 'communautes') section = communitiesSection(content);
    else if (key === 'notifications') section = notificationsSection(content);
    else section = searchesSection(content);
  }

  function toLogin(): void {
    navigate(loginHref('connexion', window.location.pathname + window.location.search), { replace: true });
  }

  let live = true;
  void sessionReady().then((state) => {
    if (!live) return;
    if (state.status !== 'signed-in') {
      toLogin();
      return;
    }
    user = state.user;
    render();
  });
  const stop = onSession((state: SessionState) => {
    if (!live) return;
    if (state.status === 'signed-out') toLogin();
    else if (state.status === 'signed-in') {
      const first = !user;
      user = state.user;
      // The profile shows the name and the address: it follows their changes.
      if (first) render();
    }
  });

  return {
    update(next: Route): boolean {
      if (next.name !== 'space') return false;
      current = next;
      render();
      // Moving between sections: screen readers start from the new section's title.
      content.querySelector<HTMLElement>('h2')?.focus({ preventScroll: true });
      return true;
    },
    destroy(): void {
      live = false;
      stop();
      section?.destroy();
    },
  };
}
