import { ApiError, suggestTerritories } from '../api';
import { h } from '../dom';
import { MAX_TERRITORIES } from '../searchState';
import { knownTerritory, levelLabel, rememberTerritory, territoryContext, territoryDetail } from '../territories';
import type { TerritorySummary } from '../types';
import { attachCombobox } from './combobox';

const SUGGESTIONS = 8;

export interface TerritoryPicker {
  element: HTMLElement;
  input: HTMLInputElement;
  /** Shows the territories of the current URL as chips. */
  setSelected(refs: readonly string[]): void;
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

  // --- Suggestions -------------------------------------------------------------------------------

  function announce(text: string): void {
    status.textContent = text;
  }

  function isSelected(territory: TerritorySummary): boolean {
    return selected.some((ref) => ref === territory.ref || knownTerritory(ref)?.ref === territory.ref);
  }

  function render(items: TerritorySummary[], query: string): HTMLElement[] {
    const options = items.map((territory, index) => {
      const context = territoryContext(territory, query);
      const already = isSelected(territory);
      return h(
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
    });
    listbox.replaceChildren(...options);
    return options;
  }

  function choose(territory: TerritorySummary): void {
    input.value = '';
    combobox.reset();
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

  const combobox = attachCombobox<TerritorySummary>({
    input,
    listbox,
    minChars: 1,
    async load(query, signal) {
      const list = await suggestTerritories(query, SUGGESTIONS, signal, settings.level);
      const items = Array.isArray(list.items) ? list.items : [];
      items.forEach(rememberTerritory);
      return items;
    },
    render,
    choose,
    announce,
    emptyMessage: 'Aucun territoire',
    failed: (err) => (err instanceof ApiError && err.status === 400 ? err.message : 'Suggestions indisponibles pour le moment'),
    // Up opens the list on its last territory; Enter with none highlighted only closes the list,
    // the form is not sent; Escape on a closed list empties the field.
    upOpens: true,
    enterWithoutOption: 'close',
    escapeClosed() {
      if (!input.value) return false;
      input.value = '';
      combobox.refresh();
      return true;
    },
  });

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
