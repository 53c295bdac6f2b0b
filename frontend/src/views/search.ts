import { ApiError, isAbort, searchInitiatives, UNAVAILABLE_MESSAGE } from '../api';
import { activeFilters, type RemovableFilter } from '../components/activeFilters';
import { advancedSearch } from '../components/advancedSearch';
import { setDemoNotice } from '../components/demoNotice';
import { facetNames, facetPanel, type FacetName } from '../components/facetPanel';
import { guidedSearch } from '../components/guidedSearch';
import { nearSearch, resolveNearName } from '../components/nearSearch';
import { yearFilter } from '../components/yearFilter';
import { resultCard, detailHref } from '../components/resultCard';
import { saveSearchButton } from '../components/saveSearchDialog';
import { ResultsMap } from '../components/resultsMap';
import { searchForm } from '../components/searchForm';
import { territoryPicker } from '../components/territoryPicker';
import { emptyState as emptyBlock, errorMessage, loadingIndicator } from '../components/status';
import { h, setTitle } from '../dom';
import { formatCount } from '../format';
import { loadLabels, type LabelIndex } from '../labels';
import { dashboardUrl, navigate, type Route } from '../router';
import {
  cloneState,
  effectiveSort,
  emptyFilters,
  emptyState,
  filterCount,
  hasAnyFilter,
  SORT_KEYS,
  SORT_LABELS,
  stateUrl,
  type SearchState,
  type SortKey,
} from '../searchState';
import { MAX_TERRITORIES } from '../territories';
import type { InitiativeItem, SearchPage } from '../types';
import type { View } from './view';

function errorText(err: unknown): string {
  return err instanceof ApiError ? err.message : UNAVAILABLE_MESSAGE;
}

/**
 * The home page: search box with suggestions, guided path and advanced search; facets, active
 * filters, sort, result count, result cards with "Voir plus", and the results map.
 */
export function searchView(root: HTMLElement, route: Extract<Route, { name: 'search' }>): View {
  let state = route.state;
  let controller: AbortController | null = null;
  let cursor: string | null = null;
  let generation = 0;
  let shown: InitiativeItem[] = [];
  let labels: LabelIndex | null = null;

  function go(next: SearchState): void {
    // Relevance means nothing without words; distance nothing without a point.
    if (next.sort === 'relevance' && !next.q) next.sort = null;
    if (next.sort === 'distance' && !next.near) next.sort = null;
    navigate(stateUrl(next));
  }

  function withChange(change: (next: SearchState) => void): SearchState {
    const next = cloneState(state);
    change(next);
    return next;
  }

  // Choosing or removing a territory sends the form as it is: the text typed so far goes with it.
  const picker = territoryPicker((refs) =>
    go(
      withChange((next) => {
        next.q = form.input.value.trim();
        next.territories = refs;
      }),
    ),
  );
  const form = searchForm(
    (value) => {
      // The same query again reruns it (navigate() does not stack an identical URL).
      go(withChange((next) => (next.q = value)));
    },
    picker.element,
    {
      onInitiative: (id) => navigate(detailHref(id)),
      onTerritory: (territory) => {
        form.setValue(state.q);
        if (state.territories.includes(territory.ref) || state.territories.length >= MAX_TERRITORIES) return;
        go(withChange((next) => next.territories.push(territory.ref)));
      },
      onTheme: (kind, code) => {
        form.setValue(state.q);
        if (state.filters[kind].includes(code)) return;
        go(withChange((next) => next.filters[kind].push(code)));
      },
    },
  );

  // --- Guided path and advanced search --------------------------------------------------------------

  const guideButton = h(
    'button',
    { type: 'button', class: 'button button--secondary hero__guide-button', 'aria-controls': 'guide', 'aria-expanded': 'false' },
    'Être guidé pas à pas',
  );
  const advanced = advancedSearch((query) => go({ ...emptyState(), q: query }));
  const near = nearSearch((value) =>
    go(
      withChange((next) => {
        next.q = form.input.value.trim();
        next.near = value;
        // Nearest first, unless words rank the results.
        if (value && !next.q && next.sort === null) next.sort = 'distance';
      }),
    ),
  );
  const years = yearFilter((min, max) =>
    go(
      withChange((next) => {
        next.q = form.input.value.trim();
        next.yearMin = min;
        next.yearMax = max;
      }),
    ),
  );
  const searchArea = h(
    'div',
    { class: 'hero__search' },
    form.element,
    h('div', { class: 'search-extra' }, near.element, years.element),
    h(
      'div',
      { class: 'hero__more' },
      h('p', { class: 'hero__guide' }, h('span', { class: 'hero__guide-text' }, 'Première visite ? '), guideButton),
      advanced,
    ),
  );

  function closeGuide(focusButton: boolean): void {
    guide.element.hidden = true;
    searchArea.hidden = false;
    guideButton.setAttribute('aria-expanded', 'false');
    if (focusButton) guideButton.focus();
  }

  const guide = guidedSearch(
    (choice) => {
      closeGuide(false);
      const next = emptyState();
      if (choice.theme) next.filters.theme = [choice.theme];
      if (choice.public) next.filters.public = [choice.public];
      next.territories = choice.territories;
      go(next);
      count.focus();
    },
    () => closeGuide(true),
  );

  guideButton.addEventListener('click', () => {
    searchArea.hidden = true;
    guide.element.hidden = false;
    guideButton.setAttribute('aria-expanded', 'true');
    guide.start();
  });

  // --- Results --------------------------------------------------------------------------------------

  const count = h('p', { class: 'result-count', id: 'result-count', role: 'status', 'aria-live': 'polite', tabindex: '-1' });
  // The charts of the same search (views/dashboard.ts).
  const dashboardLink = h('a', { class: 'dashboard-link', href: dashboardUrl(state) }, 'Tableau de bord');
  const notice = h('p', { class: 'search-notice', id: 'search-notice', hidden: true });
  const body = h('div', { class: 'results-body' });
  const list = h('ol', { class: 'results', id: 'results', 'aria-labelledby': 'result-count' });
  const moreError = h('div', { class: 'load-more__error' });
  const moreButton = h('button', { type: 'button', class: 'button button--secondary load-more__button' }, 'Voir plus');
  const more = h('div', { class: 'load-more', hidden: true }, moreButton, moreError);
  const resultsMap = new ResultsMap({
    onSearchArea: (bbox) => go(withChange((next) => (next.bbox = bbox))),
    onSelect: (id) => selectResult(id),
    onTerritory: (ref) => {
      if (state.territories.includes(ref)) return;
      go(
        withChange((next) => {
          next.territories = [...next.territories.slice(0, MAX_TERRITORIES - 1), ref];
        }),
      );
    },
  });

  /** A marker clicked: its result, when on this page, is marked and brought into view beside the map. */
  function selectResult(id: number): void {
    let target: HTMLElement | null = null;
    for (const li of Array.from(list.children) as HTMLElement[]) {
      const mine = li.dataset.id === String(id);
      li.classList.toggle('is-selected', mine);
      if (mine) target = li;
    }
    // Side by side only: on a phone the list is under the map and scrolling would hide the card.
    if (target && window.matchMedia('(min-width: 62em)').matches) target.scrollIntoView({ block: 'nearest', behavior: 'smooth' });
  }

  function itemOf(element: EventTarget | null): InitiativeItem | null {
    const li = element instanceof Element ? element.closest<HTMLElement>('li.result-card') : null;
    if (!li) return null;
    return shown.find((item) => String(item.id) === li.dataset.id) ?? null;
  }

  // Hovering or focusing a result rings it on the map; the focused one wins when the pointer leaves.
  let focusedItem: InitiativeItem | null = null;
  list.addEventListener('mouseover', (event) => resultsMap.highlight(itemOf(event.target) ?? focusedItem));
  list.addEventListener('mouseleave', () => resultsMap.highlight(focusedItem));
  list.addEventListener('focusin', (event) => {
    focusedItem = itemOf(event.target);
    resultsMap.highlight(focusedItem);
  });
  list.addEventListener('focusout', (event) => {
    if (list.contains(event.relatedTarget as Node | null)) return;
    focusedItem = null;
    resultsMap.highlight(null);
  });

  function card(item: InitiativeItem): HTMLLIElement {
    return resultCard(item, (origin) => resultsMap.showItem(item, origin));
  }

  const facets = facetPanel((name: FacetName, code: string, checked: boolean) => {
    go(
      withChange((next) => {
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
            const parent = labels?.parentOf(sub) ?? null;
            return parent !== null ? next.filters.theme.includes(parent) : next.filters.theme.length > 0;
          });
        }
      }),
    );
  });

  const tags = activeFilters(
    (filter: RemovableFilter) =>
      go(
        withChange((next) => {
          if (filter.key === 'near') next.near = null;
          else if (filter.key === 'bbox') next.bbox = null;
          else if (filter.key === 'year') {
            next.yearMin = null;
            next.yearMax = null;
          }
          else next.filters[filter.key] = next.filters[filter.key].filter((c) => c !== filter.code);
        }),
      ),
    () =>
      go(
        withChange((next) => {
          next.filters = emptyFilters();
          next.territories = [];
          next.near = null;
          next.bbox = null;
          next.yearMin = null;
          next.yearMax = null;
        }),
      ),
    () => form.input,
  );

  const sortSelect = h('select', { id: 'sort', class: 'sort__select', name: 'sort' });
  sortSelect.addEventListener('change', () => {
    const value = sortSelect.value as SortKey;
    go(withChange((next) => (next.sort = (SORT_KEYS as readonly string[]).includes(value) ? value : null)));
  });
  const sortBox = h('div', { class: 'sort' }, h('label', { for: 'sort', class: 'sort__label' }, 'Trier par'), sortSelect);

  const layout = h(
    'div',
    { class: 'container search-layout search-layout--no-facets' },
    h('h2', { id: 'results-heading', class: 'visually-hidden' }, 'Résultats'),
    count,
    facets.element,
    h(
      'section',
      { class: 'search-layout__results', 'aria-labelledby': 'results-heading' },
      h('div', { class: 'results-toolbar' }, tags.element, h('div', { class: 'results-toolbar__end' }, dashboardLink, saveSearchButton(() => state), sortBox)),
      notice,
      body,
      list,
      more,
    ),
    h(
      'section',
      { class: 'search-layout__map', 'aria-labelledby': 'map-heading' },
      h('h2', { id: 'map-heading', class: 'visually-hidden' }, 'Carte des résultats'),
      resultsMap.element,
    ),
  );

  /** The facets of an answer (null: the last ones again, undefined: none). */
  function renderFacets(values: SearchPage['facets'] | null): void {
    facets.render(values, state, labels);
    layout.classList.toggle('search-layout--no-facets', facets.element.hidden);
  }

  root.append(
    h(
      'section',
      { class: 'hero' },
      h(
        'div',
        { class: 'container' },
        h('h1', { class: 'hero__title' }, 'Trouver une innovation sociale'),
        h(
          'p',
          { class: 'hero__lead' },
          'Emploi, santé, logement, environnement, lien social : des initiatives portées par des associations, des collectivités, des entreprises et des habitants, partout en France.',
        ),
        searchArea,
        guide.element,
      ),
    ),
    layout,
  );
  resultsMap.mount();

  void loadLabels().then((index) => {
    if (!index) return;
    labels = index;
    tags.render(state, labels);
    renderFacets(null);
  });

  function renderSort(): void {
    const current = effectiveSort(state);
    const keys = SORT_KEYS.filter(
      (key) => (key !== 'relevance' || state.q || current === 'relevance') && (key !== 'distance' || state.near),
    );
    sortSelect.replaceChildren(...keys.map((key) => h('option', { value: key }, SORT_LABELS[key])));
    sortSelect.value = current;
  }

  function updateDemoNotice(): void {
    setDemoNotice(shown.some((item) => item.demo));
  }

  /** « Résultats pour « emploi » (aucun résultat pour « emplio ») », or a suggestion to follow. */
  function renderNotice(page: SearchPage): void {
    const suggestion = typeof page.did_you_mean === 'string' ? page.did_you_mean.trim() : '';
    if (!suggestion || suggestion === state.q) {
      notice.hidden = true;
      notice.replaceChildren();
      return;
    }
    if (page.corrected) {
      notice.replaceChildren(
        'Résultats pour « ',
        h('strong', { class: 'search-notice__corrected' }, suggestion),
        ' » (aucun résultat pour « ',
        h('span', { class: 'search-notice__original' }, state.q),
        ' »)',
      );
    } else {
      notice.replaceChildren(
        'Vouliez-vous dire « ',
        h('a', { href: stateUrl(withChange((next) => (next.q = suggestion))), class: 'search-notice__link' }, suggestion),
        ' » ?',
      );
    }
    notice.hidden = false;
  }

  function showPage(page: SearchPage): void {
    const items = Array.isArray(page.items) ? page.items : [];
    shown = items.slice();
    cursor = page.next_cursor;
    body.replaceChildren();
    list.replaceChildren(...items.map(card));
    resultsMap.setItems(items);
    // Without facets in the answer (an API that does not compute them) the panel hides.
    renderFacets(page.facets && typeof page.facets === 'object' ? page.facets : undefined);
    renderNotice(page);
    const where = territorySuffix();
    const filtered = hasAnyFilter(state);
    const shownQ = page.corrected && page.did_you_mean ? page.did_you_mean : state.q;
    if (items.length === 0) {
      count.textContent = state.q
        ? `Aucune initiative ne correspond à « ${state.q} »${where}`
        : filtered
          ? `Aucune initiative${where}`
          : 'Aucune initiative publiée pour le moment.';
      count.classList.add('result-count--empty');
      if (state.q || filtered) {
        const hints = state.q ? ["Vérifiez l'orthographe des mots.", 'Essayez des mots plus généraux ou moins nombreux.'] : [];
        if (filterCount(state) > 0) hints.push('Retirez un filtre (thème, public…) pour élargir la recherche.');
        hints.push(
          state.territories.length > 0
            ? 'Retirez un territoire ou choisissez-en un plus large (le département, la région).'
            : 'Cherchez un lieu : une commune, un département.',
        );
        body.append(emptyBlock('Aucun résultat pour cette recherche', hints, { href: '/', text: 'Voir toutes les initiatives' }));
      }
    } else {
      count.classList.remove('result-count--empty');
      const total = formatCount(page.total, page.total_exact, page.total_is_estimate === true);
      count.textContent = (shownQ ? `${total} pour « ${shownQ} »` : total) + where;
    }
    more.hidden = cursor === null;
    updateDemoNotice();
  }

  /** " sur le territoire choisi": the chips, just above, name them. */
  function territorySuffix(): string {
    const n = state.territories.length;
    if (n === 0) return '';
    return n === 1 ? ' sur le territoire choisi' : ` sur les ${n} territoires choisis`;
  }

  function searchTitle(): string | null {
    if (state.q) return `Recherche « ${state.q} »`;
    return hasAnyFilter(state) ? 'Recherche filtrée' : null;
  }

  async function run(): Promise<void> {
    controller?.abort();
    controller = new AbortController();
    const mine = ++generation;
    form.setValue(state.q);
    picker.setSelected(state.territories);
    resultsMap.setTerritories(state.territories);
    resultsMap.setSearch(state);
    resultsMap.highlight(null);
    near.render(state);
    years.render(state);
    setTitle(searchTitle());
    tags.render(state, labels);
    if (state.near) {
      const searched = state.near;
      // A shared link names its point by the commune holding it.
      void resolveNearName(searched).then((name) => {
        if (name && mine === generation) tags.render(state, labels);
      });
    }
    renderSort();
    // The panel shows the new choices at once; the counts follow with the answer.
    renderFacets(null);
    facets.setBusy(true);
    shown = [];
    cursor = null;
    count.textContent = '';
    count.classList.remove('result-count--empty');
    notice.hidden = true;
    list.replaceChildren();
    more.hidden = true;
    moreError.replaceChildren();
    body.replaceChildren(loadingIndicator('Recherche des initiatives…'));
    list.setAttribute('aria-busy', 'true');
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
      resultsMap.setItems([]);
      // A client error (an unknown territory or code) would fail again: no "Réessayer" then.
      const retryable = !(err instanceof ApiError && err.status >= 400 && err.status < 500);
      body.replaceChildren(errorMessage(errorText(err), retryable ? () => void run() : undefined));
      updateDemoNotice();
    } finally {
      if (mine === generation) {
        list.removeAttribute('aria-busy');
        facets.setBusy(false);
      }
    }
  }

  async function loadMore(): Promise<void> {
    if (!cursor || moreButton.disabled) return;
    const mine = generation;
    const signal = controller?.signal;
    moreButton.disabled = true;
    moreButton.textContent = 'Chargement…';
    moreError.replaceChildren();
    try {
      const page = await searchInitiatives(state, cursor, [], signal);
      if (mine !== generation) return;
      const items = Array.isArray(page.items) ? page.items : [];
      const firstNew = list.children.length;
      shown.push(...items);
      list.append(...items.map(card));
      resultsMap.addItems(items);
      cursor = page.next_cursor;
      more.hidden = cursor === null;
      updateDemoNotice();
      // Keyboard users carry on from the first new result instead of going back to the top.
      const link = list.children[firstNew]?.querySelector<HTMLAnchorElement>('a');
      link?.focus();
    } catch (err) {
      if (isAbort(err) || mine !== generation) return;
      moreError.replaceChildren(errorMessage(errorText(err)));
    } finally {
      if (mine === generation) {
        moreButton.disabled = false;
        moreButton.textContent = 'Voir plus';
      }
    }
  }

  moreButton.addEventListener('click', () => void loadMore());
  void run();

  return {
    update(next: Route): boolean {
      if (next.name !== 'search') return false;
      state = next.state;
      dashboardLink.href = dashboardUrl(state);
      void run();
      return true;
    },
    destroy(): void {
      generation++;
      controller?.abort();
      resultsMap.destroy();
      setDemoNotice(false);
    },
  };
}
