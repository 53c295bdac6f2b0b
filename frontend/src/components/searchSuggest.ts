import { ApiError, isAbort, suggest } from '../api';
import { h } from '../dom';
import { levelLabel, rememberTerritory, territoryContext } from '../territories';
import type { Suggestions, TerritorySummary } from '../types';

const DEBOUNCE_MS = 200;
const MIN_CHARS = 2;
const PER_GROUP = 5;
const MAX_QUERY_BYTES = 100;

export interface SuggestHandlers {
  /** An initiative chosen: its page opens. */
  onInitiative(id: number): void;
  onTerritory(territory: TerritorySummary): void;
  onTheme(kind: 'theme' | 'subtheme', code: string, label: string): void;
}

type Choice =
  | { kind: 'initiative'; id: number; label: string }
  | { kind: 'territory'; territory: TerritorySummary; label: string }
  | { kind: 'theme'; theme: 'theme' | 'subtheme'; code: string; label: string };

/** Suggestions stop being asked for once the API says it has no such endpoint. */
let unavailable = false;

/**
 * Turns the search field into a combobox (WAI-ARIA 1.2, list autocomplete): 200 ms after the last
 * keystroke, from 2 characters, /api/v1/suggest fills a listbox grouped « Initiatives »,
 * « Territoires », « Thèmes ». Down/Up move through the options, Enter on a highlighted option
 * chooses it, Enter without one sends the form as usual, Escape closes the list.
 * Returns the listbox and its live region, to put next to the field.
 */
export function attachSuggestions(input: HTMLInputElement, handlers: SuggestHandlers): HTMLElement[] {
  const listboxId = `${input.id}-listbox`;
  const statusId = `${input.id}-suggest-status`;
  input.setAttribute('role', 'combobox');
  input.setAttribute('aria-autocomplete', 'list');
  input.setAttribute('aria-expanded', 'false');
  input.setAttribute('aria-controls', listboxId);
  const listbox = h('div', { id: listboxId, class: 'suggest__listbox', role: 'listbox', 'aria-label': 'Suggestions', hidden: true });
  const status = h('p', { id: statusId, class: 'visually-hidden', role: 'status', 'aria-live': 'polite' });

  let choices: Choice[] = [];
  let optionEls: HTMLElement[] = [];
  let active = -1;
  let timer = 0;
  let sequence = 0;
  let controller: AbortController | null = null;
  let shownFor = '';
  const cache = new Map<string, Suggestions>();

  function isOpen(): boolean {
    return !listbox.hidden;
  }

  function open(): void {
    if (choices.length === 0) return;
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

  function group(key: string, title: string, items: { choice: Choice; node: HTMLElement[] }[]): HTMLElement | null {
    if (items.length === 0) return null;
    const headingId = `${listboxId}-${key}`;
    const options = items.map(({ choice, node }) => {
      const index = choices.length;
      choices.push(choice);
      const option = h(
        'div',
        { id: `${listboxId}-option-${index}`, class: `suggest__option suggest__option--${key}`, role: 'option', 'aria-selected': 'false' },
        ...node,
      );
      option.addEventListener('click', () => choose(index));
      optionEls.push(option);
      return option;
    });
    return h(
      'div',
      { class: 'suggest__group', role: 'group', 'aria-labelledby': headingId },
      h('div', { id: headingId, class: 'suggest__group-label', role: 'presentation' }, title),
      ...options,
    );
  }

  function render(data: Suggestions, query: string): void {
    choices = [];
    optionEls = [];
    active = -1;
    input.removeAttribute('aria-activedescendant');
    const initiatives = Array.isArray(data.initiatives) ? data.initiatives : [];
    const territories = Array.isArray(data.territories) ? data.territories : [];
    const themes = Array.isArray(data.themes) ? data.themes : [];
    listbox.replaceChildren(
      ...[
        group(
          'initiatives',
          'Initiatives',
          initiatives
            .filter((item) => Number.isSafeInteger(item.id) && typeof item.title === 'string')
            .map((item) => ({
              choice: { kind: 'initiative' as const, id: item.id, label: item.title },
              node: [h('span', { class: 'suggest__name' }, item.title)],
            })),
        ),
        group(
          'territories',
          'Territoires',
          territories
            .filter((t) => t && typeof t.ref === 'string' && typeof t.name === 'string')
            .map((t) => {
              const context = territoryContext(t, query);
              return {
                choice: { kind: 'territory' as const, territory: t, label: t.name },
                node: [
                  h('span', { class: 'suggest__name' }, t.name),
                  h('span', { class: 'visually-hidden' }, ', '),
                  h('span', { class: 'suggest__level' }, levelLabel(t.level)),
                  context ? h('span', { class: 'visually-hidden' }, ', ') : null,
                  context ? h('span', { class: 'suggest__context' }, context) : null,
                ].filter((n): n is HTMLElement => n !== null),
              };
            }),
        ),
        group(
          'themes',
          'Thèmes',
          themes
            .filter((t) => t && typeof t.code === 'string' && typeof t.label === 'string')
            .map((t) => {
              const kind = t.kind === 'subtheme' ? 'subtheme' : 'theme';
              return {
                choice: { kind: 'theme' as const, theme: kind, code: t.code, label: t.label },
                node: [
                  h('span', { class: 'suggest__name' }, t.label),
                  h('span', { class: 'visually-hidden' }, ', '),
                  h('span', { class: 'suggest__level' }, kind === 'subtheme' ? 'Sous-thème' : 'Thème'),
                ],
              };
            }),
        ),
      ].filter((n): n is HTMLElement => n !== null),
    );
    shownFor = query;
  }

  function show(data: Suggestions, query: string, move: 'first' | 'last' | 'none'): void {
    render(data, query);
    if (choices.length === 0) {
      close();
      status.textContent = '';
      return;
    }
    if (document.activeElement === input) {
      open();
      if (move === 'first') setActive(0);
      else if (move === 'last') setActive(choices.length - 1);
    }
    status.textContent = choices.length === 1 ? '1 suggestion' : `${choices.length} suggestions`;
  }

  function currentQuery(): string {
    const text = input.value.trim();
    const encoder = new TextEncoder();
    if (encoder.encode(text).length <= MAX_QUERY_BYTES) return text;
    let out = '';
    for (const char of text) {
      if (encoder.encode(out + char).length > MAX_QUERY_BYTES) break;
      out += char;
    }
    return out;
  }

  async function fetchFor(query: string, move: 'first' | 'last' | 'none'): Promise<void> {
    controller?.abort();
    const mine = ++sequence;
    const cached = cache.get(query);
    if (cached) {
      show(cached, query, move);
      return;
    }
    controller = new AbortController();
    try {
      const data = await suggest(query, PER_GROUP, controller.signal);
      if (mine !== sequence) return;
      (Array.isArray(data.territories) ? data.territories : []).forEach(rememberTerritory);
      cache.set(query, data);
      show(data, query, move);
    } catch (err) {
      if (isAbort(err) || mine !== sequence) return;
      // No suggestion service (404): the field stays a plain search field.
      if (err instanceof ApiError && err.status === 404) unavailable = true;
      choices = [];
      optionEls = [];
      listbox.replaceChildren();
      close();
    }
  }

  function schedule(): void {
    window.clearTimeout(timer);
    const query = currentQuery();
    if (unavailable || [...query].length < MIN_CHARS) {
      sequence++;
      controller?.abort();
      listbox.replaceChildren();
      choices = [];
      optionEls = [];
      shownFor = '';
      close();
      status.textContent = '';
      return;
    }
    timer = window.setTimeout(() => void fetchFor(query, 'none'), DEBOUNCE_MS);
  }

  function choose(index: number): void {
    const choice = choices[index];
    if (!choice) return;
    close();
    window.clearTimeout(timer);
    sequence++;
    switch (choice.kind) {
      case 'initiative':
        handlers.onInitiative(choice.id);
        break;
      case 'territory':
        rememberTerritory(choice.territory);
        status.textContent = `${choice.label} ajouté aux filtres`;
        handlers.onTerritory(choice.territory);
        break;
      case 'theme':
        status.textContent = `${choice.label} ajouté aux filtres`;
        handlers.onTheme(choice.theme, choice.code, choice.label);
        break;
    }
  }

  input.addEventListener('input', schedule);
  input.addEventListener('keydown', (event) => {
    if (event.isComposing) return;
    const count = choices.length;
    switch (event.key) {
      case 'ArrowDown':
        if (!isOpen()) {
          const query = currentQuery();
          if (unavailable || [...query].length < MIN_CHARS) return;
          event.preventDefault();
          if (query === shownFor && count > 0) {
            open();
            if (!event.altKey) setActive(0);
          } else {
            window.clearTimeout(timer);
            void fetchFor(query, event.altKey ? 'none' : 'first');
          }
        } else if (!event.altKey) {
          event.preventDefault();
          setActive(active < 0 || active >= count - 1 ? 0 : active + 1);
        }
        break;
      case 'ArrowUp':
        if (!isOpen()) return;
        event.preventDefault();
        if (event.altKey) close();
        else setActive(active <= 0 ? count - 1 : active - 1);
        break;
      case 'Home':
      case 'End':
        if (isOpen() && active >= 0) {
          event.preventDefault();
          setActive(event.key === 'Home' ? 0 : count - 1);
        }
        break;
      case 'Enter':
        if (isOpen() && active >= 0) {
          event.preventDefault();
          choose(active);
        } else {
          // The free-text search goes as usual; pending suggestions are dropped.
          window.clearTimeout(timer);
          sequence++;
          close();
        }
        break;
      case 'Escape':
        if (isOpen()) {
          event.preventDefault();
          close();
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
  listbox.addEventListener('mousedown', (event) => event.preventDefault());

  return [listbox, status];
}
