import { h } from '../dom';
import type { LabelIndex } from '../labels';
import { nearLabel } from './nearSearch';
import { FILTER_KEYS, FILTER_LABELS, type FilterKey, type SearchState } from '../searchState';

export type RemovableFilter =
  | { key: FilterKey; code: string }
  | { key: 'near'; code: string }
  | { key: 'bbox'; code: string }
  | { key: 'year'; code: string };

export interface ActiveFilters {
  element: HTMLElement;
  render(state: SearchState, labels: LabelIndex | null): void;
}

/** "Lancée entre 2015 et 2020", "Lancée en 2018", "Lancée depuis 2015", "Lancée jusqu'en 2020". */
function yearLabel(min: number | null, max: number | null): string {
  if (min !== null && max !== null) return min === max ? `Lancée en ${min}` : `Lancée entre ${min} et ${max}`;
  return min !== null ? `Lancée depuis ${min}` : `Lancée jusqu'en ${max}`;
}

/**
 * The chosen filters as removable tags above the results ("Thème : Environnement ✕", a button
 * named "Retirer le filtre Thème : Environnement"), and "Tout effacer". Territories keep their
 * chips under the territory field. After a removal the focus goes to the tag now in that place,
 * else to "Tout effacer", else to fallback.
 */
export function activeFilters(
  onRemove: (filter: RemovableFilter) => void,
  onClear: () => void,
  fallback: () => HTMLElement | null,
): ActiveFilters {
  const list = h('ul', { class: 'active-filters__list', 'aria-label': 'Filtres actifs' });
  const clear = h(
    'button',
    { type: 'button', class: 'button button--small button--tertiary active-filters__clear', title: 'Retirer tous les filtres et territoires' },
    'Tout effacer',
  );
  const element = h('div', { class: 'active-filters', hidden: true }, list, clear);

  function focusAt(index: number): void {
    const buttons = list.querySelectorAll<HTMLButtonElement>('.filter-tag');
    const target = buttons[Math.min(index, buttons.length - 1)] ?? (element.hidden ? null : clear);
    (target ?? fallback())?.focus();
  }

  function tag(text: string, filter: RemovableFilter, index: number): HTMLLIElement {
    const button = h(
      'button',
      { type: 'button', class: 'filter-tag', 'aria-label': `Retirer le filtre ${text}`, 'data-filter': filter.key, 'data-code': filter.code },
      h('span', { class: 'filter-tag__text' }, text),
      h('span', { class: 'filter-tag__icon', 'aria-hidden': 'true' }, '✕'),
    );
    button.addEventListener('click', () => {
      onRemove(filter);
      focusAt(index);
    });
    return h('li', { class: 'active-filters__item' }, button);
  }

  clear.addEventListener('click', () => {
    onClear();
    fallback()?.focus();
  });

  return {
    element,
    render(state: SearchState, labels: LabelIndex | null): void {
      const focused = Array.from(list.querySelectorAll('.filter-tag')).indexOf(document.activeElement as Element);
      const items: HTMLLIElement[] = [];
      for (const key of FILTER_KEYS) {
        for (const code of state.filters[key]) {
          const label = labels?.label(key, code) ?? code;
          items.push(tag(`${FILTER_LABELS[key]} : ${label}`, { key, code }, items.length));
        }
      }
      if (state.yearMin !== null || state.yearMax !== null) {
        const code = `${state.yearMin ?? ''}-${state.yearMax ?? ''}`;
        items.push(tag(yearLabel(state.yearMin, state.yearMax), { key: 'year', code }, items.length));
      }
      if (state.near) items.push(tag(nearLabel(state.near), { key: 'near', code: state.near }, items.length));
      if (state.bbox) items.push(tag('Zone de la carte', { key: 'bbox', code: state.bbox }, items.length));
      list.replaceChildren(...items);
      element.hidden = items.length === 0;
      if (focused >= 0) focusAt(focused);
    },
  };
}
