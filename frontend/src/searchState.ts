// The state of a search, as it lives in the URL: `/?q=jardin&theme=ENV,SAN&public=jeunes&territory=region:84&sort=name`.
// Every filter is a list of codes OR'ed by the API; different filters are AND'ed.

import { parseTerritoryParam } from './territories';

/** The filters on vocabulary codes, in the order they appear in URLs and in the facet panel. */
export const FILTER_KEYS = ['theme', 'subtheme', 'actor_type', 'public', 'scale', 'stage', 'source'] as const;
export type FilterKey = (typeof FILTER_KEYS)[number];

export const FILTER_LABELS: Record<FilterKey, string> = {
  theme: 'Thème',
  subtheme: 'Sous-thème',
  actor_type: 'Type de porteur',
  public: 'Public',
  scale: 'Échelle',
  stage: 'Stade',
  source: 'Source',
};

export const SORT_KEYS = ['relevance', 'recent', 'name', 'distance'] as const;
export type SortKey = (typeof SORT_KEYS)[number];

export const SORT_LABELS: Record<SortKey, string> = {
  relevance: 'Pertinence',
  recent: 'Plus récentes',
  name: 'Nom',
  distance: 'Distance',
};

export interface SearchState {
  q: string;
  /** Territory references (`commune:69123`, `region:84`), OR'ed. */
  territories: string[];
  filters: Record<FilterKey, string[]>;
  /** null: the API's default (relevance with words, most recent without). */
  sort: SortKey | null;
  /** `lat,lon,km`, or null. */
  near: string | null;
  /** The map area searched in, `minLon,minLat,maxLon,maxLat`, or null. */
  bbox: string | null;
}

/** At most this many codes per filter are kept from a URL. */
const MAX_CODES = 20;
const CODE = /^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$/;
const NEAR = /^-?\d{1,2}(\.\d+)?,-?\d{1,3}(\.\d+)?,\d{1,3}(\.\d+)?$/;
const NUMBER = /^-?\d{1,3}(\.\d{1,6})?$/;

/** A well-formed `minLon,minLat,maxLon,maxLat` within ±180/±90 with min < max, else null. */
export function parseBbox(raw: string | null): string | null {
  if (!raw) return null;
  const parts = raw.replace(/\s+/g, '').split(',');
  if (parts.length !== 4 || !parts.every((part) => NUMBER.test(part))) return null;
  const [minLon, minLat, maxLon, maxLat] = parts.map(Number);
  if (minLon < -180 || maxLon > 180 || minLat < -90 || maxLat > 90 || minLon >= maxLon || minLat >= maxLat) return null;
  return parts.join(',');
}

export function emptyFilters(): Record<FilterKey, string[]> {
  return { theme: [], subtheme: [], actor_type: [], public: [], scale: [], stage: [], source: [] };
}

export function emptyState(): SearchState {
  return { q: '', territories: [], filters: emptyFilters(), sort: null, near: null, bbox: null };
}

/** Splits a comma-separated parameter into well-formed codes, without duplicates. */
export function parseCodes(raw: string | null): string[] {
  if (!raw) return [];
  const codes: string[] = [];
  for (const part of raw.split(',')) {
    const code = part.trim();
    if (CODE.test(code) && !codes.includes(code) && codes.length < MAX_CODES) codes.push(code);
  }
  return codes;
}

export function parseSearchState(search: string): SearchState {
  const params = new URLSearchParams(search);
  const filters = emptyFilters();
  for (const key of FILTER_KEYS) filters[key] = parseCodes(params.get(key));
  const near = (params.get('near') ?? '').replace(/\s+/g, '');
  const rawSort = params.get('sort');
  let sort = (SORT_KEYS as readonly string[]).includes(rawSort ?? '') ? (rawSort as SortKey) : null;
  const validNear = NEAR.test(near) ? near : null;
  // Sorting by distance needs a point.
  if (sort === 'distance' && !validNear) sort = null;
  return {
    q: (params.get('q') ?? '').trim(),
    territories: parseTerritoryParam(params.get('territory')),
    filters,
    sort,
    near: validNear,
    bbox: parseBbox(params.get('bbox')),
  };
}

/** Codes and references keep their colons and commas readable in shared links. */
function readable(value: string): string {
  return encodeURIComponent(value).replace(/%3A/gi, ':');
}

/** The URL of a search; parameters always in the same order, so one search has one URL. */
export function stateUrl(state: SearchState): string {
  const parts: string[] = [];
  if (state.q) parts.push(new URLSearchParams({ q: state.q }).toString());
  for (const key of FILTER_KEYS) {
    const codes = state.filters[key];
    if (codes.length > 0) parts.push(`${key}=` + codes.map(readable).join(','));
  }
  if (state.territories.length > 0) parts.push('territory=' + state.territories.map(readable).join(','));
  if (state.near) parts.push('near=' + state.near);
  if (state.bbox) parts.push('bbox=' + state.bbox);
  if (state.sort) parts.push('sort=' + state.sort);
  return parts.length ? '/?' + parts.join('&') : '/';
}

export function cloneState(state: SearchState): SearchState {
  const filters = emptyFilters();
  for (const key of FILTER_KEYS) filters[key] = state.filters[key].slice();
  return { q: state.q, territories: state.territories.slice(), filters, sort: state.sort, near: state.near, bbox: state.bbox };
}

/** Number of active filters on codes (territories and the point apart). */
export function filterCount(state: SearchState): number {
  return FILTER_KEYS.reduce((n, key) => n + state.filters[key].length, 0);
}

export function hasAnyFilter(state: SearchState): boolean {
  return filterCount(state) > 0 || state.territories.length > 0 || state.near !== null || state.bbox !== null;
}

/** The sort in effect: the chosen one, else the API's default. */
export function effectiveSort(state: SearchState): SortKey {
  if (state.sort) return state.sort;
  return state.q ? 'relevance' : 'recent';
}
