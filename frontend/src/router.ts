import { emptyState, parseSearchState, stateUrl, type SearchState } from './searchState';

// History-based routing: every page and every search has its own URL, so links can be shared and
// the back button works. nginx answers index.html for any path that is not a file.

export type Route =
  | { name: 'search'; state: SearchState }
  | { name: 'detail'; id: number }
  | { name: 'page'; page: 'a-propos' | 'accessibilite' }
  | { name: 'sources' }
  | { name: 'account'; page: AccountPage; query: URLSearchParams }
  | { name: 'space'; section: SpaceSection; collectionId: number | null }
  | { name: 'collection'; id: number }
  | { name: 'contribute'; query: URLSearchParams }
  | { name: 'history'; id: number }
  | { name: 'moderation'; query: URLSearchParams }
  | { name: 'moderation-reports' }
  | { name: 'dashboard'; state: SearchState }
  | { name: 'figures' }
  | { name: 'widget'; state: SearchState }
  | { name: 'developers' }
  | { name: 'communities'; query: URLSearchParams }
  | { name: 'community-new' }
  | { name: 'community-invitation'; query: URLSearchParams }
  | { name: 'community'; id: number; tab: CommunityTab }
  | { name: 'thread'; id: number; threadId: number }
  | { name: 'notfound' };

/** The tabs of a community's page, each at its own address (`/communautes/12/discussions`). */
export const COMMUNITY_TABS = ['presentation', 'discussions', 'membres', 'collections', 'carte', 'activite'] as const;
export type CommunityTab = (typeof COMMUNITY_TABS)[number];

/** `/communautes/12` for the presentation, `/communautes/12/membres`… for the other tabs. */
export function communityUrl(id: number, tab: CommunityTab = 'presentation'): string {
  return tab === 'presentation' ? `/communautes/${id}` : `/communautes/${id}/${tab}`;
}

export function threadUrl(communityId: number, threadId: number): string {
  return `/communautes/${communityId}/discussions/${threadId}`;
}

/** The pages of signing in and of the links e-mailed to people, by path. */
export const ACCOUNT_PAGES = [
  'connexion',
  'inscription',
  'verification',
  'mot-de-passe-oublie',
  'reinitialisation',
  'desabonnement',
] as const;
export type AccountPage = (typeof ACCOUNT_PAGES)[number];

/** The sections of « Mon espace »: `/mon-espace` is the profile, `/mon-espace/favoris`… the others. */
export const SPACE_SECTIONS = [
  'profil',
  'sessions',
  'favoris',
  'collections',
  'recherches',
  'contributions',
  'cles',
  'communautes',
  'notifications',
] as const;
export type SpaceSection = (typeof SPACE_SECTIONS)[number];

/** The « Tableau de bord » of a search (same parameters as `/`) and the national figures. */
export const DASHBOARD_PATH = '/tableau-de-bord';
export const FIGURES_PATH = '/en-chiffres';

/** `/tableau-de-bord?theme=ENV…`: the dashboard of the same search. */
export function dashboardUrl(state: SearchState): string {
  return DASHBOARD_PATH + stateUrl(state).slice(1);
}

/** « Intégrer une carte sur votre site »: the configurator of the embeddable widget, for a search. */
export const WIDGET_PATH = '/developpeurs/widget';

/** `/developpeurs/widget?theme=ENV…`: the widget of the same search. */
export function widgetUrl(state: SearchState): string {
  return WIDGET_PATH + stateUrl(state).slice(1);
}

const DETAIL = /^\/initiatives\/([0-9]{1,15})\/?$/;
const HISTORY = /^\/initiatives\/([0-9]{1,15})\/historique\/?$/;
const COLLECTION = /^\/collections\/([0-9]{1,15})\/?$/;
const COMMUNITY = /^\/communautes\/([0-9]{1,15})(?:\/([a-z]+))?\/?$/;
const THREAD = /^\/communautes\/([0-9]{1,15})\/discussions\/([0-9]{1,15})\/?$/;
const SPACE = /^\/mon-espace(?:\/([a-z]+)(?:\/([0-9]{1,15}))?)?\/?$/;

function positiveId(raw: string | undefined): number | null {
  const id = Number(raw);
  return Number.isSafeInteger(id) && id > 0 ? id : null;
}

export function matchRoute(pathname: string, search: string): Route {
  if (pathname === '/' || pathname === '/index.html') {
    return { name: 'search', state: parseSearchState(search) };
  }
  const detail = DETAIL.exec(pathname);
  if (detail) {
    const id = Number(detail[1]);
    return Number.isSafeInteger(id) && id > 0 ? { name: 'detail', id } : { name: 'notfound' };
  }
  const history = HISTORY.exec(pathname);
  if (history) {
    const id = positiveId(history[1]);
    return id ? { name: 'history', id } : { name: 'notfound' };
  }
  const collection = COLLECTION.exec(pathname);
  if (collection) {
    const id = positiveId(collection[1]);
    return id ? { name: 'collection', id } : { name: 'notfound' };
  }
  const community = COMMUNITY.exec(pathname);
  if (community) {
    const id = positiveId(community[1]);
    const tab = (community[2] ?? 'presentation') as CommunityTab;
    return id && COMMUNITY_TABS.includes(tab) ? { name: 'community', id, tab } : { name: 'notfound' };
  }
  const thread = THREAD.exec(pathname);
  if (thread) {
    const id = positiveId(thread[1]);
    const threadId = positiveId(thread[2]);
    return id && threadId ? { name: 'thread', id, threadId } : { name: 'notfound' };
  }
  const space = SPACE.exec(pathname);
  if (space) {
    const section = (space[1] ?? 'profil') as SpaceSection;
    if (!SPACE_SECTIONS.includes(section)) return { name: 'notfound' };
    if (space[2] !== undefined && section !== 'collections') return { name: 'notfound' };
    const collectionId = space[2] !== undefined ? positiveId(space[2]) : null;
    if (space[2] !== undefined && collectionId === null) return { name: 'notfound' };
    return { name: 'space', section, collectionId };
  }
  const page = pathname.replace(/\/$/, '');
  const account = page.slice(1) as AccountPage;
  if (ACCOUNT_PAGES.includes(account)) return { name: 'account', page: account, query: new URLSearchParams(search) };
  if (page === '/sources') return { name: 'sources' };
  if (page === '/contribuer') return { name: 'contribute', query: new URLSearchParams(search) };
  if (page === '/moderation') return { name: 'moderation', query: new URLSearchParams(search) };
  if (page === '/moderation/signalements') return { name: 'moderation-reports' };
  if (page === DASHBOARD_PATH) return { name: 'dashboard', state: parseSearchState(search) };
  if (page === FIGURES_PATH) return { name: 'figures' };
  if (page === WIDGET_PATH) return { name: 'widget', state: parseSearchState(search) };
  if (page === '/developpeurs') return { name: 'developers' };
  if (page === '/communautes') return { name: 'communities', query: new URLSearchParams(search) };
  if (page === '/communautes/nouvelle') return { name: 'community-new' };
  if (page === '/communautes/invitation') return { name: 'community-invitation', query: new URLSearchParams(search) };
  if (page === '/a-propos' || page === '/accessibilite') return { name: 'page', page: page.slice(1) as 'a-propos' };
  return { name: 'notfound' };
}

/** `/?q=jardin&territory=commune:69123,region:84`: colons and commas stay readable in shared links. */
export function searchUrl(q: string, territories: readonly string[] = []): string {
  return stateUrl({ ...emptyState(), q, territories: territories.slice() });
}

/** A path of this site to come back to after signing in; anything else is refused. */
export function safeReturn(raw: string | null | undefined): string | null {
  if (!raw || !raw.startsWith('/') || raw.startsWith('//') || raw.startsWith('/\\')) return null;
  try {
    const url = new URL(raw, window.location.origin);
    if (url.origin !== window.location.origin || url.pathname.startsWith('/api/')) return null;
    // Coming back to the log-in or sign-up page itself would go round in circles.
    if (url.pathname === '/connexion' || url.pathname === '/inscription') return null;
    return url.pathname + url.search;
  } catch {
    return null;
  }
}

/** `/connexion?retour=/mon-espace/favoris`: the log-in page, coming back here (or to `back`) after. */
export function loginHref(page: 'connexion' | 'inscription' = 'connexion', back?: string): string {
  const here = safeReturn(back ?? window.location.pathname + window.location.search);
  return here && here !== '/' ? `/${page}?retour=${encodeURIComponent(here)}` : `/${page}`;
}

export type RenderReason = 'initial' | 'push' | 'pop';
type Listener = (route: Route, reason: RenderReason) => void;

let listener: Listener | null = null;
let lastSearch = '/';

function currentRoute(): Route {
  return matchRoute(window.location.pathname, window.location.search);
}

/** The URL of the last search shown, for "back to results" links. */
export function lastSearchUrl(): string {
  return lastSearch;
}

export function navigate(url: string, options: { replace?: boolean } = {}): void {
  const here = window.location.pathname + window.location.search;
  if (options.replace) window.history.replaceState(null, '', url);
  else if (url !== here) window.history.pushState(null, '', url);
  emit('push');
}

function emit(reason: RenderReason): void {
  const route = currentRoute();
  if (route.name === 'search') lastSearch = window.location.pathname + window.location.search;
  listener?.(route, reason);
}

/** Same-origin links are followed without reloading, except API and data files. */
function onClick(event: MouseEvent): void {
  if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) {
    return;
  }
  const target = event.target instanceof Element ? event.target.closest('a') : null;
  if (!target || !target.hasAttribute('href') || (target.target && target.target !== '_self') || target.hasAttribute('download')) {
    return;
  }
  const url = new URL(target.href, window.location.href);
  if (url.origin !== window.location.origin) return;
  if (url.pathname.startsWith('/api/') || url.pathname.startsWith('/geo/')) return;
  // In-page anchors (such as the skip link) keep their native behaviour.
  if (url.hash && url.pathname === window.location.pathname && url.search === window.location.search) return;
  event.preventDefault();
  navigate(url.pathname + url.search);
}

export function startRouter(onRoute: Listener): void {
  listener = onRoute;
  document.addEventListener('click', onClick);
  window.addEventListener('popstate', () => emit('pop'));
  emit('initial');
}
