/**
 * The behaviour shared by the site's comboboxes (the search box's suggestions, the territory
 * pickers): WAI-ARIA 1.2 combobox with list autocomplete and no automatic selection. The text is
 * sent DEBOUNCE_MS after the last keystroke, answers are cached per text and a late answer to an
 * older text is dropped; Down/Up move through the options (Alt+Down opens without moving, Alt+Up
 * closes), Home/End go to the ends of the list while an option is highlighted, Enter chooses the
 * highlighted option, Escape and Tab close the list. What differs between the comboboxes is in
 * ComboboxOptions.
 */

import { isAbort } from '../api';

const DEBOUNCE_MS = 200;
/** The API takes 1 to 100 bytes of text. */
const MAX_QUERY_BYTES = 100;

type Move = 'first' | 'last' | 'none';

export interface ComboboxOptions<T> {
  input: HTMLInputElement;
  listbox: HTMLElement;
  /** Below this many characters there is no list. */
  minChars: number;
  /** Whether suggestions are asked for at all (false once the service is known to be missing). */
  enabled?: () => boolean;
  /** The suggestions for a text, already trimmed and clipped. */
  load(query: string, signal: AbortSignal): Promise<T[]>;
  /** Fills the listbox with items; returns their option elements, in order (each with an id). */
  render(items: T[], query: string): HTMLElement[];
  /** An option chosen (click or Enter). */
  choose(item: T): void;
  /** Says something in the live region. */
  announce(text: string): void;
  /** Said when a text has no suggestion ('' says nothing). */
  emptyMessage: string;
  /** A failed request: what to say ('' says nothing). */
  failed(err: unknown): string;
  /** Up on a closed list opens it on its last option (else it is left to the caret). */
  upOpens: boolean;
  /**
   * Enter with no option highlighted: 'submit' lets the form go (pending suggestions are dropped);
   * 'close' only closes an open list.
   */
  enterWithoutOption: 'submit' | 'close';
  /** Escape on a closed list; returns whether it did something. */
  escapeClosed?: () => boolean;
}

export interface Combobox {
  /** Drops the list and any pending request, as for an empty field. */
  reset(): void;
  /** Asks again for the text in the field (after it was changed by the page). */
  refresh(): void;
}

export function attachCombobox<T>(o: ComboboxOptions<T>): Combobox {
  const { input, listbox } = o;
  let items: T[] = [];
  let optionEls: HTMLElement[] = [];
  let shownFor = '';
  let active = -1;
  let timer = 0;
  let sequence = 0;
  let controller: AbortController | null = null;
  const cache = new Map<string, T[]>();

  const isOpen = (): boolean => !listbox.hidden;

  function open(): void {
    if (items.length === 0) return;
    listbox.hidden = false;
    input.setAttribute('aria-expanded', 'true');
  }

  function close(): void {
    listbox.hidden = true;
    input.setAttribute('aria-expanded', 'false');
    setActive(-1);
  }

  function setActive(index: number): void {
    optionEls[active]?.classList.remove('is-active');
    optionEls[active]?.setAttribute('aria-selected', 'false');
    active = index >= 0 && index < optionEls.length ? index : -1;
    if (active < 0) {
      input.removeAttribute('aria-activedescendant');
      return;
    }
    const el = optionEls[active]!;
    el.classList.add('is-active');
    el.setAttribute('aria-selected', 'true');
    input.setAttribute('aria-activedescendant', el.id);
    el.scrollIntoView({ block: 'nearest' });
  }

  function fill(list: T[], query: string): void {
    items = list;
    shownFor = query;
    active = -1;
    input.removeAttribute('aria-activedescendant');
    optionEls = o.render(list, query);
    optionEls.forEach((el, index) => el.addEventListener('click', () => choose(index)));
  }

  function show(list: T[], query: string, move: Move): void {
    fill(list, query);
    if (list.length === 0) {
      close();
      o.announce(o.emptyMessage);
      return;
    }
    // Only open while the visitor is still in the field.
    if (document.activeElement === input) {
      open();
      if (move === 'first') setActive(0);
      else if (move === 'last') setActive(list.length - 1);
    }
    o.announce(list.length === 1 ? '1 suggestion' : `${list.length} suggestions`);
  }

  async function fetchFor(query: string, move: Move): Promise<void> {
    controller?.abort();
    const mine = ++sequence;
    const cached = cache.get(query);
    if (cached) {
      show(cached, query, move);
      return;
    }
    controller = new AbortController();
    try {
      const list = await o.load(query, controller.signal);
      if (mine !== sequence) return;
      cache.set(query, list);
      show(list, query, move);
    } catch (err) {
      if (isAbort(err) || mine !== sequence) return;
      fill([], query);
      close();
      o.announce(o.failed(err));
    }
  }

  function currentQuery(): string {
    return clipToBytes(input.value.trim(), MAX_QUERY_BYTES);
  }

  const usable = (query: string): boolean => (o.enabled?.() ?? true) && [...query].length >= o.minChars;

  function reset(): void {
    window.clearTimeout(timer);
    sequence++;
    controller?.abort();
    fill([], '');
    close();
  }

  function schedule(): void {
    window.clearTimeout(timer);
    const query = currentQuery();
    if (!usable(query)) {
      reset();
      o.announce('');
      return;
    }
    timer = window.setTimeout(() => void fetchFor(query, 'none'), DEBOUNCE_MS);
  }

  /** Opens the list for the text in the field, fetching it first when needed; false when too short. */
  function openFor(move: Move): boolean {
    const query = currentQuery();
    if (!usable(query)) return false;
    if (query === shownFor && items.length > 0) {
      open();
      if (move === 'first') setActive(0);
      else if (move === 'last') setActive(items.length - 1);
    } else {
      window.clearTimeout(timer);
      void fetchFor(query, move);
    }
    return true;
  }

  function choose(index: number): void {
    const item = items[index];
    if (item === undefined) return;
    window.clearTimeout(timer);
    sequence++;
    close();
    o.choose(item);
  }

  input.addEventListener('input', schedule);
  input.addEventListener('keydown', (event) => {
    if (event.isComposing) return;
    const count = items.length;
    switch (event.key) {
      case 'ArrowDown':
        if (!isOpen()) {
          if (openFor(event.altKey ? 'none' : 'first')) event.preventDefault();
        } else if (!event.altKey) {
          event.preventDefault();
          setActive(active < 0 || active >= count - 1 ? 0 : active + 1);
        }
        break;
      case 'ArrowUp':
        if (!isOpen()) {
          if (o.upOpens && openFor('last')) event.preventDefault();
        } else {
          event.preventDefault();
          if (event.altKey) close();
          else setActive(active <= 0 ? count - 1 : active - 1);
        }
        break;
      case 'Home':
      case 'End':
        // Inside the list they go to its ends; otherwise they move the caret in the text.
        if (isOpen() && active >= 0) {
          event.preventDefault();
          setActive(event.key === 'Home' ? 0 : count - 1);
        }
        break;
      case 'Enter':
        if (isOpen() && active >= 0) {
          event.preventDefault();
          choose(active);
        } else if (o.enterWithoutOption === 'submit') {
          window.clearTimeout(timer);
          sequence++;
          close();
        } else if (isOpen()) {
          event.preventDefault();
          close();
        }
        break;
      case 'Escape':
        if (isOpen()) {
          event.preventDefault();
          close();
        } else if (o.escapeClosed?.()) {
          event.preventDefault();
        }
        break;
      case 'Tab':
        close();
        break;
      default:
        break;
    }
  });
  input.addEventListener('blur', () => close());
  // Keep the focus in the field while an option is clicked.
  listbox.addEventListener('mousedown', (event) => event.preventDefault());

  return { reset, refresh: schedule };
}

/** text cut to at most max bytes of UTF-8, at a character boundary. */
export function clipToBytes(text: string, max: number): string {
  const encoder = new TextEncoder();
  if (encoder.encode(text).length <= max) return text;
  let out = '';
  for (const char of text) {
    if (encoder.encode(out + char).length > max) break;
    out += char;
  }
  return out;
}
