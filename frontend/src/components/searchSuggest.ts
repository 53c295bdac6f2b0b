import { ApiError, suggest } from '../api';
import { h } from '../dom';
import { levelLabel, rememberTerritory, territoryContext } from '../territories';
import type { Suggestions, TerritorySummary } from '../types';
import { attachCombobox } from './combobox';

const MIN_CHARS = 2;
const PER_GROUP = 5;

export interface SuggestHandlers {
  /** An initiative chosen: its page opens. */
  onInitiative(id: number): void;
  onTerritory(territory: TerritorySummary): void;
  onTheme(kind: 'theme' | 'subtheme', code: string, label: string): void;
}

type Choice =
  | { kind: 'initiative'; id: number; label: string; place: string | null }
  | { kind: 'territory'; territory: TerritorySummary; label: string; context: string }
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
  const announce = (text: string): void => {
    status.textContent = text;
  };

  /** The answer as one list, in the order shown: initiatives, territories, themes. */
  function choicesOf(data: Suggestions, query: string): Choice[] {
    const initiatives = Array.isArray(data.initiatives) ? data.initiatives : [];
    const territories = Array.isArray(data.territories) ? data.territories : [];
    const themes = Array.isArray(data.themes) ? data.themes : [];
    return [
      ...initiatives
        .filter((item) => Number.isSafeInteger(item.id) && typeof item.title === 'string')
        .map((item): Choice => ({ kind: 'initiative', id: item.id, label: item.title, place: typeof item.place === 'string' && item.place ? item.place : null })),
      ...territories
        .filter((t) => t && typeof t.ref === 'string' && typeof t.name === 'string')
        .map((t): Choice => ({ kind: 'territory', territory: t, label: t.name, context: territoryContext(t, query) })),
      ...themes
        .filter((t) => t && typeof t.code === 'string' && typeof t.label === 'string')
        .map((t): Choice => ({ kind: 'theme', theme: t.kind === 'subtheme' ? 'subtheme' : 'theme', code: t.code, label: t.label })),
    ];
  }

  function optionContent(choice: Choice): HTMLElement[] {
    const name = h('span', { class: 'suggest__name' }, choice.label);
    const comma = (): HTMLElement => h('span', { class: 'visually-hidden' }, ', ');
    switch (choice.kind) {
      case 'initiative':
        // The town tells apart titles that begin alike (« Jardin partagé… » in five towns).
        return choice.place ? [name, comma(), h('span', { class: 'suggest__context' }, choice.place)] : [name];
      case 'territory':
        return [
          name,
          comma(),
          h('span', { class: 'suggest__level' }, levelLabel(choice.territory.level)),
          ...(choice.context ? [comma(), h('span', { class: 'suggest__context' }, choice.context)] : []),
        ];
      case 'theme':
        return [name, comma(), h('span', { class: 'suggest__level' }, choice.theme === 'subtheme' ? 'Sous-thème' : 'Thème')];
    }
  }

  const groups: { kind: Choice['kind']; key: string; title: string }[] = [
    { kind: 'initiative', key: 'initiatives', title: 'Initiatives' },
    { kind: 'territory', key: 'territories', title: 'Territoires' },
    { kind: 'theme', key: 'themes', title: 'Thèmes' },
  ];

  function render(choices: Choice[]): HTMLElement[] {
    const options: HTMLElement[] = [];
    const groupEls = groups.flatMap(({ kind, key, title }) => {
      const mine = choices.filter((c) => c.kind === kind);
      if (mine.length === 0) return [];
      const headingId = `${listboxId}-${key}`;
      // choices come grouped in this order, so the options follow them one for one.
      const els = mine.map((choice) => {
        const el = h(
          'div',
          { id: `${listboxId}-option-${options.length}`, class: `suggest__option suggest__option--${key}`, role: 'option', 'aria-selected': 'false' },
          ...optionContent(choice),
        );
        options.push(el);
        return el;
      });
      return [
        h(
          'div',
          { class: 'suggest__group', role: 'group', 'aria-labelledby': headingId },
          h('div', { id: headingId, class: 'suggest__group-label', role: 'presentation' }, title),
          ...els,
        ),
      ];
    });
    listbox.replaceChildren(...groupEls);
    return options;
  }

  attachCombobox<Choice>({
    input,
    listbox,
    minChars: MIN_CHARS,
    enabled: () => !unavailable,
    async load(query, signal) {
      const data = await suggest(query, PER_GROUP, signal);
      (Array.isArray(data.territories) ? data.territories : []).forEach(rememberTerritory);
      return choicesOf(data, query);
    },
    render,
    choose(choice) {
      switch (choice.kind) {
        case 'initiative':
          handlers.onInitiative(choice.id);
          break;
        case 'territory':
          rememberTerritory(choice.territory);
          announce(`${choice.label} ajouté aux filtres`);
          handlers.onTerritory(choice.territory);
          break;
        case 'theme':
          announce(`${choice.label} ajouté aux filtres`);
          handlers.onTheme(choice.theme, choice.code, choice.label);
          break;
      }
    },
    announce,
    emptyMessage: '',
    failed(err) {
      // No suggestion service (404): the field stays a plain search field.
      if (err instanceof ApiError && err.status === 404) unavailable = true;
      return '';
    },
    upOpens: false,
    enterWithoutOption: 'submit',
  });

  return [listbox, status];
}
