// The markers of the points mode, built from the clusters answer: a disc per cluster, a round marker
// per initiative coloured by its main theme, and the legend of those colours.

import L from 'leaflet';
import { h } from '../../dom';

/** Marker colours by main theme (the first of an initiative's themes): nine groups a legend can list. */
const THEME_GROUPS: { color: string; codes: string[]; name?: string }[] = [
  { color: '#2e7d32', codes: ['ENV'] },
  { color: '#c2410c', codes: ['SOL'] },
  { color: '#1d4ed8', codes: ['EMP'] },
  { color: '#7c3aed', codes: ['EDU'] },
  { color: '#be123c', codes: ['SAN'] },
  { color: '#8a5a00', codes: ['TER', 'PAT', 'TOU'] },
  { color: '#a21caf', codes: ['ART', 'COM'] },
  { color: '#0e7490', codes: ['CON', 'FIN'] },
];
const OTHER_COLOR = '#475569';

/** The colour of an initiative's marker from its theme codes. */
export function themeColor(themes: readonly string[]): string {
  const main = themes[0];
  return THEME_GROUPS.find((group) => main !== undefined && group.codes.includes(main))?.color ?? OTHER_COLOR;
}

/** The legend of the marker colours, with the themes' French names (null without them). */
export function themeLegend(labels: { label(key: 'theme', code: string): string | null } | null): HTMLElement | null {
  if (!labels) return null;
  const name = (codes: string[]): string => codes.map((code) => labels.label('theme', code) ?? code).join(', ');
  return h(
    'div',
    {},
    h('p', { class: 'map-legend__title' }, 'Couleur des points : thème principal'),
    h(
      'ul',
      { class: 'map-legend__list map-legend__list--themes' },
      ...THEME_GROUPS.map((group) =>
        h(
          'li',
          { class: 'map-legend__item' },
          h('span', { class: 'map-legend__dot', style: `background:${group.color}`, 'aria-hidden': 'true' }),
          name(group.codes),
        ),
      ),
      h('li', { class: 'map-legend__item' }, h('span', { class: 'map-legend__dot', style: `background:${OTHER_COLOR}`, 'aria-hidden': 'true' }), 'Autres thèmes'),
      h('li', { class: 'map-legend__item' }, h('span', { class: 'map-legend__dot map-legend__dot--cluster', 'aria-hidden': 'true' }), 'Regroupement (nombre d’initiatives)'),
    ),
  );
}

/** A cell of several initiatives: a disc sized by its count, the count written on it. */
export function clusterLayer(feature: GeoJSON.Feature, onClick: (bounds: L.LatLngBounds) => void): L.Marker | null {
  const point = pointOf(feature);
  const props = feature.properties ?? {};
  const count = typeof props.count === 'number' ? props.count : 0;
  if (!point || count <= 0) return null;
  const size = Math.round(Math.min(64, 26 + Math.log10(count) * 14));
  const label = count.toLocaleString('fr-FR');
  const marker = L.marker(point, {
    keyboard: false,
    icon: L.divIcon({
      className: 'sc-cluster',
      html: h('span', { class: 'sc-cluster__count' }, label),
      iconSize: [size, size],
    }),
  });
  marker.on('add', () => {
    const element = marker.getElement();
    element?.setAttribute('aria-hidden', 'true');
    element?.setAttribute('data-count', String(count));
  });
  const bounds = clusterBounds(feature) ?? L.latLngBounds(point, point);
  marker.on('click', () => onClick(bounds));
  return marker;
}

/** The bounds of a cluster's members (its point when the answer has none). */
export function clusterBounds(feature: GeoJSON.Feature): L.LatLngBounds | null {
  const point = pointOf(feature);
  const box = feature.properties?.bbox;
  if (Array.isArray(box) && box.length === 4 && box.every((n) => typeof n === 'number' && Number.isFinite(n))) {
    return L.latLngBounds([box[1], box[0]], [box[3], box[2]]);
  }
  return point ? L.latLngBounds(point, point) : null;
}

/** The id, title and theme codes of a single-initiative feature. */
export interface SingleFeature {
  id: string;
  title: string;
  themes: string[];
}

/**
 * One initiative: the round marker of the results. content builds its card when it opens (given the
 * marker, so that a card completed later can be re-laid out).
 */
export function singleLayer(feature: GeoJSON.Feature, content: (marker: L.CircleMarker, single: SingleFeature) => HTMLElement): L.CircleMarker | null {
  const point = pointOf(feature);
  const props = feature.properties ?? {};
  const id = typeof props.id === 'number' || typeof props.id === 'string' ? String(props.id) : null;
  if (!point || !id) return null;
  const title = typeof props.title === 'string' ? props.title : 'Initiative';
  const themes = Array.isArray(props.themes) ? props.themes.filter((t: unknown): t is string => typeof t === 'string') : [];
  const color = themeColor(themes);
  const marker = L.circleMarker(point, {
    className: 'sc-marker',
    radius: 8,
    color: '#ffffff',
    weight: 2,
    fillColor: color,
    fillOpacity: 0.95,
  });
  marker.on('add', () => {
    marker.getElement()?.setAttribute('data-count', '1');
    marker.getElement()?.setAttribute('data-id', id);
    marker.getElement()?.setAttribute('data-color', color);
  });
  marker.bindPopup(() => content(marker, { id, title, themes }), { closeButton: true, autoPanPadding: [24, 24], maxWidth: 280 });
  marker.bindTooltip(title, { direction: 'top', offset: [0, -8] });
  return marker;
}

function pointOf(feature: GeoJSON.Feature): L.LatLng | null {
  const geometry = feature.geometry;
  if (!geometry || geometry.type !== 'Point') return null;
  const [lon, lat] = geometry.coordinates;
  return typeof lon === 'number' && typeof lat === 'number' && Number.isFinite(lon) && Number.isFinite(lat) ? L.latLng(lat, lon) : null;
}
