// What the search page says about the answer, under the box: the count (« 120 initiatives pour
// « jardin » sur le territoire choisi »), the spelling notice, the error of a failed search with
// « Réessayer », the skip links to the results and to the map; and the page's title.

import { ApiError, UNAVAILABLE_MESSAGE } from '../../api';
import { h } from '../../dom';
import { formatCount } from '../../format';
import { hasAnyFilter, stateUrl, type SearchState } from '../../searchState';
import type { SearchPage } from '../../types';
import type { SearchContext } from './context';
import { exportMenu } from './exportMenu';

/** The French message of a failed call. */
export function errorText(err: unknown): string {
  return err instanceof ApiError ? err.message : UNAVAILABLE_MESSAGE;
}

/** The page's title for a search (null: the home page's). */
export function searchTitle(state: SearchState): string | null {
  if (state.q) return `Recherche « ${state.q} »`;
  return hasAnyFilter(state) ? 'Recherche filtrée' : null;
}

/** " sur le territoire choisi": the chips, just above, name them. */
function territorySuffix(state: SearchState): string {
  const n = state.territories.length;
  if (n === 0) return '';
  return n === 1 ? ' sur le territoire choisi' : ` sur les ${n} territoires choisis`;
}

export interface SummaryOptions {
  /** « Aller aux résultats ». */
  onSkipToResults: () => void;
  /** « Aller à la carte ». */
  onSkipToMap: () => void;
}

export interface SearchSummary {
  element: HTMLElement;
  /** The count, a live region that also takes the focus (after the guided path, or with no result). */
  count: HTMLElement;
  /** A new search on its way: no count, no error; the notice goes too unless the words are being typed. */
  reset(): void;
  /** The count and the notice of an answer. */
  show(page: SearchPage, items: number): void;
  /** A failed search: its message, with « Réessayer » when trying again may help. */
  showError(err: unknown, retry: () => void): void;
  /** No notice (a failed search). */
  hideNotice(): void;
}

export function searchSummary(ctx: SearchContext, options: SummaryOptions): SearchSummary {
  const count = h('p', { class: 'result-count', id: 'result-count', role: 'status', 'aria-live': 'polite', tabindex: '-1' });
  const notice = h('p', { class: 'search-notice', id: 'search-notice', hidden: true });
  const searchError = h('div', { class: 'search-error', id: 'search-error', role: 'alert', tabindex: '-1', hidden: true });
  const skipLink = h('a', { class: 'search-summary__skip', href: '#results-heading', id: 'skip-results' }, 'Aller aux résultats');
  skipLink.addEventListener('click', (event) => {
    event.preventDefault();
    options.onSkipToResults();
  });
  const mapLink = h('a', { class: 'search-summary__skip', href: '#map-heading', id: 'skip-map' }, 'Aller à la carte');
  mapLink.addEventListener('click', (event) => {
    event.preventDefault();
    options.onSkipToMap();
  });
  const exporter = exportMenu(ctx);
  exporter.setAvailable(false);
  const element = h(
    'div',
    { class: 'search-summary', id: 'search-summary' },
    h(
      'div',
      { class: 'search-summary__line' },
      count,
      // Links about the results (the skip links; other pages' links go here too).
      h('span', { class: 'search-summary__links' }, skipLink, mapLink),
    ),
    exporter.element,
    notice,
    searchError,
  );

  /** « Résultats pour « emploi » (aucun résultat pour « emplio ») », or a suggestion to follow. */
  function renderNotice(page: SearchPage): void {
    const state = ctx.state;
    const relaxed = page.relaxed;
    if (relaxed && relaxed.dropped.length > 0) {
      // « Aucune initiative ne contient tous ces mots. Résultats pour « a b », sans « c ». »
      const parts: (string | HTMLElement)[] = [
        'Aucune initiative ne contient tous ces mots. Résultats pour « ',
        h('strong', { class: 'search-notice__kept' }, relaxed.q),
        ' », sans ',
      ];
      relaxed.dropped.forEach((word, i) => {
        if (i > 0) parts.push(i === relaxed.dropped.length - 1 ? ' ni ' : ', ');
        parts.push('« ', h('span', { class: 'search-notice__dropped' }, word), ' »');
      });
      parts.push('.');
      notice.replaceChildren(...parts);
      notice.hidden = false;
      return;
    }
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
        h('a', { href: stateUrl(ctx.withChange((next) => (next.q = suggestion))), class: 'search-notice__link' }, suggestion),
        ' » ?',
      );
    }
    notice.hidden = false;
  }

  return {
    element,
    count,
    reset(): void {
      count.textContent = '';
      count.classList.remove('result-count--empty');
      exporter.setAvailable(false);
      searchError.hidden = true;
      searchError.replaceChildren();
      if (!ctx.typing) notice.hidden = true;
    },
    show(page: SearchPage, items: number): void {
      const state = ctx.state;
      renderNotice(page);
      const where = territorySuffix(state);
      const shownQ = page.corrected && page.did_you_mean ? page.did_you_mean : state.q;
      // Not after a corrected search: the export reads the words as typed, which match nothing.
      exporter.setAvailable(items > 0 && !page.corrected);
      if (items === 0) {
        count.textContent = state.q
          ? `Aucune initiative ne correspond à « ${state.q} »${where}`
          : hasAnyFilter(state)
            ? `Aucune initiative${where}`
            : 'Aucune initiative publiée pour le moment.';
        count.classList.add('result-count--empty');
      } else {
        count.classList.remove('result-count--empty');
        const total = formatCount(page.total, page.total_exact, page.total_is_estimate === true);
        count.textContent = (shownQ ? `${total} pour « ${shownQ} »` : total) + where;
      }
    },
    showError(err: unknown, retry: () => void): void {
      count.textContent = '';
      const retryable = !(err instanceof ApiError && err.status >= 400 && err.status < 500);
      searchError.replaceChildren(
        h('p', { class: 'search-error__text' }, 'La recherche n’a pas abouti : ', errorText(err)),
        ...(retryable
          ? [
              (() => {
                const button = h('button', { type: 'button', class: 'button button--small button--secondary' }, 'Réessayer');
                button.addEventListener('click', retry);
                return button;
              })(),
            ]
          : []),
      );
      searchError.hidden = false;
      // Typing: the box keeps the focus (the alert is read out); otherwise the message takes it.
      if (!ctx.typing) searchError.focus();
    },
    hideNotice(): void {
      notice.hidden = true;
    },
  };
}
