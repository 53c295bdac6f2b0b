// Shapes of the API answers (docs/api.md). Codes absent from a record are null or [].

export interface Coded {
  code: string;
  label: string;
}

export interface SubTheme extends Coded {
  parent: string;
}

export interface Place {
  code: string;
  name: string;
}

export interface Territory {
  commune: Place | null;
  departement: Place | null;
  region: Place | null;
}

export type Precision = 'address' | 'commune' | 'departement' | 'region' | 'none';

export interface GeoPoint {
  lon: number | null;
  lat: number | null;
  precision: Precision;
}

export interface Actor {
  name: string;
  type: Coded | null;
}

/** A source of an initiative: the platform, and the original page of the record on it. */
export interface Source {
  code: string;
  name: string;
  url: string | null;
  homepage?: string | null;
  demo: boolean;
}

/** One harvest run's figures (`last_run`), as on /api/v1/sources. */
export interface HarvestRunSummary {
  id: number;
  started_at: string;
  finished_at: string | null;
  status: 'running' | 'succeeded' | 'partial' | 'failed';
  pages_fetched: number;
  pages_not_modified?: number;
  pages_failed?: number;
  bytes_fetched?: number;
  records_seen?: number;
  records_new: number;
  records_updated: number;
  records_unchanged?: number;
  records_gone: number;
  records_failed?: number;
  errors_count: number;
}

/** A run with its first errors (at most 100) and how many there are in all. */
export interface HarvestRun extends HarvestRunSummary {
  errors: { url: string | null; reason: string }[];
  errors_total: number;
}

/** A platform the harvester reads (`GET /api/v1/sources`). */
export interface SourceSummary {
  slug: string;
  name: string;
  homepage: string | null;
  kind: string;
  licence: string | null;
  demo: boolean;
  enabled?: boolean;
  records: number;
  initiatives: number;
  last_run: HarvestRunSummary | null;
  last_success_at: string | null;
  period_hours: number;
  next_run_at: string | null;
}

/** One source with its last runs (`GET /api/v1/sources/{slug}`). */
/** A value of the source that no entry of its value maps turns into one of our codes. */
export interface UnmappedValue {
  field: string;
  value: string;
  records: number;
}

export interface SourceDetail extends SourceSummary {
  record_count_gone: number;
  runs: HarvestRun[];
  unmapped?: UnmappedValue[];
}

export interface SourceList {
  items: SourceSummary[];
}

/** Short form, as in lists and search results. */
export interface InitiativeItem {
  id: number;
  slug: string;
  title: string;
  summary: string | null;
  themes: Coded[];
  actor: Actor | null;
  territory: Territory | null;
  location: GeoPoint | null;
  demo: boolean;
  updated_at: string;
  /** The platforms the record comes from (code and name only in lists). */
  sources?: { code: string; name: string }[];
}

/** Full record, as on the detail endpoint. */
export interface Initiative extends InitiativeItem {
  description: string | null;
  website: string | null;
  image_url: string | null;
  subthemes: SubTheme[];
  publics: Coded[];
  scale: Coded | null;
  stage: Coded | null;
  start_year: number | null;
  address: string | null;
  postcode: string | null;
  sources: Source[];
  status: string;
  created_at: string;
}

/** A search result: the short form, with the matched passage and the distance to `near`. */
export interface SearchItem extends InitiativeItem {
  /** HTML: the matched words in <mark>, everything else escaped by the server. */
  excerpt?: string | null;
  distance_m?: number | null;
}

export interface FacetValue {
  code: string;
  label: string;
  count: number;
}

export interface SearchPage {
  total: number;
  total_exact: boolean;
  total_is_estimate?: boolean;
  items: SearchItem[];
  next_cursor: string | null;
  /** Only the facets asked for, and only once the API computes them. */
  facets?: Partial<Record<string, FacetValue[]>>;
  did_you_mean?: string | null;
  corrected?: boolean;
  /** When all the words together match nothing: the words kept and those left out (docs/api.md). */
  relaxed?: { q: string; dropped: string[] } | null;
  /** Asked with `extent=1` on a first page: where every located match lies. */
  extent?: SearchExtent;
}

/** A zone of the map (metropolitan France, an overseas région) holding matches. */
export interface ExtentZone {
  zone: string;
  count: number;
  bbox: [number, number, number, number];
}

export interface SearchExtent {
  bbox: [number, number, number, number] | null;
  located: number;
  zones: ExtentZone[];
}

export interface VocabularyTheme extends Coded {
  children?: Coded[];
}

export interface Vocabularies {
  themes: VocabularyTheme[];
  actor_types: Coded[];
  publics: Coded[];
  scales: Coded[];
  stages: Coded[];
  methods?: Coded[];
}

export interface Suggestions {
  /** place: the commune (else the département) of the initiative, null when unknown. */
  initiatives: { id: number; title: string; slug: string; place?: string | null }[];
  territories: TerritorySummary[];
  themes: { code: string; label: string; kind: 'theme' | 'subtheme' }[];
}

export type TerritoryLevel = 'region' | 'departement' | 'commune' | 'arrondissement';

/** A territory as listed by the autocomplete (`TERRITORY` in docs/api.md). */
export interface TerritorySummary {
  ref: string;
  code: string;
  level: TerritoryLevel;
  name: string;
  population: number | null;
  postcodes: string[];
  /** The city of an arrondissement. */
  commune: Place | null;
  departement: Place | null;
  region: Place | null;
  point: { lon: number; lat: number } | null;
}

/** One territory with its bounding box, as on /api/v1/territories/{ref}. */
export interface TerritoryDetail extends TerritorySummary {
  children?: Partial<Record<TerritoryLevel, number>>;
  /** [minLon, minLat, maxLon, maxLat], null without contour. */
  bbox: [number, number, number, number] | null;
  has_contour: boolean;
}

export interface TerritoryList {
  items: TerritorySummary[];
}

/** The signed-in person (`USER`), only ever shown to that person. */
export interface User {
  id: number;
  email: string;
  display_name: string;
  role: 'member' | 'moderator' | 'admin';
  verified: boolean;
  created_at: string;
  version: number;
}

/** `GET /api/v1/me` and `POST /api/v1/session`. */
export interface SessionAnswer {
  user: User;
  csrf_token: string;
}

/** One signed-in browser of mine (`GET /api/v1/me/sessions`). */
export interface SessionInfo {
  id: number;
  device: string;
  created_at: string;
  last_seen_at: string;
  current: boolean;
}

export interface FavouriteItem extends InitiativeItem {
  favourited_at: string;
}

export interface FavouritePage {
  items: FavouriteItem[];
  next_cursor: string | null;
}

export type Visibility = 'private' | 'public';

export interface CollectionItem {
  position: number;
  note: string;
  added_at: string;
  initiative: InitiativeItem;
}

/** `COLLECTION`: the list of mine leaves out `items`. */
export interface Collection {
  id: number;
  title: string;
  description: string;
  visibility: Visibility;
  owner: { display_name: string };
  item_count: number;
  created_at: string;
  updated_at: string;
  version: number;
  is_owner: boolean;
  items?: CollectionItem[];
}

export type AlertFrequency = 'none' | 'daily' | 'weekly';

/** `SAVED_SEARCH`: `params` are the search's query parameters, each a string. */
export interface SavedSearch {
  id: number;
  name: string;
  params: Record<string, string>;
  alert: AlertFrequency;
  last_alert_at: string | null;
  created_at: string;
  version: number;
}
