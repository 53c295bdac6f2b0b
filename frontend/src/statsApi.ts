// GET /api/v1/stats: counts of a search's matches by one or two dimensions (docs/api.md, "Stats").

import { getJson, searchParams } from './api';
import type { SearchState } from './searchState';

export const STATS_DIMENSIONS = [
  'theme',
  'subtheme',
  'actor_type',
  'public',
  'scale',
  'stage',
  'source',
  'start_year',
  'region',
  'departement',
] as const;
export type StatsDimension = (typeof STATS_DIMENSIONS)[number];

export interface StatsItem {
  code: string;
  label: string;
  count: number;
  /** Régions and départements only; null without a population. */
  population?: number | null;
  per_100k?: number | null;
}

export interface StatsOne {
  by: [StatsDimension];
  total: number;
  items: StatsItem[];
  located?: number;
}

export interface StatsCell {
  row: string;
  column: string;
  count: number;
}

export interface StatsTwo {
  by: [StatsDimension, StatsDimension];
  total: number;
  rows: StatsItem[];
  columns: StatsItem[];
  cells: StatsCell[];
}

function statsUrl(state: SearchState, by: string, coverage: boolean): string {
  const params = searchParams(state);
  // The sort does not change what is counted: left out, so that one search has one cached answer.
  params.delete('sort');
  if (!params.get('q')) params.delete('q');
  params.set('by', by);
  if (coverage) params.set('coverage', 'true');
  return '/api/v1/stats?' + params.toString();
}

export function getStats(state: SearchState, by: StatsDimension, signal?: AbortSignal, coverage = false): Promise<StatsOne> {
  return getJson<StatsOne>(statsUrl(state, by, coverage), signal);
}

export function getStatsTable(state: SearchState, rows: StatsDimension, columns: StatsDimension, signal?: AbortSignal): Promise<StatsTwo> {
  return getJson<StatsTwo>(statsUrl(state, `${rows},${columns}`, false), signal);
}
