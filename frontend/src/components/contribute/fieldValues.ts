// The fields of an initiative as contributions carry them: French names, the values of a record,
// and a readable text for any value (codes → labels), as proposals, corrections, the queue and the
// history show them.
import { hasPoint } from '../../map';
import type { Coded, Initiative, Vocabularies } from '../../types';
import type { FieldName, InitiativeFields, PlaceFields } from '../../contribApi';

export const FIELD_ORDER: FieldName[] = [
  'title',
  'summary',
  'description',
  'actor_name',
  'actor_type',
  'themes',
  'subthemes',
  'publics',
  'scale',
  'stage',
  'start_year',
  'website',
  'place',
];

export const FIELD_LABELS: Record<string, string> = {
  title: 'Titre',
  summary: 'Résumé',
  description: 'Description',
  actor_name: 'Porteur (structure)',
  actor_type: "Type d'acteur",
  themes: 'Thèmes',
  subthemes: 'Sous-thèmes',
  publics: 'Publics',
  scale: 'Échelle',
  stage: 'Stade',
  start_year: 'Année de lancement',
  website: 'Site web',
  place: 'Lieu',
  address: 'Adresse',
  location: 'Position',
  commune: 'Commune',
};

/** Long texts get a word-level diff. */
export const LONG_TEXT_FIELDS = new Set(['summary', 'description']);

export function fieldLabel(name: string): string {
  return FIELD_LABELS[name] ?? name;
}

const codes = (items: Coded[] | null | undefined): string[] => (Array.isArray(items) ? items.map((c) => c.code) : []);

/** The editable fields of a published record, as the forms start from. */
export function fieldsOfInitiative(record: Initiative): InitiativeFields {
  const place: PlaceFields | null = hasPoint(record)
    ? { address: record.address ?? null, lon: record.location!.lon as number, lat: record.location!.lat as number }
    : null;
  return {
    title: record.title ?? '',
    summary: record.summary ?? '',
    description: record.description ?? '',
    actor_name: record.actor?.name ?? '',
    actor_type: record.actor?.type?.code ?? null,
    themes: codes(record.themes),
    subthemes: codes(record.subthemes),
    publics: codes(record.publics),
    scale: record.scale?.code ?? null,
    stage: record.stage?.code ?? null,
    start_year: record.start_year ?? null,
    website: record.website ?? '',
    place,
  };
}

/** A comparable form of a value: arrays sorted, empty strings and null alike, points rounded. */
export function normalized(value: unknown): string {
  if (value === undefined || value === null || value === '') return 'null';
  if (Array.isArray(value)) return value.length === 0 ? 'null' : JSON.stringify(value.map(String).sort());
  if (typeof value === 'object') {
    const place = value as Partial<PlaceFields>;
    if ('lon' in place || 'lat' in place || 'address' in place) {
      return JSON.stringify([place.address || null, round(place.lon), round(place.lat)]);
    }
    return JSON.stringify(value);
  }
  return JSON.stringify(typeof value === 'string' ? value.trim() : value);
}

function round(n: unknown): number | null {
  return typeof n === 'number' && Number.isFinite(n) ? Math.round(n * 1e5) / 1e5 : null;
}

/** The labels of every code, to show values in words. */
export interface Labels {
  theme: Map<string, string>;
  subtheme: Map<string, string>;
  public: Map<string, string>;
  actor_type: Map<string, string>;
  scale: Map<string, string>;
  stage: Map<string, string>;
}

export function labelsOf(v: Vocabularies | null): Labels {
  const map = (items: Coded[] | undefined): Map<string, string> => new Map((items ?? []).map((c) => [c.code, c.label]));
  const subthemes = new Map<string, string>();
  for (const theme of v?.themes ?? []) for (const child of theme.children ?? []) subthemes.set(child.code, child.label);
  return {
    theme: map(v?.themes),
    subtheme: subthemes,
    public: map(v?.publics),
    actor_type: map(v?.actor_types),
    scale: map(v?.scales),
    stage: map(v?.stages),
  };
}

const VOCABULARY_OF: Record<string, keyof Labels> = {
  themes: 'theme',
  subthemes: 'subtheme',
  publics: 'public',
  actor_type: 'actor_type',
  scale: 'scale',
  stage: 'stage',
};

const number = new Intl.NumberFormat('fr-FR', { maximumFractionDigits: 5 });

/** A value in words: labels for codes, the address and coordinates of a place; '' when empty. */
export function valueText(field: string, value: unknown, labels: Labels): string {
  if (value === undefined || value === null || value === '') return '';
  const vocabulary = VOCABULARY_OF[field];
  const one = (item: unknown): string => {
    if (item && typeof item === 'object') {
      const coded = item as Partial<Coded>;
      if (typeof coded.label === 'string') return coded.label;
      if (typeof coded.code === 'string') return (vocabulary && labels[vocabulary].get(coded.code)) || coded.code;
    }
    const text = String(item);
    return (vocabulary && labels[vocabulary].get(text)) || text;
  };
  if (Array.isArray(value)) return value.map(one).join(', ');
  if (typeof value === 'object') {
    const place = value as Partial<PlaceFields> & { commune?: string | null; postcode?: string | null };
    if ('lon' in place || 'lat' in place || 'address' in place) {
      const parts: string[] = [];
      if (place.address) parts.push(place.address);
      if (place.commune && !(place.address ?? '').includes(place.commune)) parts.push(place.commune);
      if (typeof place.lat === 'number' && typeof place.lon === 'number') {
        parts.push(`latitude ${number.format(place.lat)}, longitude ${number.format(place.lon)}`);
      }
      return parts.join(' — ');
    }
    return one(value);
  }
  return one(value);
}
