// How a person acts on the results map and how it answers: the moves they make themselves (which
// offer "Rechercher dans cette zone"), the result of the list ringed on the map, the card of a
// marker, and the keyboard path from a result of the list to its card on the map and back.

import L from 'leaflet';
import { getInitiative } from '../../api';
import { formatPlace } from '../../format';
import type { LabelIndex } from '../../labels';
import { hasPoint, itemCard, popupCard } from '../../map';
import type { InitiativeItem } from '../../types';
import { holds } from './geometry';
import type { SingleFeature } from './markers';

/** A layer drawn from the clusters answer: one initiative (its id) or a cluster (its members' bounds). */
export interface Drawn {
  layer: L.CircleMarker | L.Marker;
  id: string | null;
  bounds: L.LatLngBounds | null;
}

/** Calls `moved` on what only a person does on the canvas: pointer, wheel, keys, touch. */
export function watchVisitorMoves(canvas: HTMLElement, moved: () => void): void {
  for (const type of ['pointerdown', 'wheel', 'keydown', 'touchstart']) {
    canvas.addEventListener(type, moved, { passive: true });
  }
}

/** The point of a result that has one (hasPoint). */
export function itemPoint(item: InitiativeItem): L.LatLng {
  return L.latLng(item.location!.lat as number, item.location!.lon as number);
}

/** The result of the list to ring, when it has a point (null: none). */
export function highlightable(item: InitiativeItem | null): InitiativeItem | null {
  return item && hasPoint(item) ? item : null;
}

/**
 * Rings `item` on the map (in `ring`) and marks the marker holding it among `drawn`: its own, or the
 * cluster it belongs to; the marker marked before is put back.
 */
export function applyHighlight(drawn: readonly Drawn[], ring: L.FeatureGroup, item: InitiativeItem | null): void {
  for (const entry of drawn) {
    const element = entry.layer.getElement();
    if (!element?.classList.contains('is-highlighted')) continue;
    element.classList.remove('is-highlighted');
    element.removeAttribute('data-highlighted');
    if (entry.layer instanceof L.CircleMarker) entry.layer.setStyle({ radius: 8, fillColor: element.getAttribute('data-color') ?? '#0b5d5a' });
    else entry.layer.setZIndexOffset(0);
  }
  ring.clearLayers();
  if (!item) return;
  const point = itemPoint(item);
  ring.addLayer(
    L.circleMarker(point, { pane: 'highlight', interactive: false, className: 'sc-highlight', radius: 16, color: '#c2410c', weight: 3, fill: false }),
  );
  const id = String(item.id);
  const entry = drawn.find((d) => d.id === id) ?? drawn.find((d) => d.bounds !== null && holds(d.bounds, point));
  if (!entry) return;
  const element = entry.layer.getElement();
  element?.classList.add('is-highlighted');
  element?.setAttribute('data-highlighted', 'true');
  if (entry.layer instanceof L.CircleMarker) {
    entry.layer.setStyle({ radius: 11, fillColor: '#c2410c' });
    entry.layer.bringToFront();
  } else {
    entry.layer.setZIndexOffset(1000);
  }
}

/**
 * The card of a marker: from the list when the result is on this page (items), else from the
 * marker's own title and themes, its place completed from the API.
 */
export function markerCard(items: readonly InitiativeItem[], labels: LabelIndex | null, marker: L.CircleMarker, single: SingleFeature): HTMLElement {
  const item = items.find((i) => String(i.id) === single.id);
  if (item) return popupCard(itemCard(item));
  const themes = single.themes.map((code) => ({ code, label: labels?.label('theme', code) ?? code }));
  const card = popupCard({ id: single.id, title: single.title, themes, place: null });
  const n = Number(single.id);
  if (Number.isFinite(n)) {
    getInitiative(n).then(
      (full) => {
        const place = formatPlace(full.territory);
        const slot = card.querySelector<HTMLElement>('.map-popup__place');
        if (!place || !slot) return;
        slot.textContent = place;
        slot.hidden = false;
        if (marker.isPopupOpen()) marker.getPopup()?.update();
      },
      () => {
        // The card keeps its title, themes and link.
      },
    );
  }
  return card;
}

/**
 * Opens the card of a result at its point (keyboard path) and moves the focus into it; Escape or
 * closing the card gives the focus back to origin.
 */
export function openItemCard(map: L.Map, item: InitiativeItem, origin: HTMLElement): void {
  const content = popupCard(itemCard(item));
  const popup = L.popup({ autoPanPadding: [24, 24], maxWidth: 280 }).setLatLng(itemPoint(item)).setContent(content);
  const back = (): void => {
    if (content.contains(document.activeElement) || document.activeElement === document.body) origin.focus();
  };
  content.addEventListener('keydown', (event) => {
    if (event.key !== 'Escape') return;
    event.preventDefault();
    origin.focus();
    map.closePopup(popup);
  });
  popup.on('remove', back);
  popup.openOn(map);
  content.querySelector<HTMLAnchorElement>('a')?.focus({ preventScroll: false });
}
