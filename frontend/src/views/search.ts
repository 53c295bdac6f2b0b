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
  MAX_TERRITORIES,
  SORT_KEYS,
  SORT_LABELS,
  stateUrl,
  type SearchState,
  type SortKey,
} from '../searchState';
import type { InitiativeItem, SearchExtent, SearchPage } from '../types';
import type { View } from './view';

/** Pause in typing after which the results follow the words. */
const TYPE_DELAY_MS = 300;

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
  let typeTimer = 0;
  /** The words of the last search not made by typing: what the box goes back to after a suggestion. */
  let settledQ = state.q;

  /** Set by a search typed (instant results): its errors do not take the focus from the box. */
  let typing = false;

  function go(next: SearchState, replace = false): void {
    // Relevance means nothing without words; distance nothing without a point.
    if (next.sort === 'relevance' && !next.q) next.sort = null;
    if (next.sort === 'distance' && !next.near) next.sort = null;
    typing = replace;
    navigate(stateUrl(next), { replace });
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
  // In the compact bar the field's label is read out but not shown: the placeholder says what it takes.
  picker.element.querySelector('input')?.setAttribute('placeholder', 'Territoire : commune, département…');
  const filtersButton = h(
    'button',
    { type: 'button', class: 'button button--secondary search-box__filters', id: 'filters-button', 'aria-expanded': 'false', 'aria-controls': 'search-more facets-body' },
    'Filtres',
    h('span', { class: 'search-box__filters-count', id: 'filters-count' }),
  );
  const form = searchForm(
    (value) => {
      window.clearTimeout(typeTimer);
      // The same query again reruns it (navigate() does not stack an identical URL).
      go(withChange((next) => (next.q = value)));
    },
    h('div', { class: 'search-box__extra' }, picker.element, filtersButton),
    {
      onInitiative: (id) => navigate(detailHref(id)),
      // The letters typed to find a suggestion were not words to search: the words from before them
      // come back (instant results may have searched the letters meanwhile).
      onTerritory: (territory) => {
        window.clearTimeout(typeTimer);
        form.setValue(settledQ);
        if (state.territories.includes(territory.ref) || state.territories.length >= MAX_TERRITORIES) {
          if (state.q !== settledQ) go(withChange((next) => (next.q = settledQ)), true);
          return;
        }
        go(
          withChange((next) => {
            next.q = settledQ;
            next.territories.push(territory.ref);
          }),
        );
      },
      onTheme: (kind, code) => {
        window.clearTimeout(typeTimer);
        form.setValue(settledQ);
        if (state.filters[kind].includes(code)) {
          if (state.q !== settledQ) go(withChange((next) => (next.q = settledQ)), true);
          return;
        }
        go(
          withChange((next) => {
            next.q = settledQ;
            next.filters[kind].push(code);
          }),
        );
      },
    },
  );

  // --- Guided path and advanced search --------------------------------------------------------------

  const guideButton = h(
    'button',
    { type: 'button', class: 'button button--secondary hero__guide-button', 'aria-controls': 'guide', 'aria-expanded': 'false' },
    'Être guidé pas à pas',
  );
  // The query replaces the words and codes; the territories, years and point chosen on the page stay.
  const advanced = advancedSearch((query) =>
    go(
      withChange((next) => {
        next.q = query;
        next.filters = emptyFilters();
      }),
    ),
  );
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
  const moreArea = h(
    'div',
    { class: 'search-more', id: 'search-more' },
    h('div', { class: 'search-extra' }, near.element, years.element),
    h(
      'div',
      { class: 'hero__more' },
      h('p', { class: 'hero__guide' }, h('span', { class: 'hero__guide-text' }, 'Première visite ? '), guideButton),
      advanced,
    ),
  );
  filtersButton.addEventListener('click', () => {
    const open = filtersButton.getAttribute('aria-expanded') !== 'true';
    setMoreOpen(open);
    if (open) moreArea.querySelector<HTMLElement>('summary, button, input')?.focus();
  });

  function setMoreOpen(open: boolean): void {
    filtersButton.setAttribute('aria-expanded', String(open));
    moreArea.hidden = !open;
    // On phones the facets fold under the same button.
    facets.setOpen(open);
  }

  // --- Count, corrections and errors, next to the box ------------------------------------------------

  const count = h('p', { class: 'result-count', id: 'result-count', role: 'status', 'aria-live': 'polite', tabindex: '-1' });
  const notice = h('p', { class: 'search-notice', id: 'search-notice', hidden: true });
  const searchError = h('div', { class: 'search-error', id: 'search-error', role: 'alert', tabindex: '-1', hidden: true });
  const skipLink = h('a', { class: 'search-summary__skip', href: '#results-heading', id: 'skip-results' }, 'Aller aux résultats');
  skipLink.addEventListener('click', (event) => {
    event.preventDefault();
    if (showingMap) setView('list');
    const first = list.querySelector<HTMLAnchorElement>('a');
    (first ?? count).focus();
  });
  const mapLink = h('a', { class: 'search-summary__skip', href: '#map-heading', id: 'skip-map' }, 'Aller à la carte');
  mapLink.addEventListener('click', (event) => {
    event.preventDefault();
    setView('map');
    resultsMap.element.querySelector<HTMLInputElement>('input[name="map-mode"]:checked')?.focus();
  });
  const summary = h(
    'div',
    { class: 'search-summary', id: 'search-summary' },
    h(
      'div',
      { class: 'search-summary__line' },
      count,
      // Links about the results (the skip links; other pages' links go here too).
      h('span', { class: 'search-summary__links' }, skipLink, mapLink),
    ),
    notice,
    searchError,
  );

  const searchArea = h('div', { class: 'hero__search' }, form.element, summary, moreArea);

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

  // The charts of the same search (views/dashboard.ts).
  const dashboardLink = h('a', { class: 'dashboard-link', href: dashboardUrl(state) }, 'Tableau de bord');
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

  // Phones: the list or the map, one at a time.
  let showingMap = false;
  const listTab = h('button', { type: 'button', class: 'view-switch__button', 'aria-pressed': 'true', id: 'view-list' }, 'Liste');
  const mapTab = h('button', { type: 'button', class: 'view-switch__button', 'aria-pressed': 'false', id: 'view-map' }, 'Carte');
  const viewSwitch = h('div', { class: 'view-switch', role: 'group', 'aria-label': 'Affichage des résultats' }, listTab, mapTab);
  function setView(view: 'list' | 'map'): void {
    showingMap = view === 'map';
    listTab.setAttribute('aria-pressed', String(!showingMap));
    mapTab.setAttribute('aria-pressed', String(showingMap));
    layout.classList.toggle('search-layout--map', showingMap);
  }
  listTab.addEventListener('click', () => setView('list'));
  mapTab.addEventListener('click', () => setView('map'));

  const layout = h(
    'div',
    { class: 'container search-layout search-layout--no-facets' },
    viewSwitch,
    facets.element,
    h(
      'section',
      { class: 'search-layout__results', 'aria-labelledby': 'results-heading' },
      h('h2', { id: 'results-heading', class: 'visually-hidden', tabindex: '-1' }, 'Résultats'),
      h('div', { class: 'results-toolbar' }, tags.element, h('div', { class: 'results-toolbar__end' }, dashboardLink, saveSearchButton(() => state), sortBox)),
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

  const title = h('h1', { class: 'hero__title' }, 'Trouver une innovation sociale');
  const lead = h(
    'p',
    { class: 'hero__lead' },
    'Emploi, santé, logement, environnement, lien social : des initiatives portées par des associations, des collectivités, des entreprises et des habitants, partout en France.',
  );
  const hero = h('section', { class: 'hero' }, h('div', { class: 'container' }, title, lead, searchArea, guide.element));
  root.append(hero, layout);
  resultsMap.mount();

  /** Once a search is made the form folds into one bar: words, territory, « Filtres ». */
  function renderCompact(): void {
    const searched = !!state.q || hasAnyFilter(state);
    const wasCompact = hero.classList.contains('hero--compact');
    hero.classList.toggle('hero--compact', searched);
    // Folded once a search is made, unless it was made from the fold-out itself (a radius, years).
    if (searched && !wasCompact) setMoreOpen(moreArea.contains(document.activeElement));
    if (!searched) {
      moreArea.hidden = false;
      facets.setOpen(false);
    }
    const n = filterCount(state) + (state.near ? 1 : 0) + (state.yearMin !== null || state.yearMax !== null ? 1 : 0);
    const badge = filtersButton.querySelector('.search-box__filters-count')!;
    badge.textContent = n > 0 ? ` (${n})` : '';
  }

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

  /** The search the list shows: with the corrected words when the API corrected them. */
  function shownSearch(page: SearchPage): SearchState {
    const suggestion = typeof page.did_you_mean === 'string' ? page.did_you_mean.trim() : '';
    return page.corrected && suggestion ? withChange((next) => (next.q = suggestion)) : state;
  }

  function showPage(page: SearchPage): void {
    const items = Array.isArray(page.items) ? page.items : [];
    shown = items.slice();
    cursor = page.next_cursor;
    body.replaceChildren();
    list.replaceChildren(...items.map(card));
    const extent: SearchExtent | null = page.extent && typeof page.extent === 'object' ? page.extent : null;
    resultsMap.setSearch(shownSearch(page), extent);
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

  function showError(err: unknown): void {
    // Nothing of the failed search stays: no results, no facets, no map points.
    resultsMap.clear();
    renderFacets(undefined);
    count.textContent = '';
    const retryable = !(err instanceof ApiError && err.status >= 400 && err.status < 500);
    searchError.replaceChildren(
      h('p', { class: 'search-error__text' }, 'La recherche n’a pas abouti : ', errorText(err)),
      ...(retryable
        ? [
            (() => {
              const retry = h('button', { type: 'button', class: 'button button--small button--secondary' }, 'Réessayer');
              retry.addEventListener('click', () => void run());
              return retry;
            })(),
          ]
        : []),
    );
    searchError.hidden = false;
    layout.classList.add('search-layout--failed');
    // Typing: the box keeps the focus (the alert is read out); otherwise the message takes it.
    if (!typing) searchError.focus();
    updateDemoNotice();
  }

  async function run(): Promise<void> {
    controller?.abort();
    controller = new AbortController();
    const mine = ++generation;
    // The words being typed stay as they are: the box is only set from the address otherwise.
    if (document.activeElement !== form.input) form.setValue(state.q);
    if (!typing) settledQ = state.q;
    picker.setSelected(state.territories);
    resultsMap.setTerritories(state.territories);
    resultsMap.highlight(null);
    near.render(state);
    years.render(state);
    setTitle(searchTitle());
    tags.render(state, labels);
    renderCompact();
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
    searchError.hidden = true;
    searchError.replaceChildren();
    layout.classList.remove('search-layout--failed');
    // The last list stays, dimmed, while typing: the page does not jump at each key.
    if (!typing) {
      notice.hidden = true;
      list.replaceChildren();
      body.replaceChildren(loadingIndicator('Recherche des initiatives…'));
    }
    more.hidden = true;
    moreError.replaceChildren();
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
      shown = [];
      list.replaceChildren();
      body.replaceChildren();
      notice.hidden = true;
      showError(err);
    } finally {
      if (mine === generation) {
        list.removeAttribute('aria-busy');
        facets.setBusy(false);
        typing = false;
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

  // Instant results: the list, counts and map follow the words as they are typed; the address is
  // kept in step without a history entry per key. Enter still sends the form at once.
  form.input.addEventListener('input', () => {
    window.clearTimeout(typeTimer);
    typeTimer = window.setTimeout(() => {
      const value = form.input.value.trim();
      // One letter matches too much to be worth a search; the same words need none.
      if (value === state.q || value.length === 1) return;
      go(
        withChange((next) => (next.q = value)),
        true,
      );
    }, TYPE_DELAY_MS);
  });
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
      window.clearTimeout(typeTimer);
      controller?.abort();
      resultsMap.destroy();
      setDemoNotice(false);
    },
  };
}
