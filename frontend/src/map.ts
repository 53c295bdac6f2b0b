import L from 'leaflet';
import 'leaflet/dist/leaflet.css';
import { getStaticJson } from './api';
import { h } from './dom';
import { formatPlace } from './format';
import { tagList } from './components/tags';
import { drawOfflineBackground } from './offlineMap';
import type { Coded, InitiativeItem } from './types';

export const CONTOURS_ATTRIBUTION = 'Contours : IGN Admin Express, INSEE COG';

/** Areas the map can be moved to: metropolitan France first, then the overseas régions. */
export interface Zone {
  id: string;
  name: string;
  bounds: L.LatLngBoundsLiteral;
}

export const ZONES: Zone[] = [
  { id: 'metropole', name: 'France métropolitaine', bounds: [[41.3, -5.2], [51.1, 9.6]] },
  { id: 'guadeloupe', name: 'Guadeloupe', bounds: [[15.8, -61.85], [16.55, -60.95]] },
  { id: 'martinique', name: 'Martinique', bounds: [[14.38, -61.25], [14.9, -60.8]] },
  { id: 'guyane', name: 'Guyane', bounds: [[2.1, -54.6], [5.8, -51.6]] },
  { id: 'reunion', name: 'La Réunion', bounds: [[-21.4, 55.2], [-20.85, 55.85]] },
  { id: 'mayotte', name: 'Mayotte', bounds: [[-13.02, 45.0], [-12.63, 45.32]] },
];
export const METROPOLE = ZONES[0];

/** The zone holding a point, by its bounds widened a little; null outside all of them. */
export function zoneOf(latlng: L.LatLng): Zone | null {
  for (const zone of ZONES) {
    if (L.latLngBounds(zone.bounds).pad(0.2).contains(latlng)) return zone;
  }
  return null;
}

/** A raster tile layer for production; without one the map draws our own contours. */
export interface TileConfig {
  url: string;
  attribution: string;
  attributionUrl: string | null;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** A tile URL template: http(s) or same-origin, with {z}, {x} and {y}. */
function tileUrlOk(url: unknown): url is string {
  if (typeof url !== 'string' || url.length > 500 || !/\{z\}/.test(url) || !/\{x\}/.test(url) || !/\{y\}/.test(url)) return false;
  return /^https?:\/\//.test(url) || (url.startsWith('/') && !url.startsWith('//'));
}

/** The tile settings of an object (`/config.json` or the build's environment); null when unusable. */
export function tileConfigOf(raw: { url?: unknown; attribution?: unknown; attribution_url?: unknown } | null | undefined): TileConfig | null {
  if (!raw || !tileUrlOk(raw.url)) return null;
  const attribution = typeof raw.attribution === 'string' && raw.attribution.trim() ? raw.attribution.trim() : '';
  // Tiles without their credit are not shown: every tile licence asks for it.
  if (!attribution) return null;
  const link = typeof raw.attribution_url === 'string' && /^https?:\/\//.test(raw.attribution_url) ? raw.attribution_url : null;
  return { url: raw.url, attribution, attributionUrl: link };
}

let tilesPromise: Promise<TileConfig | null> | null = null;

/**
 * The tile settings: `/config.json` of the site (`{"tiles": {"url", "attribution", "attribution_url"}}`,
 * read at run time, so a deployment sets them without a rebuild), else VITE_TILE_URL and
 * VITE_TILE_ATTRIBUTION of the build, else none.
 */
export function loadTileConfig(): Promise<TileConfig | null> {
  if (!tilesPromise) {
    const env = import.meta.env;
    const built = tileConfigOf({ url: env.VITE_TILE_URL, attribution: env.VITE_TILE_ATTRIBUTION, attribution_url: env.VITE_TILE_ATTRIBUTION_URL });
    type SiteConfig = { tiles?: { url?: unknown; attribution?: unknown; attribution_url?: unknown } };
    tilesPromise = getStaticJson<SiteConfig>('/config.json').then((body) =>
      body && typeof body === 'object' && 'tiles' in body ? tileConfigOf(body.tiles) : built,
    );
  }
  return tilesPromise;
}

export interface BaseMapOptions {
  label: string;
  interactive?: boolean;
}

/**
 * A Leaflet map without any tile server: the sea is the container's background colour and our own
 * outlines and place names (offlineMap.ts) are drawn in their own panes, under the markers.
 */
export function createBaseMap(container: HTMLElement, options: BaseMapOptions): L.Map {
  container.classList.add('map');
  container.setAttribute('role', 'region');
  container.setAttribute('aria-label', options.label);
  const map = L.map(container, {
    zoomSnap: 0.25,
    minZoom: 2,
    maxZoom: 17,
    scrollWheelZoom: options.interactive !== false ? 'center' : false,
    worldCopyJump: false,
  });
  map.attributionControl.setPrefix(false);
  map.attributionControl.addAttribution(CONTOURS_ATTRIBUTION);
  map.zoomControl.setPosition('topright');
  const zoomIn = container.querySelector('.leaflet-control-zoom-in');
  const zoomOut = container.querySelector('.leaflet-control-zoom-out');
  zoomIn?.setAttribute('title', 'Zoomer');
  zoomIn?.setAttribute('aria-label', 'Zoomer');
  zoomOut?.setAttribute('title', 'Dézoomer');
  zoomOut?.setAttribute('aria-label', 'Dézoomer');

  const pane = map.createPane('contours');
  pane.style.zIndex = '350';
  pane.style.pointerEvents = 'none';

  // Leaflet's own control labels are in English.
  map.on('popupopen', (event: L.PopupEvent) => {
    const close = event.popup.getElement()?.querySelector('.leaflet-popup-close-button');
    close?.setAttribute('aria-label', 'Fermer');
    close?.setAttribute('title', 'Fermer');
  });

  let removed = false;
  map.on('unload', () => {
    removed = true;
  });
  void loadTileConfig().then((tiles) => {
    if (removed) return;
    if (tiles) {
      const credit = tiles.attributionUrl
        ? `<a href="${escapeHtml(tiles.attributionUrl)}" rel="noopener" target="_blank">${escapeHtml(tiles.attribution)}</a>`
        : escapeHtml(tiles.attribution);
      container.classList.add('map--tiles');
      L.tileLayer(tiles.url, { attribution: credit, maxZoom: 19, className: 'sc-tiles' }).addTo(map);
      return;
    }
    drawOfflineBackground(map, () => removed);
  });

  return map;
}

/** What the card of an initiative on the map shows. */
export interface PopupCard {
  id: number | string;
  title: string;
  themes: Coded[];
  /** "Commune (Département)"; null while unknown. */
  place: string | null;
}

/**
 * The card of an initiative on the map: title, themes, place and a link to its page, built without
 * markup strings. The place can be filled in later (`.map-popup__place`).
 */
export function popupCard(card: PopupCard): HTMLElement {
  const href = `/initiatives/${encodeURIComponent(String(card.id))}`;
  return h(
    'div',
    { class: 'map-popup', 'data-id': String(card.id) },
    h('p', { class: 'map-popup__title' }, card.title),
    tagList(card.themes, 'theme', 'Thèmes'),
    h('p', { class: 'map-popup__place', hidden: !card.place }, card.place ?? ''),
    h('a', { class: 'map-popup__link', href }, 'Voir la fiche', h('span', { class: 'visually-hidden' }, ` de « ${card.title} »`)),
  );
}

export function itemCard(item: InitiativeItem): PopupCard {
  return { id: item.id, title: item.title, themes: Array.isArray(item.themes) ? item.themes : [], place: formatPlace(item.territory) };
}

function popupContent(item: InitiativeItem): HTMLElement {
  return popupCard(itemCard(item));
}

export function hasPoint(item: InitiativeItem): boolean {
  const loc = item.location;
  return !!loc && loc.precision !== 'none' && typeof loc.lat === 'number' && typeof loc.lon === 'number';
}

/** A round marker (a vector path: no image to resolve after bundling). */
export function itemMarker(item: InitiativeItem, withPopup = true): L.CircleMarker {
  const loc = item.location!;
  const marker = L.circleMarker([loc.lat as number, loc.lon as number], {
    className: 'sc-marker',
    radius: 8,
    color: '#ffffff',
    weight: 2,
    fillColor: '#0b5d5a',
    fillOpacity: 0.95,
  });
  if (withPopup) marker.bindPopup(() => popupContent(item), { closeButton: true, autoPanPadding: [24, 24] });
  marker.bindTooltip(item.title, { direction: 'top', offset: [0, -8] });
  return marker;
}

/** Zoom level matching how precise a location is. */
export function zoomForPrecision(precision: string): number {
  switch (precision) {
    // The background names the communes around from zoom 9.5 (offlineMap.ts).
    case 'address':
      return 13;
    case 'commune':
      return 12;
    case 'departement':
      return 9;
    default:
      return 6;
  }
}

/**
 * Removes a map once its animations are over: Leaflet ends a zoom animation with a timer that
 * fails if the map was removed in the meantime (an uncaught TypeError on '_leaflet_pos').
 */
export function removeMap(map: L.Map): void {
  map.stop();
  window.setTimeout(() => map.remove(), 400);
}
