// The top of the search page: the box with its suggestions and instant results, the territory field,
// « Filtres » and what it unfolds (radius, years, guided path, advanced search), the guided path
// itself; the whole folds into one bar once a search is made.

import { advancedSearch } from '../../components/advancedSearch';
import { guidedSearch } from '../../components/guidedSearch';
import { nearSearch } from '../../components/nearSearch';
import { detailHref } from '../../components/resultCard';
import { searchForm } from '../../components/searchForm';
import { territoryPicker } from '../../components/territoryPicker';
import { yearFilter } from '../../components/yearFilter';
import { h } from '../../dom';
import { navigate } from '../../router';
import { emptyFilters, emptyState, filterCount, hasAnyFilter, MAX_TERRITORIES } from '../../searchState';
import type { SearchContext } from './context';

/** Pause in typing after which the results follow the words. */
const TYPE_DELAY_MS = 300;

export interface SearchBarOptions {
  /** The count, notices and errors, shown under the box (summary.ts). */
  summary: HTMLElement;
  /** « Filtres » opened or closed: on phones the facets fold under the same button. */
  onFold: (open: boolean) => void;
  /** The guided path ended with a search. */
  onGuided: () => void;
}

export interface SearchBar {
  /** The hero section: title, lead, the search area and the guided path. */
  element: HTMLElement;
  input: HTMLInputElement;
  /** Shows the search of the address: the words (unless being typed), the chips, the radius, the years. */
  render(): void;
  /** Folds the form into one bar once a search is made, and counts the filters on « Filtres ». */
  renderCompact(): void;
  destroy(): void;
}

export function searchBar(ctx: SearchContext, options: SearchBarOptions): SearchBar {
  let typeTimer = 0;
  /** The words of the last search not made by typing: what the box goes back to after a suggestion. */
  let settledQ = ctx.state.q;

  // Choosing or removing a territory sends the form as it is: the text typed so far goes with it.
  const picker = territoryPicker((refs) =>
    ctx.change((next) => {
      next.q = form.input.value.trim();
      next.territories = refs;
    }),
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
      ctx.change((next) => (next.q = value));
    },
    h('div', { class: 'search-box__extra' }, picker.element, filtersButton),
    {
      onInitiative: (id) => navigate(detailHref(id)),
      // The letters typed to find a suggestion were not words to search: the words from before them
      // come back (instant results may have searched the letters meanwhile).
      onTerritory: (territory) => {
        window.clearTimeout(typeTimer);
        form.setValue(settledQ);
        const state = ctx.state;
        if (state.territories.includes(territory.ref) || state.territories.length >= MAX_TERRITORIES) {
          if (state.q !== settledQ) ctx.change((next) => (next.q = settledQ), true);
          return;
        }
        ctx.change((next) => {
          next.q = settledQ;
          next.territories.push(territory.ref);
        });
      },
      onTheme: (kind, code) => {
        window.clearTimeout(typeTimer);
        form.setValue(settledQ);
        const state = ctx.state;
        if (state.filters[kind].includes(code)) {
          if (state.q !== settledQ) ctx.change((next) => (next.q = settledQ), true);
          return;
        }
        ctx.change((next) => {
          next.q = settledQ;
          next.filters[kind].push(code);
        });
      },
    },
  );

  // --- What « Filtres » unfolds: radius, years, guided path and advanced search -----------------------

  const guideButton = h(
    'button',
    { type: 'button', class: 'button button--secondary hero__guide-button', 'aria-controls': 'guide', 'aria-expanded': 'false' },
    'Être guidé pas à pas',
  );
  // The query replaces the words and codes; the territories, years and point chosen on the page stay.
  const advanced = advancedSearch((query) =>
    ctx.change((next) => {
      next.q = query;
      next.filters = emptyFilters();
    }),
  );
  const near = nearSearch((value) =>
    ctx.change((next) => {
      next.q = form.input.value.trim();
      next.near = value;
      // Nearest first, unless words rank the results.
      if (value && !next.q && next.sort === null) next.sort = 'distance';
    }),
  );
  const years = yearFilter((min, max) =>
    ctx.change((next) => {
      next.q = form.input.value.trim();
      next.yearMin = min;
      next.yearMax = max;
    }),
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
    options.onFold(open);
  }

  // --- The guided path, in place of the search area ----------------------------------------------------

  const searchArea = h('div', { class: 'hero__search' }, form.element, options.summary, moreArea);

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
      ctx.go(next);
      options.onGuided();
    },
    () => closeGuide(true),
  );

  guideButton.addEventListener('click', () => {
    searchArea.hidden = true;
    guide.element.hidden = false;
    guideButton.setAttribute('aria-expanded', 'true');
    guide.start();
  });

  const title = h('h1', { class: 'hero__title' }, 'Trouver une innovation sociale');
  const lead = h(
    'p',
    { class: 'hero__lead' },
    'Emploi, santé, logement, environnement, lien social : des initiatives portées par des associations, des collectivités, des entreprises et des habitants, partout en France.',
  );
  const hero = h('section', { class: 'hero' }, h('div', { class: 'container' }, title, lead, searchArea, guide.element));

  // Instant results: the list, counts and map follow the words as they are typed; the address is
  // kept in step without a history entry per key. Enter still sends the form at once.
  form.input.addEventListener('input', () => {
    window.clearTimeout(typeTimer);
    typeTimer = window.setTimeout(() => {
      const value = form.input.value.trim();
      // One letter matches too much to be worth a search; the same words need none.
      if (value === ctx.state.q || value.length === 1) return;
      ctx.change((next) => (next.q = value), true);
    }, TYPE_DELAY_MS);
  });

  return {
    element: hero,
    input: form.input,
    render(): void {
      const state = ctx.state;
      // The words being typed stay as they are: the box is only set from the address otherwise.
      if (document.activeElement !== form.input) form.setValue(state.q);
      if (!ctx.typing) settledQ = state.q;
      picker.setSelected(state.territories);
      near.render(state);
      years.render(state);
    },
    renderCompact(): void {
      const state = ctx.state;
      const searched = !!state.q || hasAnyFilter(state);
      const wasCompact = hero.classList.contains('hero--compact');
      hero.classList.toggle('hero--compact', searched);
      // Folded once a search is made, unless it was made from the fold-out itself (a radius, years).
      if (searched && !wasCompact) setMoreOpen(moreArea.contains(document.activeElement));
      if (!searched) {
        moreArea.hidden = false;
        options.onFold(false);
      }
      const n = filterCount(state) + (state.near ? 1 : 0) + (state.yearMin !== null || state.yearMax !== null ? 1 : 0);
      const badge = filtersButton.querySelector('.search-box__filters-count')!;
      badge.textContent = n > 0 ? ` (${n})` : '';
    },
    destroy(): void {
      window.clearTimeout(typeTimer);
    },
  };
}
