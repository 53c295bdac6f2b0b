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
import { mountVerifyBanner } from './components/verifyBanner';
import { startRouter, type RenderReason, type Route } from './router';
import { startSession } from './session';
import { forgotPasswordView } from './views/account/forgotPassword';
import { loginView } from './views/account/login';
import { resetPasswordView } from './views/account/resetPassword';
import { signupView } from './views/account/signup';
import { unsubscribeView } from './views/account/unsubscribe';
import { verifyView } from './views/account/verify';
import { collectionView } from './views/collection';
import { contributeView } from './views/contribute';
import { dashboardView, figuresView } from './views/dashboard';
import { detailView } from './views/detail';
import { historyView } from './views/history';
import { moderationView } from './views/moderation';
import { moderationReportsView } from './views/moderation/reports';
import { notFoundView } from './views/notFound';
import { pageView } from './views/pages';
import { searchView } from './views/search';
import { sourcesView } from './views/sources';
import { spaceView } from './views/space/space';
import type { View } from './views/view';

const main = document.getElementById('main') as HTMLElement;
const header = document.querySelector('header.site-header') as HTMLElement;
let current: { name: Route['name']; view: View } | null = null;

void startSession();
const accountNav = mountAccountNav(header.querySelector('.site-header__inner') as HTMLElement);
mountVerifyBanner(header);

function accountView(route: Extract<Route, { name: 'account' }>): View {
  switch (route.page) {
    case 'connexion':
      return loginView(main, route.query);
    case 'inscription':
      return signupView(main, route.query);
    case 'verification':
      return verifyView(main, route.query);
    case 'mot-de-passe-oublie':
      return forgotPasswordView(main);
    case 'reinitialisation':
      return resetPasswordView(main, route.query);
    case 'desabonnement':
      return unsubscribeView(main, route.query);
  }
}

function build(route: Route): View {
  switch (route.name) {
    case 'search':
      return searchView(main, route);
    case 'detail':
      return detailView(main, route);
    case 'page':
      return pageView(main, route.page);
    case 'sources':
      return sourcesView(main);
    case 'account':
      return accountView(route);
    case 'space':
      return spaceView(main, route);
    case 'collection':
      return collectionView(main, route);
    case 'contribute':
      return contributeView(main, route.query);
    case 'history':
      return historyView(main, route.id);
    case 'moderation':
      return moderationView(main, route.query);
    case 'moderation-reports':
      return moderationReportsView(main);
    case 'dashboard':
      return dashboardView(main, route);
    case 'figures':
      return figuresView(main);
    case 'notfound':
      return notFoundView(main);
  }
}

function show(route: Route, reason: RenderReason): void {
  accountNav.refresh();
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
