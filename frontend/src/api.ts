import { FILTER_KEYS, type SearchState } from './searchState';
import type { Initiative, SearchPage, SourceDetail, SourceList, Suggestions, TerritoryDetail, TerritoryList, TerritorySummary, Vocabularies } from './types';

export const UNAVAILABLE_MESSAGE =
  'Le service est momentanément indisponible. Veuillez réessayer dans quelques instants.';

const TIMEOUT_MS = 15000;
export const PAGE_SIZE = 20;

/** A failed call, with the French message to show. status is 0 when no HTTP answer came. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly field: string | null;
  /** The whole error answer, for the `current` object of a 409. */
  readonly body: unknown;

  constructor(status: number, code: string, message: string, field: string | null = null, body: unknown = null) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.field = field;
    this.body = body;
  }
}

export function isAbort(err: unknown): boolean {
  return err instanceof DOMException && err.name === 'AbortError';
}

interface ErrorBody {
  error?: { code?: unknown; message?: unknown; field?: unknown };
}

/** What a call sends beside its URL. */
interface CallOptions {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  headers?: Record<string, string>;
  body?: string;
  signal?: AbortSignal;
  /** How long before giving up, in ms (default TIMEOUT_MS); null: no limit. */
  timeoutMs?: number | null;
}

/**
 * The one place that calls fetch. Answers the parsed JSON body, or null for an answer without
 * body (204); failures become an ApiError carrying the API's French message.
 */
async function call<T>(url: string, options: CallOptions): Promise<T> {
  const { signal } = options;
  // One controller fed by the caller's signal and by a timer, so a hung request ends too.
  const controller = new AbortController();
  const limit = options.timeoutMs === undefined ? TIMEOUT_MS : options.timeoutMs;
  const timer = limit === null ? 0 : window.setTimeout(() => controller.abort(), limit);
  const relay = (): void => controller.abort();
  signal?.addEventListener('abort', relay, { once: true });
  if (signal?.aborted) controller.abort();
  try {
    let res: Response;
    try {
      res = await fetch(url, {
        method: options.method ?? 'GET',
        headers: options.headers,
        body: options.body,
        credentials: 'same-origin',
        signal: controller.signal,
      });
    } catch (err) {
      if (signal?.aborted) throw err;
      throw new ApiError(0, 'unavailable', UNAVAILABLE_MESSAGE);
    }
    if (res.ok && (res.status === 204 || res.status === 205)) return null as T;
    let body: unknown = null;
    try {
      body = await res.json();
    } catch (err) {
      if (signal?.aborted) throw err;
      body = null;
    }
    if (res.ok) {
      if (body !== null && typeof body === 'object') return body as T;
      throw new ApiError(res.status, 'invalid_response', UNAVAILABLE_MESSAGE);
    }
    const error = (body as ErrorBody | null)?.error;
    const code = typeof error?.code === 'string' ? error.code : 'http_' + res.status;
    const field = typeof error?.field === 'string' ? error.field : null;
    // Server-side failures get the generic wording; client errors carry a French message meant for people.
    if (res.status >= 500 || typeof error?.message !== 'string' || error.message === '') {
      throw new ApiError(res.status, code, UNAVAILABLE_MESSAGE, field, body);
    }
    throw new ApiError(res.status, code, error.message, field, body);
  } finally {
    window.clearTimeout(timer);
    signal?.removeEventListener('abort', relay);
  }
}

export function getJson<T>(url: string, signal?: AbortSignal, accept = 'application/json'): Promise<T> {
  return call<T>(url, { headers: { Accept: accept }, signal });
}

/**
 * A JSON file of the site itself rather than of the API (`/config.json`, the map background under
 * `/geo/`): its parsed body, or null when it is missing, is not JSON or cannot be had — the callers
 * then do without. No time limit: some map files are large and a slow line still gets them.
 */
export function getStaticJson<T>(url: string): Promise<T | null> {
  return call<T>(url, { headers: { Accept: 'application/json' }, timeoutMs: null }).catch(() => null);
}

/** How writes reach the session: its CSRF token, a way to renew it, and what to do once it is gone. */
export interface SessionHooks {
  csrfToken(): string | null;
  /** Asks GET /me again; true when a new token came. */
  refresh(): Promise<boolean>;
  signedOut(): void;
}

let sessionHooks: SessionHooks | null = null;

export function setSessionHooks(hooks: SessionHooks): void {
  sessionHooks = hooks;
}

function signedOutBy(err: unknown): boolean {
  return err instanceof ApiError && err.status === 401 && err.code !== 'invalid_credentials';
}

/** A read of personal data: a 401 means the session ended, and the interface signs out. */
export async function getPersonal<T>(url: string, signal?: AbortSignal): Promise<T> {
  try {
    return await getJson<T>(url, signal);
  } catch (err) {
    if (signedOutBy(err)) sessionHooks?.signedOut();
    throw err;
  }
}

export type WriteMethod = 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/**
 * Every write goes through here: a JSON body with its Content-Type, the session's CSRF token, the
 * same-origin cookie. A 401 signs the interface out; a 403 csrf_failed asks /me for a fresh token
 * once and sends the write again.
 */
export async function write<T>(method: WriteMethod, url: string, body?: unknown, signal?: AbortSignal): Promise<T> {
  const send = (): Promise<T> => {
    const headers: Record<string, string> = { Accept: 'application/json', 'Content-Type': 'application/json' };
    const token = sessionHooks?.csrfToken();
    if (token) headers['X-CSRF-Token'] = token;
    return call<T>(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal });
  };
  try {
    return await send();
  } catch (err) {
    if (err instanceof ApiError && err.status === 403 && err.code === 'csrf_failed' && sessionHooks) {
      if (await sessionHooks.refresh()) {
        try {
          return await send();
        } catch (again) {
          if (signedOutBy(again)) sessionHooks.signedOut();
          throw again;
        }
      }
    }
    if (signedOutBy(err)) sessionHooks?.signedOut();
    throw err;
  }
}

/** The search parameters of a state, in the API's terms. */
export function searchParams(state: SearchState): URLSearchParams {
  const params = new URLSearchParams({ q: state.q });
  for (const key of FILTER_KEYS) {
    if (state.filters[key].length > 0) params.set(key, state.filters[key].join(','));
  }
  if (state.territories.length > 0) params.set('territory', state.territories.join(','));
  if (state.yearMin !== null) params.set('year_min', String(state.yearMin));
  if (state.yearMax !== null) params.set('year_max', String(state.yearMax));
  if (state.near) params.set('near', state.near);
  if (state.bbox) params.set('bbox', state.bbox);
  if (state.sort) params.set('sort', state.sort);
  return params;
}

/** One page of results; `facets` (names) only for the first page, where the panel is drawn. */
export function searchInitiatives(
  state: SearchState,
  cursor: string | null,
  facets: readonly string[],
  signal?: AbortSignal,
): Promise<SearchPage> {
  const params = searchParams(state);
  params.set('limit', String(PAGE_SIZE));
  if (facets.length > 0) params.set('facets', facets.join(','));
  if (cursor) params.set('cursor', cursor);
  // The first page says where all the matches lie: the map frames the whole search with it.
  else params.set('extent', '1');
  return getJson<SearchPage>('/api/v1/search?' + params.toString(), signal);
}

/** The first `limit` results of a search with where all its matches lie (the embeddable widget). */
export function searchFirst(state: SearchState, limit: number, signal?: AbortSignal): Promise<SearchPage> {
  const params = searchParams(state);
  params.set('limit', String(limit));
  params.set('extent', '1');
  return getJson<SearchPage>('/api/v1/search?' + params.toString(), signal);
}

/** Suggestions for the search box: initiatives, territories and themes. */
export function suggest(q: string, limit: number, signal?: AbortSignal): Promise<Suggestions> {
  const params = new URLSearchParams({ q, limit: String(limit) });
  return getJson<Suggestions>('/api/v1/suggest?' + params.toString(), signal);
}

let vocabularies: Promise<Vocabularies> | null = null;

/** The French labels of every code; asked once while it succeeds. */
export function getVocabularies(): Promise<Vocabularies> {
  if (!vocabularies) {
    vocabularies = getJson<{ vocabularies: Vocabularies }>('/api/v1/vocabularies?lang=fr').then((body) => {
      const v = body.vocabularies ?? ({} as Partial<Vocabularies>);
      return {
        themes: Array.isArray(v.themes) ? v.themes : [],
        actor_types: Array.isArray(v.actor_types) ? v.actor_types : [],
        publics: Array.isArray(v.publics) ? v.publics : [],
        scales: Array.isArray(v.scales) ? v.scales : [],
        stages: Array.isArray(v.stages) ? v.stages : [],
      };
    });
    vocabularies.catch(() => {
      vocabularies = null;
    });
  }
  return vocabularies;
}

export function getInitiative(id: number, signal?: AbortSignal): Promise<Initiative> {
  return getJson<Initiative>('/api/v1/initiatives/' + encodeURIComponent(String(id)), signal);
}

/** The autocomplete of territories: names and postcodes, best first. */
export function suggestTerritories(q: string, limit: number, signal?: AbortSignal, level?: string): Promise<TerritoryList> {
  const params = new URLSearchParams({ q, limit: String(limit) });
  if (level) params.set('level', level);
  return getJson<TerritoryList>('/api/v1/territories?' + params.toString(), signal);
}

/** A reference as a path segment; the colon of `commune:69123` may stay as it is. */
function refSegment(ref: string): string {
  return encodeURIComponent(ref).replace(/%3A/gi, ':');
}

export function getTerritory(ref: string, signal?: AbortSignal): Promise<TerritoryDetail> {
  return getJson<TerritoryDetail>('/api/v1/territories/' + refSegment(ref), signal);
}

/** The contour of a territory, simplified for a map zoom level (0–18). 404 for an arrondissement. */
export function getTerritoryContour(ref: string, zoom: number, signal?: AbortSignal): Promise<GeoJSON.Feature> {
  const simplify = String(Math.min(18, Math.max(0, Math.round(zoom))));
  return getJson<GeoJSON.Feature>(
    '/api/v1/territories/' + refSegment(ref) + '/contour?simplify=' + simplify,
    signal,
    'application/geo+json, application/json',
  );
}

/** The filters of a search without its sort (the map endpoints ignore it). */
function mapParams(state: SearchState): URLSearchParams {
  const params = searchParams(state);
  params.delete('sort');
  if (!state.q) params.delete('q');
  return params;
}

/** Clusters and single initiatives of a search in `bbox` (the view, already cut to the search's own area). */
export function getMapClusters(state: SearchState, bbox: string, zoom: number, signal?: AbortSignal): Promise<GeoJSON.FeatureCollection> {
  const params = mapParams(state);
  params.set('bbox', bbox);
  params.set('zoom', String(zoom));
  return getJson<GeoJSON.FeatureCollection>('/api/v1/map/clusters?' + params.toString(), signal, 'application/geo+json, application/json');
}

/** Every région or département with its contour and the number of matching initiatives. */
export function getMapChoropleth(
  state: SearchState,
  level: 'region' | 'departement',
  signal?: AbortSignal,
): Promise<GeoJSON.FeatureCollection> {
  const params = mapParams(state);
  params.set('level', level);
  return getJson<GeoJSON.FeatureCollection>('/api/v1/map/choropleth?' + params.toString(), signal, 'application/geo+json, application/json');
}

/** Every source the harvester reads, with its figures, ordered by name. */
export function getSources(signal?: AbortSignal): Promise<SourceList> {
  return getJson<SourceList>('/api/v1/sources', signal);
}

/** One source with its last five runs and their errors. */
export function getSource(slug: string, signal?: AbortSignal): Promise<SourceDetail> {
  return getJson<SourceDetail>('/api/v1/sources/' + encodeURIComponent(slug), signal);
}

export interface GeocodeAnswer {
  match: { territory: TerritorySummary; confidence: number; precision: string } | null;
}

/** The commune containing a point (reverse geocoding); `match` is null at sea or abroad. */
export function reverseGeocode(lat: number, lon: number, signal?: AbortSignal): Promise<GeocodeAnswer> {
  const params = new URLSearchParams({ lat: String(lat), lon: String(lon) });
  return getJson<GeocodeAnswer>('/api/v1/geocode?' + params.toString(), signal);
}

/** The formats of GET /api/v1/search/export; « csv-excel » is CSV with « ; » and a BOM, for Excel. */
export type ExportFormat = 'csv' | 'csv-excel' | 'geojson' | 'ndjson';

/** The address of the export of a search (docs/api.md, "Exports"). */
export function searchExportUrl(state: SearchState, format: ExportFormat): string {
  const params = searchParams(state);
  if (format === 'csv-excel') {
    params.set('format', 'csv');
    params.set('sep', ';');
    params.set('bom', '1');
  } else {
    params.set('format', format);
  }
  return '/api/v1/search/export?' + params.toString();
}

/** A downloaded export: its bytes, the file name the API gives it, and whether it was cut. */
export interface ExportFile {
  blob: Blob;
  filename: string;
  rows: number;
  truncated: boolean;
}

/** Downloads an export (no time limit: a large one takes seconds); failures as in call(). */
export async function downloadExport(url: string, signal?: AbortSignal): Promise<ExportFile> {
  let res: Response;
  try {
    res = await fetch(url, { credentials: 'same-origin', signal });
  } catch (err) {
    if (signal?.aborted) throw err;
    throw new ApiError(0, 'unavailable', UNAVAILABLE_MESSAGE);
  }
  if (!res.ok) {
    let body: ErrorBody | null = null;
    try {
      body = (await res.json()) as ErrorBody;
    } catch {
      body = null;
    }
    const message = body?.error?.message;
    const code = typeof body?.error?.code === 'string' ? body.error.code : 'http_' + res.status;
    if (res.status === 503 && code === 'export_busy' && typeof message === 'string') throw new ApiError(503, code, message);
    throw new ApiError(res.status, code, res.status < 500 && typeof message === 'string' && message ? message : UNAVAILABLE_MESSAGE);
  }
  const blob = await res.blob();
  const disposition = res.headers.get('content-disposition') ?? '';
  const filename = /filename="([^"]+)"/.exec(disposition)?.[1] ?? 'socialconnect-recherche';
  return {
    blob,
    filename,
    rows: Number(res.headers.get('x-export-rows') ?? '0'),
    truncated: res.headers.get('x-export-truncated') === 'true',
  };
}

/** One file of the whole catalogue (manifest.json, written each night). */
export interface CatalogueFile {
  name: string;
  format: string;
  size: number;
  sha256: string;
  url: string;
}

export interface CatalogueManifest {
  generated_at: string;
  records: number;
  files: CatalogueFile[];
  sources: { code: string; name: string; licence: string | null; records: number }[];
}

/** The manifest of the whole-catalogue files, or null when there is none yet. */
export function getCatalogueManifest(): Promise<CatalogueManifest | null> {
  return getStaticJson<CatalogueManifest>('/exports/manifest.json');
}

/** The OpenAPI description of the API, for the « Développeurs » page's reference. */
export function getOpenapiDescription(signal?: AbortSignal): Promise<Record<string, unknown>> {
  return getJson<Record<string, unknown>>('/api/v1/openapi.json', signal);
}
