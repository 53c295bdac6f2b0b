// The state of a search, as it lives in the URL: `/?q=jardin&theme=ENV,SAN&public=jeunes&territory=region:84&sort=name`.
// Every filter is a list of codes OR'ed by the API; different filters are AND'ed.

/** The API accepts at most 20 territories in one search. */
export const MAX_TERRITORIES = 20;

/** Splits the `territory` URL parameter: trimmed, without duplicates, at most MAX_TERRITORIES. */
export function parseTerritoryParam(raw: string | null): string[] {
  if (!raw) return [];
  const refs: string[] = [];
  for (const part of raw.split(',')) {
    const ref = part.trim();
    if (ref && !refs.includes(ref) && refs.length < MAX_TERRITORIES) refs.push(ref);
  }
  return refs;
}

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
  /** Start year bounds, inclusive (1800–2100), or null. */
  yearMin: number | null;
  yearMax: number | null;
}

export const YEAR_MIN = 1800;
export const YEAR_MAX = 2100;

/** The radius choices of "Autour de moi / d'une commune", in km (the API allows up to 500). */
export const NEAR_RADII = [5, 10, 25, 50, 100, 200, 500] as const;
export const NEAR_MAX_KM = 500;
export const NEAR_DEFAULT_KM = 10;

export interface NearPoint {
  lat: number;
  lon: number;
  km: number;
}

/** `lat,lon,km` split into numbers; null when malformed or out of range. */
export function parseNear(near: string | null): NearPoint | null {
  if (!near || !NEAR.test(near)) return null;
  const [lat, lon, km] = near.split(',').map(Number);
  if (lat < -90 || lat > 90 || lon < -180 || lon > 180 || !(km > 0) || km > NEAR_MAX_KM) return null;
  return { lat, lon, km };
}

/** The `near` parameter of a point and a radius, coordinates rounded to about 10 m. */
export function formatNear(lat: number, lon: number, km: number): string {
  const r = (v: number): string => String(Math.round(v * 10000) / 10000);
  return `${r(lat)},${r(lon)},${r(km)}`;
}

/** A start year from a URL or a field: an integer within 1800–2100, else null. */
export function parseYear(raw: string | null | undefined): number | null {
  const text = (raw ?? '').trim();
  if (!/^\d{4}$/.test(text)) return null;
  const year = Number(text);
  return year >= YEAR_MIN && year <= YEAR_MAX ? year : null;
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
  return { q: '', territories: [], filters: emptyFilters(), sort: null, near: null, bbox: null, yearMin: null, yearMax: null };
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
  const validNear = parseNear(near) ? near : null;
  let yearMin = parseYear(params.get('year_min'));
  let yearMax = parseYear(params.get('year_max'));
  // Bounds given the wrong way round are read the right way.
  if (yearMin !== null && yearMax !== null && yearMin > yearMax) [yearMin, yearMax] = [yearMax, yearMin];
  // Sorting by distance needs a point.
  if (sort === 'distance' && !validNear) sort = null;
  return {
    q: (params.get('q') ?? '').trim(),
    territories: parseTerritoryParam(params.get('territory')),
    filters,
    sort,
    near: validNear,
    bbox: parseBbox(params.get('bbox')),
    yearMin,
    yearMax,
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
  if (state.yearMin !== null) parts.push('year_min=' + state.yearMin);
  if (state.yearMax !== null) parts.push('year_max=' + state.yearMax);
  if (state.near) parts.push('near=' + state.near);
  if (state.bbox) parts.push('bbox=' + state.bbox);
  if (state.sort) parts.push('sort=' + state.sort);
  return parts.length ? '/?' + parts.join('&') : '/';
}

export function cloneState(state: SearchState): SearchState {
  const filters = emptyFilters();
  for (const key of FILTER_KEYS) filters[key] = state.filters[key].slice();
  return {
    q: state.q,
    territories: state.territories.slice(),
    filters,
    sort: state.sort,
    near: state.near,
    bbox: state.bbox,
    yearMin: state.yearMin,
    yearMax: state.yearMax,
  };
}

/** Number of active filters on codes (territories and the point apart). */
export function filterCount(state: SearchState): number {
  return FILTER_KEYS.reduce((n, key) => n + state.filters[key].length, 0);
}

export function hasAnyFilter(state: SearchState): boolean {
  return (
    filterCount(state) > 0 ||
    state.territories.length > 0 ||
    state.near !== null ||
    state.bbox !== null ||
    state.yearMin !== null ||
    state.yearMax !== null
  );
}

/** The sort in effect: the chosen one, else the API's default. */
export function effectiveSort(state: SearchState): SortKey {
  if (state.sort) return state.sort;
  return state.q ? 'relevance' : 'recent';
}
