// Territories shared by the search page (picker chips, results map) and the detail page links. The
// `territory` parameter of a search (its references, at most MAX_TERRITORIES) is read in searchState.ts.

import { getTerritory, getTerritoryContour } from './api';
import type { TerritoryDetail, TerritoryLevel, TerritorySummary } from './types';

export const LEVEL_LABELS: Record<TerritoryLevel, string> = {
  region: 'Région',
  departement: 'Département',
  commune: 'Commune',
  arrondissement: 'Arrondissement',
};

export function levelLabel(level: string): string {
  return (LEVEL_LABELS as Record<string, string>)[level] ?? level;
}

/** `commune:69123` for a commune, and so on; what the `territory` parameter takes. */
export function territoryRef(level: TerritoryLevel, code: string): string {
  return `${level}:${code}`;
}

/**
 * The line under a suggestion: the matching postcode when a postcode was typed, then the city and
 * département of an arrondissement ("Lyon, Rhône"), or the département and région of a commune
 * ("Rhône, Auvergne-Rhône-Alpes").
 */
export function territoryContext(territory: TerritorySummary, query = ''): string {
  const parts: string[] = [];
  const digits = query.trim();
  if (/^[0-9]{2,5}$/.test(digits)) {
    const postcode = (territory.postcodes ?? []).find((p) => p.startsWith(digits));
    if (postcode && (territory.level === 'commune' || territory.level === 'arrondissement')) parts.push(postcode);
  }
  if (territory.commune && territory.commune.name !== territory.name) parts.push(territory.commune.name);
  if (territory.departement) parts.push(territory.departement.name);
  // An arrondissement is placed well enough by its city and département.
  if (territory.region && !territory.commune) parts.push(territory.region.name);
  return parts.join(', ');
}

const details = new Map<string, Promise<TerritoryDetail>>();

/** Territories seen in suggestions, so a chip gets its name without another request. */
const known = new Map<string, TerritorySummary>();

export function rememberTerritory(territory: TerritorySummary): void {
  known.set(territory.ref, territory);
}

export function knownTerritory(ref: string): TerritorySummary | null {
  return known.get(ref) ?? null;
}

/** GET /api/v1/territories/{ref}, once per reference while it succeeds. */
export function territoryDetail(ref: string): Promise<TerritoryDetail> {
  let promise = details.get(ref);
  if (!promise) {
    promise = getTerritory(ref);
    promise.then(
      (detail) => {
        known.set(ref, detail);
        known.set(detail.ref, detail);
      },
      () => details.delete(ref),
    );
    details.set(ref, promise);
  }
  return promise;
}

const contours = new Map<string, Promise<GeoJSON.Feature>>();
const CONTOUR_CACHE = 24;

/** A contour simplified for a zoom level; the last few are kept. */
export function territoryContour(ref: string, zoom: number): Promise<GeoJSON.Feature> {
  const key = `${ref}@${zoom}`;
  let promise = contours.get(key);
  if (!promise) {
    promise = getTerritoryContour(ref, zoom);
    promise.catch(() => contours.delete(key));
    contours.set(key, promise);
    if (contours.size > CONTOUR_CACHE) contours.delete(contours.keys().next().value as string);
  }
  return promise;
}
