// `/communautes`: the directory of public and restricted communities — words, theme and territory in
// the URL (`/communautes?q=jardin&theme=ALI&territory=region:53`), cards by name with « Afficher
// plus », and a map placing each community at its territory. « Créer une communauté » leads to the
// creation form (through the log-in page for a visitor).
import L from 'leaflet';
import { getVocabularies, isAbort } from '../../api';
import { listCommunities, type Community, type DirectoryFilters } from '../../communitiesApi';
import { errorText } from '../../components/form';
import { emptyState, errorMessage, loadingIndicator } from '../../components/status';
import { territoryPicker } from '../../components/territoryPicker';
import { h, setTitle } from '../../dom';
import { createBaseMap, METROPOLE, removeMap } from '../../map';
import { loginHref, navigate, type Route } from '../../router';
import { onSession, sessionState } from '../../session';
import type { View } from '../view';
import { communityCard, memberCount, visibilityBadge } from './shared';

function filtersOf(query: URLSearchParams): DirectoryFilters {
  return {
    q: (query.get('q') ?? '').trim().slice(0, 200),
    theme: query.get('theme') ?? '',
    territory: query.get('territory') ?? '',
  };
}

function urlOf(filters: DirectoryFilters): string {
  const q = new URLSearchParams();
  if (filters.q) q.set('q', filters.q);
  if (filters.theme) q.set('theme', filters.theme);
  if (filters.territory) q.set('territory', filters.territory);
  const text = q.toString().replace(/%3A/g, ':');
  return text ? `/communautes?${text}` : '/communautes';
}

export function directoryView(root: HTMLElement, route: Extract<Route, { name: 'communities' }>): View {
  let filters = filtersOf(route.query);
  let items: Community[] = [];
  let next: string | null = null;
  let controller = new AbortController();
  let map: L.Map | null = null;
  let markers: L.LayerGroup | null = null;
  setTitle('Communautés');

  // --- Form ---------------------------------------------------------------------------------------
  const words = h('input', { id: 'communities-q', type: 'search', class: 'field__input', name: 'q', maxlength: 200, autocomplete: 'off' });
  const theme = h('select', { id: 'communities-theme', class: 'field__input field__input--select', name: 'theme' }, h('option', { value: '' }, 'Tous les thèmes'));
  let territory = filters.territory ?? '';
  const picker = territoryPicker(
    (refs) => {
      territory = refs.length ? refs[refs.length - 1]! : '';
      picker.setSelected(territory ? [territory] : []);
      submit();
    },
    { id: 'communities-territory', label: 'Territoire', hint: 'Les communautés de ce territoire et des territoires qu’il contient.', chosenMessage: (t) => `${t.name} choisi` },
  );
  const form = h(
    'form',
    { class: 'community-filters', role: 'search', 'aria-label': 'Chercher une communauté' },
    h('div', { class: 'field' }, h('label', { class: 'field__label', for: 'communities-q' }, 'Mots'), words),
    h('div', { class: 'field' }, h('label', { class: 'field__label', for: 'communities-theme' }, 'Thème'), theme),
    h('div', { class: 'field community-filters__territory' }, picker.element),
    h('div', { class: 'community-filters__actions' }, h('button', { type: 'submit', class: 'button button--primary' }, 'Chercher')),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    submit();
  });
  theme.addEventListener('change', submit);
  void getVocabularies().then(
    (v) => {
      for (const t of v.themes ?? []) theme.append(h('option', { value: t.code }, t.label));
      theme.value = filters.theme ?? '';
    },
    () => undefined,
  );

  function submit(): void {
    navigate(urlOf({ q: words.value.trim(), theme: theme.value, territory }));
  }

  function fillForm(): void {
    words.value = filters.q ?? '';
    theme.value = filters.theme ?? '';
    territory = filters.territory ?? '';
    picker.setSelected(territory ? [territory] : []);
  }

  // --- Page ---------------------------------------------------------------------------------------
  const create = h('a', { class: 'button button--primary', href: '/communautes/nouvelle' }, 'Créer une communauté');
  const mine = h('a', { class: 'button button--secondary', href: '/mon-espace/communautes', hidden: true }, 'Mes communautés');
  const status = h('p', { class: 'visually-hidden', role: 'status', 'aria-live': 'polite' });
  const list = h('ul', { class: 'results community-list', 'aria-labelledby': 'communities-results-title' });
  const listBox = h('div', { class: 'community-results__list' });
  const more = h('button', { type: 'button', class: 'button button--secondary load-more', hidden: true }, 'Afficher plus de communautés');
  const mapBox = h('div', { class: 'community-directory__map', id: 'communities-map' });
  const title = h('h2', { id: 'communities-results-title', class: 'community-results__title' }, 'Communautés');
  root.append(
    h(
      'div',
      { class: 'container community-directory' },
      h(
        'header',
        { class: 'community-directory__header' },
        h('h1', null, 'Communautés'),
        h(
          'p',
          { class: 'community-directory__lead' },
          'Des groupes de personnes et de structures qui partagent des initiatives, en discutent et les cartographient ensemble.',
        ),
        h('p', { class: 'community-directory__actions' }, create, mine),
      ),
      form,
      status,
      h(
        'div',
        { class: 'community-directory__layout' },
        h('section', { class: 'community-results', 'aria-labelledby': 'communities-results-title' }, title, listBox, more),
        h(
          'section',
          { class: 'community-directory__map-section', 'aria-labelledby': 'communities-map-title' },
          h('h2', { id: 'communities-map-title', class: 'visually-hidden' }, 'Carte des communautés'),
          mapBox,
        ),
      ),
    ),
  );

  function renderSession(): void {
    const signedIn = sessionState().status === 'signed-in';
    create.setAttribute('href', signedIn ? '/communautes/nouvelle' : loginHref('connexion', '/communautes/nouvelle'));
    mine.hidden = !signedIn;
  }
  const stopSession = onSession(renderSession);
  renderSession();

  map = createBaseMap(mapBox, { label: 'Carte des communautés publiques et sur demande, placées à leur territoire' });
  map.fitBounds(METROPOLE!.bounds);
  markers = L.layerGroup().addTo(map);

  function drawMap(): void {
    if (!map || !markers) return;
    markers.clearLayers();
    const points: L.LatLng[] = [];
    for (const community of items) {
      if (!community.point || typeof community.point.lat !== 'number' || typeof community.point.lon !== 'number') continue;
      const at = L.latLng(community.point.lat, community.point.lon);
      points.push(at);
      const marker = L.circleMarker(at, {
        className: 'sc-marker community-marker',
        radius: 10,
        color: '#ffffff',
        weight: 2,
        fillColor: '#7a3e9d',
        fillOpacity: 0.95,
      });
      marker.bindTooltip(community.name, { direction: 'top', offset: [0, -8] });
      marker.bindPopup(
        () =>
          h(
            'div',
            { class: 'map-popup' },
            h('p', { class: 'map-popup__title' }, community.name),
            h('p', null, visibilityBadge(community.visibility), ' ', memberCount(community.member_count ?? 0)),
            community.territory ? h('p', { class: 'map-popup__place' }, community.territory.name) : null,
            h('a', { class: 'map-popup__link', href: `/communautes/${community.id}` }, 'Voir la communauté', h('span', { class: 'visually-hidden' }, ` « ${community.name} »`)),
          ),
        { closeButton: true },
      );
      marker.addTo(markers);
    }
    if (points.length === 1) map.setView(points[0]!, 7);
    else if (points.length > 1) map.fitBounds(L.latLngBounds(points), { padding: [32, 32], maxZoom: 8 });
  }

  function renderList(): void {
    const filtered = !!(filters.q || filters.theme || filters.territory);
    if (items.length === 0) {
      title.textContent = 'Aucune communauté';
      listBox.replaceChildren(
        filtered
          ? emptyState('Aucune communauté ne correspond à ces critères.', ['Essayez d’autres mots, ou retirez le thème ou le territoire.'], { href: '/communautes', text: 'Voir toutes les communautés' })
          : emptyState('Aucune communauté pour l’instant.', ['Lancez la première : elle apparaîtra ici.']),
      );
    } else {
      title.textContent = filtered ? 'Communautés correspondant à vos critères' : 'Toutes les communautés';
      list.replaceChildren(...items.map((c) => communityCard(c)));
      listBox.replaceChildren(list);
    }
    more.hidden = next === null;
    drawMap();
  }

  function load(cursor: string | null): void {
    controller.abort();
    controller = new AbortController();
    if (!cursor) {
      items = [];
      next = null;
      more.hidden = true;
      listBox.replaceChildren(loadingIndicator('Chargement des communautés…'));
    } else {
      more.disabled = true;
    }
    listCommunities(filters, cursor, controller.signal).then(
      (page) => {
        const fresh = Array.isArray(page.items) ? page.items : [];
        const firstNew = items.length;
        items = cursor ? [...items, ...fresh] : fresh;
        next = page.next_cursor ?? null;
        more.disabled = false;
        renderList();
        status.textContent = items.length === 0 ? 'Aucune communauté ne correspond à ces critères.' : `${items.length} communauté${items.length > 1 ? 's' : ''} affichée${items.length > 1 ? 's' : ''}`;
        // After « Afficher plus », the keyboard goes on from the first new card.
        if (cursor) list.children[firstNew]?.querySelector<HTMLElement>('a')?.focus();
      },
      (err: unknown) => {
        if (isAbort(err)) return;
        more.disabled = false;
        if (cursor) {
          status.textContent = errorText(err);
          return;
        }
        listBox.replaceChildren(errorMessage(errorText(err), () => load(null)));
      },
    );
  }
  more.addEventListener('click', () => load(next));

  fillForm();
  load(null);

  return {
    update(nextRoute: Route): boolean {
      if (nextRoute.name !== 'communities') return false;
      filters = filtersOf(nextRoute.query);
      fillForm();
      load(null);
      return true;
    },
    destroy(): void {
      controller.abort();
      stopSession();
      if (map) removeMap(map);
      map = null;
    },
  };
}
