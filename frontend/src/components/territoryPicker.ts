import { ApiError, isAbort, suggestTerritories } from '../api';
import { h } from '../dom';
import {
  knownTerritory,
  levelLabel,
  MAX_TERRITORIES,
  rememberTerritory,
  territoryContext,
  territoryDetail,
} from '../territories';
import type { TerritorySummary } from '../types';

const DEBOUNCE_MS = 200;
const SUGGESTIONS = 8;
/** The API takes 1 to 100 bytes of text. */
const MAX_QUERY_BYTES = 100;

export interface TerritoryPicker {
  element: HTMLElement;
  input: HTMLInputElement;
  /** Shows the territories of the current URL as chips. */
  setSelected(refs: readonly string[]): void;
}

function clipToBytes(text: string, max: number): string {
  const encoder = new TextEncoder();
  if (encoder.encode(text).length <= max) return text;
  let out = '';
  for (const char of text) {
    if (encoder.encode(out + char).length > max) break;
    out += char;
  }
  return out;
}

/**
 * The territory field of the search form: a combobox with a list of suggestions (WAI-ARIA 1.2
 * pattern, list autocomplete without automatic selection), and the chosen territories as removable
 * chips. onChange receives the new list of references; the caller puts it in the URL.
 */
export interface TerritoryPickerOptions {
  /** Prefix of the element ids, for a second picker on the page (default `territory`). */
  id?: string;
  label?: string;
  hint?: string;
  /** Only territories of this level are suggested (`commune`…). */
  level?: string;
  /** What is announced once a territory is chosen (default: « … ajouté aux filtres »). */
  chosenMessage?: (territory: TerritorySummary) => string;
}

export const TERRITORY_FIELD_LABEL = 'Territoire (région, département, commune ou code postal)';

export function territoryPicker(onChange: (refs: string[]) => void, settings: TerritoryPickerOptions = {}): TerritoryPicker {
  const prefix = settings.id ?? 'territory';
  const ids = {
    input: `${prefix}-q`,
    listbox: `${prefix}-listbox`,
    hint: `${prefix}-q-hint`,
    status: `${prefix}-status`,
  };
  const input = h('input', {
    id: ids.input,
    class: 'territory-picker__input',
    type: 'text',
    role: 'combobox',
    autocomplete: 'off',
    spellcheck: 'false',
    autocapitalize: 'off',
    maxlength: 100,
    'aria-autocomplete': 'list',
    'aria-expanded': 'false',
    'aria-controls': ids.listbox,
    'aria-describedby': ids.hint,
  });
  const listbox = h('ul', {
    id: ids.listbox,
    class: 'territory-picker__listbox',
    role: 'listbox',
    'aria-label': 'Territoires suggérés',
    hidden: true,
  });
  const status = h('p', { id: ids.status, class: 'visually-hidden', role: 'status', 'aria-live': 'polite' });
  const chips = h('ul', { class: 'territory-chips', 'aria-label': 'Territoires choisis', hidden: true });
  const clearAll = h('button', { type: 'button', class: 'button button--small button--tertiary territory-chips__clear', hidden: true }, 'Retirer tous les territoires');
  const element = h(
    'div',
    { class: 'territory-picker' },
    h('label', { class: 'territory-picker__label', for: ids.input }, settings.label ?? TERRITORY_FIELD_LABEL),
    h(
      'p',
      { id: ids.hint, class: 'territory-picker__hint' },
      settings.hint ?? 'Choisissez dans la liste ; plusieurs territoires peuvent être combinés.',
    ),
    h('div', { class: 'territory-picker__combo' }, input, listbox),
    status,
    h('div', { class: 'territory-chips__row' }, chips, clearAll),
  );

  let selected: string[] = [];
  let options: TerritorySummary[] = [];
  let optionQuery = '';
  let active = -1;
  let timer = 0;
  let controller: AbortController | null = null;
  let sequence = 0;
  /** The option to highlight once the suggestions asked for with Down or Up arrive. */
  let pendingMove: 'first' | 'last' | 'none' = 'none';
  const cache = new Map<string, TerritorySummary[]>();

  // --- Suggestions -------------------------------------------------------------------------------

  function isOpen(): boolean {
    return !listbox.hidden;
  }

  function open(): void {
    if (options.length === 0) return;
    listbox.hidden = false;
    input.setAttribute('aria-expanded', 'true');
  }

  function close(): void {
    listbox.hidden = true;
    input.setAttribute('aria-expanded', 'false');
    setActive(-1);
  }

  function setActive(index: number): void {
    const items = listbox.children;
    if (active >= 0 && items[active]) {
      items[active].classList.remove('is-active');
      items[active].setAttribute('aria-selected', 'false');
    }
    active = index >= 0 && index < items.length ? index : -1;
    if (active < 0) {
      input.removeAttribute('aria-activedescendant');
      return;
    }
    const item = items[active] as HTMLElement;
    item.classList.add('is-active');
    item.setAttribute('aria-selected', 'true');
    input.setAttribute('aria-activedescendant', item.id);
    item.scrollIntoView({ block: 'nearest' });
  }

  function isSelected(territory: TerritorySummary): boolean {
    return selected.some((ref) => ref === territory.ref || knownTerritory(ref)?.ref === territory.ref);
  }

  function renderOptions(items: TerritorySummary[], query: string): void {
    options = items;
    optionQuery = query;
    active = -1;
    input.removeAttribute('aria-activedescendant');
    listbox.replaceChildren(
      ...items.map((territory, index) => {
        const context = territoryContext(territory, query);
        const already = isSelected(territory);
        const option = h(
          'li',
          {
            id: `${prefix}-option-${index}`,
            class: 'territory-option' + (already ? ' territory-option--chosen' : ''),
            role: 'option',
            'aria-selected': 'false',
            'data-ref': territory.ref,
          },
          h('span', { class: 'territory-option__name' }, territory.name),
          h('span', { class: 'visually-hidden' }, ', '),
          h('span', { class: 'territory-option__level' }, levelLabel(territory.level)),
          context ? h('span', { class: 'visually-hidden' }, ', ') : null,
          context ? h('span', { class: 'territory-option__context' }, context) : null,
          already ? h('span', { class: 'territory-option__chosen' }, ' (déjà choisi)') : null,
        );
        option.addEventListener('click', () => choose(index));
        return option;
      }),
    );
  }

  function announce(text: string): void {
    status.textContent = text;
  }

  function show(items: TerritorySummary[], query: string): void {
    const move = pendingMove;
    pendingMove = 'none';
    renderOptions(items, query);
    if (items.length === 0) {
      close();
      announce('Aucun territoire');
      return;
    }
    // Only open while the visitor is still in the field.
    if (document.activeElement === input) {
      open();
      if (move === 'first') setActive(0);
      else if (move === 'last') setActive(items.length - 1);
    }
    announce(items.length === 1 ? '1 suggestion' : `${items.length} suggestions`);
  }

  async function fetchSuggestions(query: string): Promise<void> {
    controller?.abort();
    const mine = ++sequence;
    const cached = cache.get(query);
    if (cached) {
      show(cached, query);
      return;
    }
    controller = new AbortController();
    try {
      const list = await suggestTerritories(query, SUGGESTIONS, controller.signal, settings.level);
      if (mine !== sequence) return;
      const items = Array.isArray(list.items) ? list.items : [];
      items.forEach(rememberTerritory);
      cache.set(query, items);
      show(items, query);
    } catch (err) {
      if (isAbort(err) || mine !== sequence) return;
      pendingMove = 'none';
      renderOptions([], query);
      close();
      announce(err instanceof ApiError && err.status === 400 ? err.message : 'Suggestions indisponibles pour le moment');
    }
  }

  function currentQuery(): string {
    return clipToBytes(input.value.trim(), MAX_QUERY_BYTES);
  }

  function schedule(): void {
    window.clearTimeout(timer);
    pendingMove = 'none';
    const query = currentQuery();
    if (!query) {
      sequence++;
      controller?.abort();
      renderOptions([], '');
      close();
      announce('');
      return;
    }
    timer = window.setTimeout(() => void fetchSuggestions(query), DEBOUNCE_MS);
  }

  /** Opens the list for the text in the field, fetching it first when needed. */
  function openFor(then: 'first' | 'last' | 'none'): void {
    const query = currentQuery();
    if (!query) return;
    if (query === optionQuery && options.length > 0) {
      open();
      if (then === 'first') setActive(0);
      else if (then === 'last') setActive(options.length - 1);
      return;
    }
    window.clearTimeout(timer);
    pendingMove = then;
    void fetchSuggestions(query);
  }

  function choose(index: number): void {
    const territory = options[index];
    if (!territory) return;
    input.value = '';
    renderOptions([], '');
    close();
    input.focus();
    if (isSelected(territory)) {
      announce(`${territory.name} est déjà choisi`);
      return;
    }
    if (selected.length >= MAX_TERRITORIES) {
      announce(`${MAX_TERRITORIES} territoires au plus`);
      return;
    }
    rememberTerritory(territory);
    announce(settings.chosenMessage ? settings.chosenMessage(territory) : `${territory.name} ajouté aux filtres`);
    onChange([...selected, territory.ref]);
  }

  input.addEventListener('input', schedule);

  input.addEventListener('keydown', (event) => {
    if (event.isComposing) return;
    const count = options.length;
    switch (event.key) {
      case 'ArrowDown':
        event.preventDefault();
        if (!isOpen()) openFor(event.altKey ? 'none' : 'first');
        else if (!event.altKey) setActive(active < 0 || active >= count - 1 ? 0 : active + 1);
        break;
      case 'ArrowUp':
        event.preventDefault();
        if (!isOpen()) openFor('last');
        else if (event.altKey) close();
        else setActive(active <= 0 ? count - 1 : active - 1);
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
        } else if (isOpen()) {
          // Enter with the list open but nothing highlighted only closes it; the form is not sent.
          event.preventDefault();
          close();
        }
        break;
      case 'Escape':
        if (isOpen()) {
          event.preventDefault();
          close();
        } else if (input.value) {
          event.preventDefault();
          input.value = '';
          schedule();
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

  // --- Chips -------------------------------------------------------------------------------------

  function chipName(ref: string): string {
    return knownTerritory(ref)?.name ?? ref;
  }

  function renderChips(): void {
    // A re-render (a name arriving) keeps the focus on the same chip.
    const buttons = Array.from(chips.querySelectorAll('.territory-chip__remove'));
    const focused = buttons.indexOf(document.activeElement as Element);
    chips.replaceChildren(
      ...selected.map((ref, index) => {
        const territory = knownTerritory(ref);
        const name = chipName(ref);
        const remove = h(
          'button',
          { type: 'button', class: 'territory-chip__remove', 'aria-label': `Retirer le filtre ${name}`, title: `Retirer le filtre ${name}` },
          h('span', { 'aria-hidden': 'true' }, '×'),
        );
        remove.addEventListener('click', () => removeAt(index));
        return h(
          'li',
          { class: 'territory-chip', 'data-ref': ref },
          h('span', { class: 'territory-chip__name' }, name),
          territory ? h('span', { class: 'territory-chip__level' }, levelLabel(territory.level)) : null,
          remove,
        );
      }),
    );
    chips.hidden = selected.length === 0;
    clearAll.hidden = selected.length < 2;
    if (focused >= 0) chips.querySelectorAll<HTMLButtonElement>('.territory-chip__remove')[focused]?.focus();
  }

  function removeAt(index: number): void {
    const ref = selected[index];
    if (ref === undefined) return;
    const name = chipName(ref);
    const next = selected.filter((_, i) => i !== index);
    announce(`${name} retiré des filtres`);
    onChange(next);
    // The focus goes to the chip now in that place, else to the field.
    const buttons = chips.querySelectorAll<HTMLButtonElement>('.territory-chip__remove');
    const target = buttons[Math.min(index, buttons.length - 1)];
    (target ?? input).focus();
  }

  clearAll.addEventListener('click', () => {
    announce('Tous les territoires sont retirés des filtres');
    onChange([]);
    input.focus();
  });

  let loading = 0;

  function setSelected(refs: readonly string[]): void {
    selected = refs.slice();
    renderChips();
    const mine = ++loading;
    // Chips from a shared link: their names come from the API.
    for (const ref of selected) {
      if (knownTerritory(ref)) continue;
      territoryDetail(ref).then(
        () => {
          if (mine === loading) renderChips();
        },
        () => {
          // Unknown reference: the chip keeps the raw text; the search shows the API's message.
        },
      );
    }
  }

  return { element, input, setSelected };
}
