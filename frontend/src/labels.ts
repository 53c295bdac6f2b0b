// French labels of the vocabulary codes, for filter tags and for values the facets do not list.

import { getSources, getVocabularies } from './api';
import type { FilterKey } from './searchState';
import type { Coded, Vocabularies } from './types';

export interface LabelIndex {
  label(key: FilterKey, code: string): string | null;
  /** The theme a sub-theme belongs to. */
  parentOf(subtheme: string): string | null;
  vocabularies: Vocabularies;
}

function mapOf(items: Coded[]): Map<string, string> {
  return new Map(items.map((item) => [item.code, item.label]));
}

/** sources: the names of the platforms by slug (none when they could not be had). */
export function labelIndex(vocabularies: Vocabularies, sources: Map<string, string> = new Map()): LabelIndex {
  const subthemes = new Map<string, string>();
  const parents = new Map<string, string>();
  for (const theme of vocabularies.themes) {
    for (const child of theme.children ?? []) {
      subthemes.set(child.code, child.label);
      parents.set(child.code, theme.code);
    }
  }
  const maps: Record<FilterKey, Map<string, string>> = {
    theme: mapOf(vocabularies.themes),
    subtheme: subthemes,
    actor_type: mapOf(vocabularies.actor_types),
    public: mapOf(vocabularies.publics),
    scale: mapOf(vocabularies.scales),
    stage: mapOf(vocabularies.stages),
    source: sources,
  };
  return {
    label: (key, code) => maps[key].get(code) ?? null,
    parentOf: (code) => parents.get(code) ?? null,
    vocabularies,
  };
}

let index: Promise<LabelIndex | null> | null = null;

/** The labels, or null when the vocabularies cannot be had (codes are shown then). */
export function loadLabels(): Promise<LabelIndex | null> {
  if (!index) {
    const sources = getSources().then(
      (list) => new Map((list.items ?? []).map((source) => [source.slug, source.name])),
      () => new Map<string, string>(),
    );
    index = Promise.all([getVocabularies(), sources]).then(
      ([vocabularies, names]) => labelIndex(vocabularies, names),
      () => {
        index = null;
        return null;
      },
    );
  }
  return index;
}
