import 'leaflet/dist/leaflet.css';
import './styles/tokens.css';
import './styles/base.css';
import './styles/layout.css';
import './styles/components.css';
import './styles/map.css';
import './styles/search.css';
import './styles/account.css';
import './styles/contribute.css';
import './styles/comments.css';
import { mountAccountNav } from './components/accountNav';
import { mountNotificationBell } from './components/notificationBell';
import { mountVerifyBanner } from './components/verifyBanner';
import { startRouter, type RenderReason, type Route } from './router';
import { startSession } from './session';
import { lazyModule, lazyView } from './views/lazy';
import { notFoundView } from './views/notFound';
import { searchView } from './views/search';
import type { View } from './views/view';

// The search page is in this file; every other page is fetched the first time it is shown
// (views/lazy.ts), with what it alone uses (the diffs of contributions, the charts…).
const pages = {
  detail: lazyModule(() => import('./views/detail')),
  about: lazyModule(() => import('./views/pages')),
  sources: lazyModule(() => import('./views/sources')),
  login: lazyModule(() => import('./views/account/login')),
  signup: lazyModule(() => import('./views/account/signup')),
  verify: lazyModule(() => import('./views/account/verify')),
  forgotPassword: lazyModule(() => import('./views/account/forgotPassword')),
  resetPassword: lazyModule(() => import('./views/account/resetPassword')),
  unsubscribe: lazyModule(() => import('./views/account/unsubscribe')),
  space: lazyModule(() => import('./views/space/space')),
  collection: lazyModule(() => import('./views/collection')),
  contribute: lazyModule(() => import('./views/contribute')),
  history: lazyModule(() => import('./views/history')),
  moderation: lazyModule(() => import('./views/moderation')),
  moderationReports: lazyModule(() => import('./views/moderation/reports')),
  dashboard: lazyModule(() => import('./views/dashboard')),
  widget: lazyModule(() => import('./views/widget')),
  developers: lazyModule(() => import('./views/developers')),
  communities: lazyModule(() => import('./views/communities/directory')),
  communityNew: lazyModule(() => import('./views/communities/create')),
  community: lazyModule(() => import('./views/communities/community')),
  thread: lazyModule(() => import('./views/communities/thread')),
  invitation: lazyModule(() => import('./views/communities/invitation')),
};

// An initiative's link under the pointer or the keyboard focus is likely to be followed: its page
// starts arriving now rather than after the click (a failure here is retried on the click).
function prefetchDetail(event: Event): void {
  if (pages.detail.loaded) return;
  const link = event.target instanceof Element ? event.target.closest('a[href^="/initiatives/"]') : null;
  if (link) pages.detail.load().catch(() => undefined);
}
document.addEventListener('pointerover', prefetchDetail, { passive: true });
document.addEventListener('focusin', prefetchDetail);

const main = document.getElementById('main') as HTMLElement;
const header = document.querySelector('header.site-header') as HTMLElement;
let current: { name: Route['name']; view: View } | null = null;

void startSession();
const bell = mountNotificationBell();
const accountNav = mountAccountNav(header.querySelector('.site-header__inner') as HTMLElement, bell.element);
mountVerifyBanner(header);

function accountView(route: Extract<Route, { name: 'account' }>): View {
  switch (route.page) {
    case 'connexion':
      return lazyView(main, pages.login, route, (m, r) => m.loginView(main, r.query));
    case 'inscription':
      return lazyView(main, pages.signup, route, (m, r) => m.signupView(main, r.query));
    case 'verification':
      return lazyView(main, pages.verify, route, (m, r) => m.verifyView(main, r.query));
    case 'mot-de-passe-oublie':
      return lazyView(main, pages.forgotPassword, route, (m) => m.forgotPasswordView(main));
    case 'reinitialisation':
      return lazyView(main, pages.resetPassword, route, (m, r) => m.resetPasswordView(main, r.query));
    case 'desabonnement':
      return lazyView(main, pages.unsubscribe, route, (m, r) => m.unsubscribeView(main, r.query));
  }
}

function build(route: Route): View {
  switch (route.name) {
    case 'search':
      return searchView(main, route);
    case 'detail':
      return lazyView(main, pages.detail, route, (m, r) => m.detailView(main, r));
    case 'page':
      return lazyView(main, pages.about, route, (m, r) => m.pageView(main, r.page));
    case 'sources':
      return lazyView(main, pages.sources, route, (m) => m.sourcesView(main));
    case 'account':
      return accountView(route);
    case 'space':
      return lazyView(main, pages.space, route, (m, r) => m.spaceView(main, r));
    case 'collection':
      return lazyView(main, pages.collection, route, (m, r) => m.collectionView(main, r));
    case 'contribute':
      return lazyView(main, pages.contribute, route, (m, r) => m.contributeView(main, r.query));
    case 'history':
      return lazyView(main, pages.history, route, (m, r) => m.historyView(main, r.id));
    case 'moderation':
      return lazyView(main, pages.moderation, route, (m, r) => m.moderationView(main, r.query));
    case 'moderation-reports':
      return lazyView(main, pages.moderationReports, route, (m) => m.moderationReportsView(main));
    case 'dashboard':
      return lazyView(main, pages.dashboard, route, (m, r) => m.dashboardView(main, r));
    case 'figures':
      return lazyView(main, pages.dashboard, route, (m) => m.figuresView(main));
    case 'widget':
      return lazyView(main, pages.widget, route, (m, r) => m.widgetView(main, r));
    case 'developers':
      return lazyView(main, pages.developers, route, (m) => m.developersView(main));
    case 'communities':
      return lazyView(main, pages.communities, route, (m, r) => m.directoryView(main, r));
    case 'community-new':
      return lazyView(main, pages.communityNew, route, (m) => m.createCommunityView(main));
    case 'community-invitation':
      return lazyView(main, pages.invitation, route, (m, r) => m.invitationView(main, r.query));
    case 'community':
      return lazyView(main, pages.community, route, (m, r) => m.communityView(main, r));
    case 'thread':
      return lazyView(main, pages.thread, route, (m, r) => m.threadView(main, r));
    case 'notfound':
      return notFoundView(main);
  }
}

function show(route: Route, reason: RenderReason): void {
  accountNav.refresh();
  bell.refresh();
  if (current && current.name === route.name && current.view.update?.(route)) return;
  current?.view.destroy();
  main.replaceChildren();
  current = { name: route.name, view: build(route) };
  if (reason !== 'initial') {
    window.scrollTo(0, 0);
    // Screen readers start reading the new page from its content.
    main.focus({ preventScroll: true });
  }
}

startRouter(show);
