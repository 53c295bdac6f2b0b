// The filters around the results of the search page: the facet panel beside the list, and the
// toolbar above it — the active filters as removable tags, the link to the Tableau de bord of the
// same search (views/dashboard.ts), « Enregistrer la recherche », the sort.

import { activeFilters, type RemovableFilter } from '../../components/activeFilters';
import { facetPanel, type FacetName, type FacetPanel } from '../../components/facetPanel';
import { saveSearchButton } from '../../components/saveSearchDialog';
import { h } from '../../dom';
import { dashboardUrl, widgetUrl } from '../../router';
import { effectiveSort, emptyFilters, MAX_TERRITORIES, SORT_KEYS, SORT_LABELS, type SortKey } from '../../searchState';
import type { SearchPage } from '../../types';
import type { SearchContext } from './context';

export interface SearchFilters {
  facets: FacetPanel;
  /** Above the list: tags, Tableau de bord, save, sort. */
  toolbar: HTMLElement;
  /** The tags, the sort and the Tableau de bord link of the search of the address. */
  render(): void;
  /** The tags alone (the labels arrived, a point got its name). */
  renderTags(): void;
  /** The facets of an answer (null: the last ones again, undefined: none); true when the panel shows. */
  renderFacets(values: SearchPage['facets'] | null | undefined): boolean;
}

/** `fallback`: where the focus goes once the last tag is removed (the search box). */
export function searchFilters(ctx: SearchContext, fallback: () => HTMLElement | null): SearchFilters {
  const facets = facetPanel((name: FacetName, code: string, checked: boolean) => {
    ctx.change((next) => {
      if (name === 'region') {
        const ref = `region:${code}`;
        next.territories = next.territories.filter((r) => r !== ref);
        if (checked && next.territories.length < MAX_TERRITORIES) next.territories.push(ref);
        return;
      }
      next.filters[name] = next.filters[name].filter((c) => c !== code);
      if (checked) next.filters[name].push(code);
      // Unchecking a theme drops its sub-themes.
      if (name === 'theme' && !checked) {
        next.filters.subtheme = next.filters.subtheme.filter((sub) => {
          const parent = ctx.labels?.parentOf(sub) ?? null;
          return parent !== null ? next.filters.theme.includes(parent) : next.filters.theme.length > 0;
        });
      }
    });
  });

  const tags = activeFilters(
    (filter: RemovableFilter) =>
      ctx.change((next) => {
        if (filter.key === 'near') next.near = null;
        else if (filter.key === 'bbox') next.bbox = null;
        else if (filter.key === 'year') {
          next.yearMin = null;
          next.yearMax = null;
        } else next.filters[filter.key] = next.filters[filter.key].filter((c) => c !== filter.code);
      }),
    () =>
      ctx.change((next) => {
        next.filters = emptyFilters();
        next.territories = [];
        next.near = null;
        next.bbox = null;
        next.yearMin = null;
        next.yearMax = null;
      }),
    fallback,
  );

  const sortSelect = h('select', { id: 'sort', class: 'sort__select', name: 'sort' });
  sortSelect.addEventListener('change', () => {
    const value = sortSelect.value as SortKey;
    ctx.change((next) => (next.sort = (SORT_KEYS as readonly string[]).includes(value) ? value : null));
  });
  const sortBox = h('div', { class: 'sort' }, h('label', { for: 'sort', class: 'sort__label' }, 'Trier par'), sortSelect);

  // The charts of the same search (views/dashboard.ts).
  const dashboardLink = h('a', { class: 'dashboard-link', href: dashboardUrl(ctx.state) }, 'Tableau de bord');
  // The widget partner sites embed, for the same search (views/widget.ts).
  const widgetLink = h('a', { class: 'widget-link', id: 'embed-search-link', href: widgetUrl(ctx.state) }, 'Intégrer cette recherche');
  const toolbar = h(
    'div',
    { class: 'results-toolbar' },
    tags.element,
    h('div', { class: 'results-toolbar__end' }, dashboardLink, widgetLink, saveSearchButton(() => ctx.state), sortBox),
  );

  function renderSort(): void {
    const state = ctx.state;
    const current = effectiveSort(state);
    const keys = SORT_KEYS.filter((key) => (key !== 'relevance' || state.q || current === 'relevance') && (key !== 'distance' || state.near));
    sortSelect.replaceChildren(...keys.map((key) => h('option', { value: key }, SORT_LABELS[key])));
    sortSelect.value = current;
  }

  return {
    facets,
    toolbar,
    render(): void {
      dashboardLink.href = dashboardUrl(ctx.state);
      widgetLink.href = widgetUrl(ctx.state);
      tags.render(ctx.state, ctx.labels);
      renderSort();
    },
    renderTags(): void {
      tags.render(ctx.state, ctx.labels);
    },
    renderFacets(values: SearchPage['facets'] | null | undefined): boolean {
      facets.render(values, ctx.state, ctx.labels);
      return !facets.element.hidden;
    },
  };
}
