// `/collections/{id}`: a collection's page — anyone may open a public one; a private one only its
// owner (anyone else gets the 404 page, as for a collection that does not exist).
import type L from 'leaflet';
import { ApiError, isAbort, UNAVAILABLE_MESSAGE } from '../api';
import { getCollection } from '../accountApi';
import { resultCard } from '../components/resultCard';
import { emptyState, errorMessage, loadingIndicator } from '../components/status';
import { h, setTitle } from '../dom';
import { formatDate } from '../format';
import { createBaseMap, hasPoint, itemMarker, removeMap } from '../map';
import type { Route } from '../router';
import type { Collection } from '../types';
import { renderNotFound } from './notFound';
import type { View } from './view';

export function collectionView(root: HTMLElement, route: Extract<Route, { name: 'collection' }>): View {
  const controller = new AbortController();
  let map: L.Map | null = null;
  const content = h('div', { class: 'container collection-page' });
  root.append(content);
  setTitle('Collection');

  function render(collection: Collection): void {
    setTitle(collection.title);
    const items = (collection.items ?? []).slice().sort((a, b) => a.position - b.position);
    const located = items.filter((item) => hasPoint(item.initiative));
    const updated = formatDate(collection.updated_at);
    const list = h(
      'ol',
      { class: 'results collection-page__items', 'aria-labelledby': 'collection-items-heading' },
      ...items.map((item) => {
        const card = resultCard(item.initiative);
        card.classList.add('collection-page__item');
        if (item.note) {
          card.insertBefore(
            h('p', { class: 'collection-page__note' }, h('span', { class: 'collection-page__note-label' }, 'Note : '), item.note),
            card.querySelector('.card-actions'),
          );
        }
        return card;
      }),
    );
    const mapBox = h('div', { class: 'collection-page__canvas', id: 'collection-map' });
    content.replaceChildren(
      h(
        'header',
        { class: 'collection-page__header' },
        h('p', { class: 'collection-page__kind' }, collection.visibility === 'public' ? 'Collection publique' : 'Collection privée'),
        h('h1', { class: 'collection-page__title' }, collection.title),
        h(
          'p',
          { class: 'collection-page__owner' },
          'Composée par ',
          h('strong', null, collection.owner?.display_name ?? 'compte supprimé'),
          updated ? `, mise à jour le ${updated}` : null,
          '.',
        ),
        collection.description
          ? h('div', { class: 'collection-page__description' }, ...collection.description.split(/\n\s*\n/).map((part) => h('p', null, part.trim())))
          : null,
        collection.visibility !== 'public' ? h('p', { class: 'notice' }, 'Cette collection est privée : vous seul pouvez la voir.') : null,
        collection.is_owner
          ? h('p', null, h('a', { class: 'button button--secondary', href: `/mon-espace/collections/${collection.id}` }, 'Modifier cette collection'))
          : null,
      ),
      h(
        'div',
        { class: 'collection-page__layout' },
        h(
          'section',
          { class: 'collection-page__list', 'aria-labelledby': 'collection-items-heading' },
          h('h2', { id: 'collection-items-heading' }, `${items.length} initiative${items.length > 1 ? 's' : ''}`),
          items.length ? list : emptyState('Cette collection est vide pour le moment', []),
        ),
        located.length
          ? h(
              'section',
              { class: 'collection-page__map', 'aria-labelledby': 'collection-map-heading' },
              h('h2', { id: 'collection-map-heading', class: 'visually-hidden' }, 'Carte des initiatives de la collection'),
              mapBox,
            )
          : null,
      ),
    );
    if (located.length) {
      map = createBaseMap(mapBox, { label: `Carte des initiatives de « ${collection.title} »` });
      const markers = located.map((item) => itemMarker(item.initiative).addTo(map!));
      const bounds = markers.map((marker) => marker.getLatLng());
      if (bounds.length === 1) map.setView(bounds[0], 8);
      else map.fitBounds(bounds.map((b) => [b.lat, b.lng] as [number, number]), { padding: [32, 32], maxZoom: 9 });
    }
  }

  function load(): void {
    content.replaceChildren(loadingIndicator('Chargement de la collection…'));
    getCollection(route.id, controller.signal).then(render, (err: unknown) => {
      if (isAbort(err)) return;
      if (err instanceof ApiError && (err.status === 404 || err.status === 400)) {
        renderNotFound(root, 'collection');
        return;
      }
      setTitle('Service indisponible');
      content.replaceChildren(
        h('h1', { class: 'visually-hidden' }, 'Collection'),
        errorMessage(err instanceof ApiError ? err.message : UNAVAILABLE_MESSAGE, load),
      );
    });
  }
  load();

  return {
    destroy(): void {
      controller.abort();
      if (map) removeMap(map);
      map = null;
    },
  };
}
