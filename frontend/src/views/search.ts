// The home page: the search and its results, put together from views/search/ — the link to the
// address (context.ts), the box and what « Filtres » unfolds (searchBar.ts), the count and messages
// (summary.ts), the facets, tags, sort and Tableau de bord link (filters.ts), the list (results.ts)
// and the map (mapPanel.ts). This file asks the API for the results and hands the answer to each.

import { ApiError, isAbort, searchInitiatives } from '../api';
import { setDemoNotice } from '../components/demoNotice';
import { facetNames } from '../components/facetPanel';
import { resolveNearName } from '../components/nearSearch';
import { h, setTitle } from '../dom';
import { loadLabels } from '../labels';
import type { Route } from '../router';
import type { SearchState } from '../searchState';
import type { SearchExtent, SearchPage } from '../types';
import { SearchContext } from './search/context';
import { searchFilters } from './search/filters';
import { mapPanel } from './search/mapPanel';
import { resultsList } from './search/results';
import { searchBar } from './search/searchBar';
import { errorText, searchSummary, searchTitle } from './search/summary';
import type { View } from './view';

/**
 * The home page: search box with suggestions, guided path and advanced search; facets, active
 * filters, sort, result count, result cards with "Voir plus", and the results map.
 */
export function searchView(root: HTMLElement, route: Extract<Route, { name: 'search' }>): View {
  const ctx = new SearchContext(route.state);
  let controller: AbortController | null = null;
  let generation = 0;

  const summary = searchSummary(ctx, {
    onSkipToResults: () => {
      map.showList();
      (results.firstLink() ?? summary.count).focus();
    },
    onSkipToMap: () => map.showMap(),
  });
  const filters = searchFilters(ctx, () => bar.input);
  const bar = searchBar(ctx, {
    summary: summary.element,
    onFold: (open) => filters.facets.setOpen(open),
    onGuided: () => summary.count.focus(),
  });
  const results = resultsList({
    highlight: (item) => map.map.highlight(item),
    showOnMap: (item, origin) => map.map.showItem(item, origin),
    onMore: () => void loadMore(),
  });
  const map = mapPanel(ctx, {
    onSelect: (id) => results.select(id),
    onView: (showingMap) => layout.classList.toggle('search-layout--map', showingMap),
  });

  const layout = h(
    'div',
    { class: 'container search-layout search-layout--no-facets' },
    map.viewSwitch,
    filters.facets.element,
    h(
      'section',
      { class: 'search-layout__results', 'aria-labelledby': 'results-heading' },
      h('h2', { id: 'results-heading', class: 'visually-hidden', tabindex: '-1' }, 'Résultats'),
      filters.toolbar,
      results.body,
      results.list,
      results.more,
    ),
    map.element,
  );
  root.append(bar.element, layout);
  map.map.mount();

  /** The facets of an answer (null: the last ones again, undefined: none). */
  function renderFacets(values: SearchPage['facets'] | null | undefined): void {
    layout.classList.toggle('search-layout--no-facets', !filters.renderFacets(values));
  }

  void loadLabels().then((index) => {
    if (!index) return;
    ctx.labels = index;
    filters.renderTags();
    renderFacets(null);
  });

  function updateDemoNotice(): void {
    setDemoNotice(results.items.some((item) => item.demo));
  }

  /** The search the list shows: with the corrected words when the API corrected them. */
  function shownSearch(page: SearchPage): SearchState {
    const suggestion = typeof page.did_you_mean === 'string' ? page.did_you_mean.trim() : '';
    return page.corrected && suggestion ? ctx.withChange((next) => (next.q = suggestion)) : ctx.state;
  }

  function showPage(page: SearchPage): void {
    const items = Array.isArray(page.items) ? page.items : [];
    results.show(items, page.next_cursor, ctx.state);
    const extent: SearchExtent | null = page.extent && typeof page.extent === 'object' ? page.extent : null;
    map.map.setSearch(shownSearch(page), extent);
    map.map.setItems(items);
    // Without facets in the answer (an API that does not compute them) the panel hides.
    renderFacets(page.facets && typeof page.facets === 'object' ? page.facets : undefined);
    summary.show(page, items.length);
    updateDemoNotice();
  }

  function showError(err: unknown): void {
    // Nothing of the failed search stays: no results, no facets, no map points.
    map.map.clear();
    renderFacets(undefined);
    layout.classList.add('search-layout--failed');
    summary.showError(err, () => void run());
    updateDemoNotice();
  }

  async function run(): Promise<void> {
    const state = ctx.state;
    controller?.abort();
    controller = new AbortController();
    const mine = ++generation;
    bar.render();
    map.map.setTerritories(state.territories);
    map.map.highlight(null);
    setTitle(searchTitle(state));
    filters.render();
    bar.renderCompact();
    if (state.near) {
      const searched = state.near;
      // A shared link names its point by the commune holding it.
      void resolveNearName(searched).then((name) => {
        if (name && mine === generation) filters.renderTags();
      });
    }
    // The panel shows the new choices at once; the counts follow with the answer.
    renderFacets(null);
    filters.facets.setBusy(true);
    summary.reset();
    layout.classList.remove('search-layout--failed');
    // The last list stays, dimmed, while typing: the page does not jump at each key.
    results.loading(ctx.typing);
    results.setBusy(true);
    try {
      const signal = controller.signal;
      const page = await searchInitiatives(state, null, facetNames(state), signal).catch((err: unknown) => {
        // The results matter more than the counts: when computing the facets fails (a server error,
        // or an API refusing a facet name), the search is asked again without them.
        const facetFailure = err instanceof ApiError && (err.status === 500 || (err.status === 400 && err.field === 'facets'));
        if (!facetFailure || signal.aborted) throw err;
        return searchInitiatives(state, null, [], signal);
      });
      if (mine !== generation) return;
      showPage(page);
    } catch (err) {
      if (isAbort(err) || mine !== generation) return;
      results.clear();
      summary.hideNotice();
      showError(err);
    } finally {
      if (mine === generation) {
        results.setBusy(false);
        filters.facets.setBusy(false);
        ctx.typing = false;
      }
    }
  }

  async function loadMore(): Promise<void> {
    const cursor = results.cursor;
    if (!cursor) return;
    const mine = generation;
    const signal = controller?.signal;
    results.setMoreBusy(true);
    try {
      const page = await searchInitiatives(ctx.state, cursor, [], signal);
      if (mine !== generation) return;
      const items = Array.isArray(page.items) ? page.items : [];
      map.map.addItems(items);
      results.append(items, page.next_cursor);
      updateDemoNotice();
    } catch (err) {
      if (isAbort(err) || mine !== generation) return;
      results.moreFailed(errorText(err));
    } finally {
      if (mine === generation) results.setMoreBusy(false);
    }
  }

  void run();

  return {
    update(next: Route): boolean {
      if (next.name !== 'search') return false;
      ctx.state = next.state;
      void run();
      return true;
    },
    destroy(): void {
      generation++;
      bar.destroy();
      controller?.abort();
      map.map.destroy();
      setDemoNotice(false);
    },
  };
}
