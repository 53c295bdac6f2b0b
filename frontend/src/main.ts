import 'leaflet/dist/leaflet.css';
import './styles/tokens.css';
import './styles/base.css';
import './styles/layout.css';
import './styles/components.css';
import './styles/map.css';
import { startRouter, type RenderReason, type Route } from './router';
import { detailView } from './views/detail';
import { notFoundView } from './views/notFound';
import { pageView } from './views/pages';
import { searchView } from './views/search';
import { sourcesView } from './views/sources';
import type { View } from './views/view';

const main = document.getElementById('main') as HTMLElement;
let current: { name: Route['name']; view: View } | null = null;

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
    case 'notfound':
      return notFoundView(main);
  }
}

function show(route: Route, reason: RenderReason): void {
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
