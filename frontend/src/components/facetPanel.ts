import { h } from '../dom';
import { formatNumber } from '../format';
import type { LabelIndex } from '../labels';
import { FILTER_LABELS, type FilterKey, type SearchState } from '../searchState';
import type { FacetValue, SearchPage } from '../types';

/** The facets of the panel, in their order; `region` filters through `territory=region:XX`. */
export type FacetName = FilterKey | 'region';

const ORDER: FacetName[] = ['theme', 'subtheme', 'actor_type', 'public', 'scale', 'stage', 'region', 'source'];
const LEGENDS: Record<FacetName, string> = { ...FILTER_LABELS, region: 'Région' };
/** Values shown before "Voir plus". */
const VISIBLE = 8;

/** The facets to ask the API for: sub-themes only once a theme is chosen. */
export function facetNames(state: SearchState): FacetName[] {
  // No région facet: the territory field of the search bar is the one place to choose a territory.
  const names: FacetName[] = ['theme', 'actor_type', 'public', 'scale', 'stage', 'source'];
  if (state.filters.theme.length > 0) names.splice(1, 0, 'subtheme');
  return names;
}

/** The codes chosen for a facet. */
export function selectedCodes(state: SearchState, name: FacetName): string[] {
  if (name !== 'region') return state.filters[name];
  return state.territories.filter((ref) => ref.startsWith('region:')).map((ref) => ref.slice('region:'.length));
}

export interface FacetPanel {
  element: HTMLElement;
  /** Draws the facets of an answer for a state (null: the last ones again; undefined: none, the panel hides). */
  render(facets: SearchPage['facets'] | null, state: SearchState, labels: LabelIndex | null): void;
  setBusy(busy: boolean): void;
  /** Unfolds or folds the panel on phones (« Filtres » of the search bar). */
  setOpen(open: boolean): void;
}

interface Row {
  code: string;
  label: string;
  count: number | null;
  checked: boolean;
}

function domId(text: string): string {
  return text.replace(/[^A-Za-z0-9_-]/g, '_');
}

/**
 * The facet panel: one fieldset of checkboxes per facet ("Environnement (7)"), the chosen values
 * always listed, at most 8 values before "Voir plus". On phones it folds under a "Filtres" button.
 * onToggle receives the facet, the code and whether it is now checked; the caller changes the URL.
 */
export function facetPanel(onToggle: (name: FacetName, code: string, checked: boolean) => void): FacetPanel {
  const body = h('div', { class: 'facets__body is-collapsed', id: 'facets-body' });
  const toggle = h(
    'button',
    { type: 'button', class: 'button button--secondary facets__toggle', 'aria-expanded': 'false', 'aria-controls': 'facets-body' },
    'Afficher les filtres',
  );
  const element = h(
    'section',
    { class: 'facets', id: 'facets', 'aria-labelledby': 'facets-heading', hidden: true },
    h('h2', { id: 'facets-heading', class: 'facets__heading' }, 'Affiner la recherche'),
    toggle,
    body,
  );
  const expanded = new Set<FacetName>();
  let last: SearchPage['facets'] = undefined;
  let chosen = 0;

  function updateToggle(): void {
    const collapsed = body.classList.contains('is-collapsed');
    toggle.setAttribute('aria-expanded', String(!collapsed));
    toggle.textContent =
      (collapsed ? 'Afficher les filtres' : 'Masquer les filtres') +
      (chosen === 0 ? '' : chosen === 1 ? ' (1 choisi)' : ` (${chosen} choisis)`);
  }

  toggle.addEventListener('click', () => {
    body.classList.toggle('is-collapsed');
    updateToggle();
  });

  function rowsFor(name: FacetName, values: FacetValue[] | undefined, state: SearchState, labels: LabelIndex | null): Row[] {
    const chosen = selectedCodes(state, name);
    let list = Array.isArray(values) ? values.filter((v) => v && typeof v.code === 'string') : [];
    // Sub-themes of the chosen themes only, when the vocabulary tells which is which.
    if (name === 'subtheme' && labels) {
      list = list.filter((v) => {
        const parent = labels.parentOf(v.code);
        return parent === null || state.filters.theme.includes(parent) || chosen.includes(v.code);
      });
    }
    const rows: Row[] = list.map((v) => ({
      code: v.code,
      label: v.label || (name !== 'region' ? labels?.label(name, v.code) : null) || v.code,
      count: typeof v.count === 'number' ? v.count : null,
      checked: chosen.includes(v.code),
    }));
    // A chosen value the answer does not list (no result with it) stays, so it can be unchecked.
    for (const code of chosen) {
      if (rows.some((row) => row.code === code)) continue;
      rows.push({ code, label: (name !== 'region' ? labels?.label(name, code) : null) ?? code, count: null, checked: true });
    }
    return rows;
  }

  function valueItem(name: FacetName, row: Row): HTMLLIElement {
    const id = `facet-${name}-${domId(row.code)}`;
    const input = h('input', { type: 'checkbox', id, class: 'facet__checkbox', value: row.code, 'data-code': row.code });
    input.checked = row.checked;
    input.addEventListener('change', () => onToggle(name, row.code, input.checked));
    return h(
      'li',
      { class: 'facet__value', 'data-code': row.code },
      input,
      h(
        'label',
        { for: id, class: 'facet__label' },
        h('span', { class: 'facet__name' }, row.label),
        ' ',
        h('span', { class: 'facet__count' }, row.count === null ? '' : `(${formatNumber(row.count)})`),
      ),
    );
  }

  /** Updates a list in place when it holds the same values in the same order (the focus stays put). */
  function updateInPlace(list: HTMLElement, rows: Row[]): boolean {
    const items = Array.from(list.children) as HTMLElement[];
    if (items.length !== rows.length || items.some((item, i) => item.dataset.code !== rows[i]!.code)) return false;
    items.forEach((item, i) => {
      const row = rows[i]!;
      const input = item.querySelector('input')!;
      input.checked = row.checked;
      item.querySelector('.facet__name')!.textContent = row.label;
      item.querySelector('.facet__count')!.textContent = row.count === null ? '' : `(${formatNumber(row.count)})`;
    });
    return true;
  }

  function applyVisibility(name: FacetName, list: HTMLElement, more: HTMLButtonElement): void {
    const items = Array.from(list.children) as HTMLElement[];
    const open = expanded.has(name);
    let hiddenCount = 0;
    items.forEach((item, i) => {
      const checked = item.querySelector('input')?.checked ?? false;
      const hide = !open && i >= VISIBLE && !checked;
      item.hidden = hide;
      if (i >= VISIBLE && !checked) hiddenCount++;
    });
    more.hidden = hiddenCount === 0;
    more.setAttribute('aria-expanded', String(open));
    more.textContent = open ? 'Voir moins' : `Voir plus (${hiddenCount})`;
  }

  function facetFieldset(name: FacetName): HTMLFieldSetElement {
    const list = h('ul', { class: 'facet__list', id: `facet-${name}-list` });
    const more = h('button', {
      type: 'button',
      class: 'button button--small button--tertiary facet__more',
      id: `facet-${name}-more`,
      'aria-controls': `facet-${name}-list`,
      'aria-expanded': 'false',
    });
    more.addEventListener('click', () => {
      if (expanded.has(name)) expanded.delete(name);
      else expanded.add(name);
      applyVisibility(name, list, more);
    });
    return h(
      'fieldset',
      { class: 'facet', 'data-facet': name },
      h('legend', { class: 'facet__legend' }, LEGENDS[name]),
      list,
      more,
    );
  }

  function render(facets: SearchPage['facets'] | null, state: SearchState, labels: LabelIndex | null): void {
    if (facets !== null) last = facets;
    const source = last;
    if (!source || typeof source !== 'object') {
      element.hidden = true;
      return;
    }
    const focusedId = element.contains(document.activeElement) ? (document.activeElement as HTMLElement).id : '';
    let shown = 0;
    for (const name of ORDER) {
      let fieldset = body.querySelector<HTMLFieldSetElement>(`fieldset[data-facet="${name}"]`);
      const asked = facetNames(state).includes(name);
      const rows = asked || (name !== 'region' && selectedCodes(state, name).length > 0) ? rowsFor(name, source[name], state, labels) : [];
      if (rows.length === 0) {
        fieldset?.remove();
        continue;
      }
      if (!fieldset) {
        fieldset = facetFieldset(name);
        // Keep the panel in ORDER whatever came first.
        const next = ORDER.slice(ORDER.indexOf(name) + 1)
          .map((n) => body.querySelector(`fieldset[data-facet="${n}"]`))
          .find((el) => el !== null);
        body.insertBefore(fieldset, next ?? null);
      }
      const list = fieldset.querySelector<HTMLElement>('.facet__list')!;
      if (!updateInPlace(list, rows)) list.replaceChildren(...rows.map((row) => valueItem(name, row)));
      applyVisibility(name, list, fieldset.querySelector<HTMLButtonElement>('.facet__more')!);
      shown++;
    }
    element.hidden = shown === 0;
    chosen = ORDER.reduce((n, name) => n + selectedCodes(state, name).length, 0);
    updateToggle();
    if (focusedId && !element.contains(document.activeElement)) document.getElementById(focusedId)?.focus();
  }

  return {
    element,
    render,
    setOpen(open: boolean) {
      body.classList.toggle('is-collapsed', !open);
      updateToggle();
    },
    setBusy(busy: boolean) {
      if (busy) body.setAttribute('aria-busy', 'true');
      else body.removeAttribute('aria-busy');
    },
  };
}
