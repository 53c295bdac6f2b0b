// The list of results of the search page: the cards, the loading and empty states, « Voir plus »,
// and the list's side of its link with the map (a result hovered or focused is ringed on the map, a
// marker clicked marks its result in the list).

import { resultCard } from '../../components/resultCard';
import { emptyState as emptyBlock, errorMessage, loadingIndicator } from '../../components/status';
import { h } from '../../dom';
import { filterCount, hasAnyFilter, type SearchState } from '../../searchState';
import type { InitiativeItem } from '../../types';

export interface ResultsOptions {
  /** Ring a result on the map (null: none). */
  highlight: (item: InitiativeItem | null) => void;
  /** A card's « Voir sur la carte »: the result on the map, the focus back to origin afterwards. */
  showOnMap: (item: InitiativeItem, origin: HTMLElement) => void;
  /** « Voir plus » pressed. */
  onMore: () => void;
}

export interface ResultsList {
  /** The loading, empty and error states, above the list. */
  body: HTMLElement;
  list: HTMLOListElement;
  /** « Voir plus » and its error. */
  more: HTMLElement;
  /** The results shown. */
  readonly items: readonly InitiativeItem[];
  /** Where the next page starts (null: no other page). */
  cursor: string | null;
  /** A new search: nothing shown yet; the last list stays (dimmed) while the words are typed. */
  loading(typing: boolean): void;
  setBusy(busy: boolean): void;
  /** The first page of an answer; with no result, what to try (state: the search asked). */
  show(items: InitiativeItem[], cursor: string | null, state: SearchState): void;
  /** Another page: the keyboard goes on from its first result. */
  append(items: InitiativeItem[], cursor: string | null): void;
  /** A failed search: nothing shown. */
  clear(): void;
  /** « Voir plus » waiting for its page (or not). */
  setMoreBusy(busy: boolean): void;
  moreFailed(text: string): void;
  /** Marks the result of a marker clicked on the map and brings it into view. */
  select(id: number): void;
  firstLink(): HTMLAnchorElement | null;
}

export function resultsList(options: ResultsOptions): ResultsList {
  let shown: InitiativeItem[] = [];
  const body = h('div', { class: 'results-body' });
  const list = h('ol', { class: 'results', id: 'results', 'aria-labelledby': 'result-count' });
  const moreError = h('div', { class: 'load-more__error' });
  const moreButton = h('button', { type: 'button', class: 'button button--secondary load-more__button' }, 'Voir plus');
  const more = h('div', { class: 'load-more', hidden: true }, moreButton, moreError);
  moreButton.addEventListener('click', () => {
    if (!moreButton.disabled) options.onMore();
  });

  function card(item: InitiativeItem): HTMLLIElement {
    return resultCard(item, (origin) => options.showOnMap(item, origin));
  }

  function itemOf(element: EventTarget | null): InitiativeItem | null {
    const li = element instanceof Element ? element.closest<HTMLElement>('li.result-card') : null;
    if (!li) return null;
    return shown.find((item) => String(item.id) === li.dataset.id) ?? null;
  }

  // Hovering or focusing a result rings it on the map; the focused one wins when the pointer leaves.
  let focusedItem: InitiativeItem | null = null;
  list.addEventListener('mouseover', (event) => options.highlight(itemOf(event.target) ?? focusedItem));
  list.addEventListener('mouseleave', () => options.highlight(focusedItem));
  list.addEventListener('focusin', (event) => {
    focusedItem = itemOf(event.target);
    options.highlight(focusedItem);
  });
  list.addEventListener('focusout', (event) => {
    if (list.contains(event.relatedTarget as Node | null)) return;
    focusedItem = null;
    options.highlight(null);
  });

  const results: ResultsList = {
    body,
    list,
    more,
    get items(): readonly InitiativeItem[] {
      return shown;
    },
    cursor: null,
    loading(typing: boolean): void {
      shown = [];
      results.cursor = null;
      if (!typing) {
        list.replaceChildren();
        body.replaceChildren(loadingIndicator('Recherche des initiatives…'));
      }
      more.hidden = true;
      moreError.replaceChildren();
    },
    setBusy(busy: boolean): void {
      if (busy) list.setAttribute('aria-busy', 'true');
      else list.removeAttribute('aria-busy');
    },
    show(items: InitiativeItem[], cursor: string | null, state: SearchState): void {
      shown = items.slice();
      results.cursor = cursor;
      body.replaceChildren();
      list.replaceChildren(...items.map(card));
      if (items.length === 0 && (state.q || hasAnyFilter(state))) {
        const hints = state.q ? ["Vérifiez l'orthographe des mots.", 'Essayez des mots plus généraux ou moins nombreux.'] : [];
        if (filterCount(state) > 0) hints.push('Retirez un filtre (thème, public…) pour élargir la recherche.');
        hints.push(
          state.territories.length > 0
            ? 'Retirez un territoire ou choisissez-en un plus large (le département, la région).'
            : 'Cherchez un lieu : une commune, un département.',
        );
        body.append(emptyBlock('Aucun résultat pour cette recherche', hints, { href: '/', text: 'Voir toutes les initiatives' }));
      }
      more.hidden = cursor === null;
    },
    append(items: InitiativeItem[], cursor: string | null): void {
      const firstNew = list.children.length;
      shown.push(...items);
      list.append(...items.map(card));
      results.cursor = cursor;
      more.hidden = cursor === null;
      // Keyboard users carry on from the first new result instead of going back to the top.
      const link = list.children[firstNew]?.querySelector<HTMLAnchorElement>('a');
      link?.focus();
    },
    clear(): void {
      shown = [];
      list.replaceChildren();
      body.replaceChildren();
    },
    setMoreBusy(busy: boolean): void {
      moreButton.disabled = busy;
      moreButton.textContent = busy ? 'Chargement…' : 'Voir plus';
      if (busy) moreError.replaceChildren();
    },
    moreFailed(text: string): void {
      moreError.replaceChildren(errorMessage(text));
    },
    select(id: number): void {
      let target: HTMLElement | null = null;
      for (const li of Array.from(list.children) as HTMLElement[]) {
        const mine = li.dataset.id === String(id);
        li.classList.toggle('is-selected', mine);
        if (mine) target = li;
      }
      // Side by side only: on a phone the list is under the map and scrolling would hide the card.
      if (target && window.matchMedia('(min-width: 62em)').matches) target.scrollIntoView({ block: 'nearest', behavior: 'smooth' });
    },
    firstLink(): HTMLAnchorElement | null {
      return list.querySelector<HTMLAnchorElement>('a');
    },
  };
  return results;
}
