// The search page's link to the address: the search shown is the URL's (searchState.ts), and every
// change made on the page is a navigation to the new search's URL, so Back and shared links work.
// The pieces of the page (views/search/*.ts) share this object.

import type { LabelIndex } from '../../labels';
import { navigate } from '../../router';
import { cloneState, stateUrl, type SearchState } from '../../searchState';

export class SearchContext {
  /** The search of the address (replaced by the router's update). */
  state: SearchState;
  /** Set by a search typed (instant results): its errors do not take the focus from the box. */
  typing = false;
  /** The French labels of the codes, once loaded. */
  labels: LabelIndex | null = null;

  constructor(state: SearchState) {
    this.state = state;
  }

  /** Goes to `next` (replace: without a history entry, for the words being typed). */
  go(next: SearchState, replace = false): void {
    // Relevance means nothing without words; distance nothing without a point.
    if (next.sort === 'relevance' && !next.q) next.sort = null;
    if (next.sort === 'distance' && !next.near) next.sort = null;
    this.typing = replace;
    navigate(stateUrl(next), { replace });
  }

  /** A copy of the current search, changed. */
  withChange(change: (next: SearchState) => void): SearchState {
    const next = cloneState(this.state);
    change(next);
    return next;
  }

  /** go(withChange(change)). */
  change(change: (next: SearchState) => void, replace = false): void {
    this.go(this.withChange(change), replace);
  }
}
