// The embeddable widget (`/embed?<a search>&layout=…&height=…&color=…&limit=…&title=…`): a map and a
// list of one search, drawn inside a partner's page in a frame. A page of its own (embed.html), without
// the application's shell: the API through api.ts, the map through components/resultsMap.ts. Every
// link opens SocialConnect in a new tab, never inside the frame. The page tells its parent how tall
// it is (public/embed.js sizes the frame with it).

import 'leaflet/dist/leaflet.css';
import '../styles/tokens.css';
import '../styles/base.css';
import '../styles/components.css';
import '../styles/map.css';
// The legends and clusters of the results map are styled with the search page.
import '../styles/search.css';
import './embed.css';
import { ApiError, isAbort, searchFirst } from '../api';
import { ResultsMap } from '../components/resultsMap';
import { errorMessage, loadingIndicator } from '../components/status';
import { h } from '../dom';
import { formatCount, formatPlace } from '../format';
import { hasAnyFilter, stateUrl, type SearchState } from '../searchState';
import type { SearchItem, SearchPage } from '../types';
import { accentHex, DEFAULT_TITLE, HEIGHT_MESSAGE, parseEmbed, type EmbedOptions } from './options';

const { state, options } = parseEmbed(window.location.search);
const origin = window.location.origin;

/** A link to SocialConnect that opens a new tab, said so to screen readers. */
function outLink(href: string, attrs: Record<string, string>, ...children: (Node | string)[]): HTMLAnchorElement {
  return h('a', { href, target: '_blank', rel: 'noopener', ...attrs }, ...children, h('span', { class: 'visually-hidden' }, ' (nouvel onglet)'));
}

function itemHref(item: SearchItem): string {
  return `${origin}/initiatives/${encodeURIComponent(String(item.id))}`;
}

function searchHref(search: SearchState): string {
  return origin + stateUrl(search);
}

function itemRow(item: SearchItem): HTMLLIElement {
  const place = formatPlace(item.territory);
  const themes = Array.isArray(item.themes) ? item.themes.slice(0, 2).map((t) => t.label) : [];
  return h(
    'li',
    { class: 'embed-item', 'data-id': String(item.id) },
    h('h2', { class: 'embed-item__title' }, outLink(itemHref(item), { class: 'embed-item__link' }, item.title)),
    place || themes.length
      ? h(
          'p',
          { class: 'embed-item__meta' },
          place ? h('span', { class: 'embed-item__place' }, h('span', { class: 'visually-hidden' }, 'Lieu : '), place) : null,
          themes.length ? h('span', { class: 'embed-item__themes' }, h('span', { class: 'visually-hidden' }, 'Thèmes : '), themes.join(', ')) : null,
        )
      : null,
    item.demo ? h('p', { class: 'embed-item__demo' }, 'Donnée de démonstration') : null,
  );
}

/** The platforms the initiatives shown come from, named once each. */
function sourceNames(items: readonly SearchItem[]): string[] {
  const names: string[] = [];
  for (const item of items) {
    for (const source of item.sources ?? []) {
      if (source.name && !names.includes(source.name)) names.push(source.name);
    }
  }
  return names;
}

function build(opts: EmbedOptions): void {
  const root = document.getElementById('embed') as HTMLElement;
  const showMap = opts.layout !== 'liste';
  const showList = opts.layout !== 'carte';
  root.style.setProperty('--color-primary', accentHex(opts.color));
  root.style.setProperty('--color-primary-hover', accentHex(opts.color));
  root.style.setProperty('--embed-map-height', `${opts.height}px`);
  root.classList.add(`embed--${opts.layout}`);

  const title = opts.title || DEFAULT_TITLE;
  document.title = `${title} — SocialConnect`;
  const count = h('p', { class: 'embed__count', id: 'embed-count', role: 'status' });
  const status = h('div', { class: 'embed__status' });
  const list = h('ol', { class: 'embed-list', id: 'embed-list', 'aria-labelledby': 'embed-title' });
  const credits = h('p', { class: 'embed__credits', id: 'embed-credits' });
  const allLink = outLink(searchHref(state), { class: 'embed__all', id: 'embed-all' }, 'Voir toutes les initiatives sur SocialConnect');

  let map: ResultsMap | null = null;
  const body = h('div', { class: 'embed__body' });
  if (showMap) {
    map = new ResultsMap({
      onSelect: (id) => {
        const row = list.querySelector<HTMLElement>(`li[data-id="${CSS.escape(String(id))}"]`);
        for (const li of Array.from(list.children)) li.classList.toggle('is-selected', li === row);
        row?.scrollIntoView({ block: 'nearest' });
      },
    });
    body.append(h('section', { class: 'embed__map', 'aria-label': 'Carte des initiatives' }, map.element));
  }
  if (showList) body.append(h('section', { class: 'embed__list', 'aria-labelledby': 'embed-title' }, status, list));
  else body.append(status);

  root.replaceChildren(
    h('header', { class: 'embed__head' }, h('h1', { class: 'embed__title', id: 'embed-title' }, title), count),
    body,
    h('footer', { class: 'embed__foot' }, allLink, credits),
  );

  // The cards of the map link to the record with a path of this site: they open a new tab too.
  if (map) {
    const element = map.element;
    new MutationObserver(() => {
      for (const a of Array.from(element.querySelectorAll<HTMLAnchorElement>('a[href]:not([target])'))) {
        a.target = '_blank';
        a.rel = 'noopener';
      }
    }).observe(element, { childList: true, subtree: true });
    map.mount();
    map.setTerritories(state.territories);
  }

  let controller: AbortController | null = null;
  function showCredits(items: readonly SearchItem[]): void {
    const names = sourceNames(items);
    credits.replaceChildren(
      'Données : SocialConnect',
      names.length ? `, d'après ${names.join(', ')}` : '',
      ' (',
      outLink(`${origin}/sources`, { class: 'embed__sources' }, 'sources'),
      ')',
      '.',
    );
  }

  function load(): void {
    controller?.abort();
    const mine = new AbortController();
    controller = mine;
    count.textContent = '';
    list.replaceChildren();
    status.replaceChildren(loadingIndicator('Chargement des initiatives…'));
    root.setAttribute('aria-busy', 'true');
    showCredits([]);
    searchFirst(state, opts.count, mine.signal).then(
      (page: SearchPage) => {
        if (mine !== controller) return;
        root.removeAttribute('aria-busy');
        const items = Array.isArray(page.items) ? page.items : [];
        status.replaceChildren();
        count.textContent = page.total > 0 ? formatCount(page.total, page.total_exact !== false, page.total_is_estimate === true) : '';
        if (items.length === 0) {
          status.append(
            h(
              'div',
              { class: 'embed__empty' },
              h('p', { class: 'embed__empty-title' }, 'Aucune initiative ne correspond à cette recherche pour le moment.'),
              hasAnyFilter(state) || state.q ? h('p', null, 'D’autres initiatives sont peut-être recensées ailleurs : voyez-les toutes sur SocialConnect.') : null,
            ),
          );
        }
        list.replaceChildren(...items.map(itemRow));
        list.hidden = items.length === 0;
        showCredits(items);
        if (map) {
          map.setSearch(state, page.extent ?? null);
          map.setItems(items);
        }
      },
      (err: unknown) => {
        if (mine !== controller || isAbort(err)) return;
        root.removeAttribute('aria-busy');
        map?.clear();
        const message = err instanceof ApiError ? err.message : 'Les initiatives n’ont pas pu être chargées.';
        status.replaceChildren(errorMessage(message, load));
      },
    );
  }
  load();
  reportHeight(root);
}

/** The parent page (public/embed.js) sizes the frame to the widget: its height, each time it changes. */
function reportHeight(root: HTMLElement): void {
  if (window.parent === window || typeof ResizeObserver === 'undefined') return;
  let last = 0;
  const send = (): void => {
    const height = Math.ceil(root.getBoundingClientRect().height);
    if (height === last || height <= 0) return;
    last = height;
    // Only a number leaves the page; any parent may read it (the partner's origin is not known here).
    window.parent.postMessage({ type: HEIGHT_MESSAGE, height }, '*');
  };
  new ResizeObserver(send).observe(root);
  send();
}

build(options);
