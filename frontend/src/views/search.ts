import { ApiError, isAbort, searchInitiatives, UNAVAILABLE_MESSAGE } from '../api';
import { setDemoNotice } from '../components/demoNotice';
import { resultCard } from '../components/resultCard';
import { ResultsMap } from '../components/resultsMap';
import { searchForm } from '../components/searchForm';
import { territoryPicker } from '../components/territoryPicker';
import { emptyState, errorMessage, loadingIndicator } from '../components/status';
import { h, setTitle } from '../dom';
import { formatCount } from '../format';
import { navigate, searchUrl, type Route } from '../router';
import type { InitiativeItem, SearchPage } from '../types';
import type { View } from './view';

function errorText(err: unknown): string {
  return err instanceof ApiError ? err.message : UNAVAILABLE_MESSAGE;
}

/** The home page: search box, result count, result cards with "Voir plus", and the results map. */
export function searchView(root: HTMLElement, route: Extract<Route, { name: 'search' }>): View {
  let q = route.q;
  let territories = route.territories;
  let controller: AbortController | null = null;
  let cursor: string | null = null;
  let generation = 0;
  let shown: InitiativeItem[] = [];

  // Choosing or removing a territory sends the form as it is: the text typed so far goes with it.
  const picker = territoryPicker((refs) => navigate(searchUrl(form.input.value.trim(), refs)));
  const form = searchForm((value) => {
    // The same query again reruns it (navigate() does not stack an identical URL).
    navigate(searchUrl(value, territories));
  }, picker.element);

  const count = h('p', { class: 'result-count', id: 'result-count', role: 'status', 'aria-live': 'polite' });
  const body = h('div', { class: 'results-body' });
  const list = h('ol', { class: 'results', id: 'results', 'aria-labelledby': 'result-count' });
  const moreError = h('div', { class: 'load-more__error' });
  const moreButton = h('button', { type: 'button', class: 'button button--secondary load-more__button' }, 'Voir plus');
  const more = h('div', { class: 'load-more', hidden: true }, moreButton, moreError);
  const resultsMap = new ResultsMap();

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
        form.element,
      ),
    ),
    h(
      'div',
      { class: 'container search-layout' },
      h('h2', { id: 'results-heading', class: 'visually-hidden' }, 'Résultats'),
      count,
      h(
        'section',
        { class: 'search-layout__results', 'aria-labelledby': 'results-heading' },
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
    ),
  );
  resultsMap.mount();

  function updateDemoNotice(): void {
    setDemoNotice(shown.some((item) => item.demo));
  }

  function showPage(page: SearchPage): void {
    shown = page.items.slice();
    cursor = page.next_cursor;
    body.replaceChildren();
    list.replaceChildren(...page.items.map(resultCard));
    resultsMap.setItems(page.items);
    const where = territorySuffix();
    if (page.items.length === 0) {
      count.textContent = q
        ? `Aucune initiative ne correspond à « ${q} »${where}`
        : territories.length > 0
          ? `Aucune initiative${where}`
          : 'Aucune initiative publiée pour le moment.';
      count.classList.add('result-count--empty');
      if (q || territories.length > 0) {
        const hints = q
          ? ["Vérifiez l'orthographe des mots.", 'Essayez des mots plus généraux ou moins nombreux.']
          : [];
        hints.push(
          territories.length > 0
            ? 'Retirez un territoire ou choisissez-en un plus large (le département, la région).'
            : 'Cherchez un lieu : une commune, un département.',
        );
        body.append(
          emptyState('Aucun résultat pour cette recherche', hints, { href: '/', text: 'Voir toutes les initiatives' }),
        );
      }
    } else {
      count.classList.remove('result-count--empty');
      count.textContent =
        (q ? `${formatCount(page.total, page.total_exact)} pour « ${q} »` : formatCount(page.total, page.total_exact)) + where;
    }
    more.hidden = cursor === null;
    updateDemoNotice();
  }

  /** " sur le territoire choisi": the chips, just above, name them. */
  function territorySuffix(): string {
    if (territories.length === 0) return '';
    return territories.length === 1 ? ' sur le territoire choisi' : ` sur les ${territories.length} territoires choisis`;
  }

  async function run(): Promise<void> {
    controller?.abort();
    controller = new AbortController();
    const mine = ++generation;
    form.setValue(q);
    picker.setSelected(territories);
    resultsMap.setTerritories(territories);
    setTitle(q ? `Recherche « ${q} »` : null);
    shown = [];
    cursor = null;
    count.textContent = '';
    count.classList.remove('result-count--empty');
    list.replaceChildren();
    more.hidden = true;
    moreError.replaceChildren();
    body.replaceChildren(loadingIndicator('Recherche des initiatives…'));
    list.setAttribute('aria-busy', 'true');
    try {
      const page = await searchInitiatives(q, territories, null, controller.signal);
      if (mine !== generation) return;
      showPage(page);
    } catch (err) {
      if (isAbort(err) || mine !== generation) return;
      resultsMap.setItems([]);
      // A client error (an unknown territory) would fail again: no "Réessayer" then.
      const retryable = !(err instanceof ApiError && err.status >= 400 && err.status < 500);
      body.replaceChildren(errorMessage(errorText(err), retryable ? () => void run() : undefined));
      updateDemoNotice();
    } finally {
      if (mine === generation) list.removeAttribute('aria-busy');
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
      const page = await searchInitiatives(q, territories, cursor, signal);
      if (mine !== generation) return;
      const firstNew = list.children.length;
      shown.push(...page.items);
      list.append(...page.items.map(resultCard));
      resultsMap.addItems(page.items);
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
      q = next.q;
      territories = next.territories;
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
