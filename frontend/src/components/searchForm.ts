import { h } from '../dom';
import { queryHelp } from './queryHelp';
import { attachSuggestions, type SuggestHandlers } from './searchSuggest';

export interface SearchForm {
  element: HTMLFormElement;
  input: HTMLInputElement;
  setValue(q: string): void;
}

/**
 * The search box: a labelled input and a submit button inside a role=search form. `extra` (the
 * territory field) goes under the text field, inside the same form; with `suggestions` the field
 * is a combobox offering initiatives, territories and themes as one types.
 */
export function searchForm(onSubmit: (q: string) => void, extra?: HTMLElement, suggestions?: SuggestHandlers): SearchForm {
  const input = h('input', {
    id: 'search-q',
    class: 'search-box__input',
    type: 'search',
    name: 'q',
    autocomplete: 'off',
    spellcheck: 'false',
    // 150 UTF-16 units are at most 450 bytes of UTF-8, under the API limit of 500.
    maxlength: 150,
    'aria-describedby': 'search-q-hint',
  });
  const element = h(
    'form',
    { class: 'search-box', role: 'search', action: '/', method: 'get' },
    h('label', { class: 'search-box__label', for: 'search-q' }, 'Rechercher une initiative'),
    h(
      'p',
      { id: 'search-q-hint', class: 'search-box__hint' },
      'Un thème, un lieu, un porteur de projet… Par exemple : jardin partagé, Lyon, insertion.',
    ),
    h(
      'div',
      { class: 'search-box__row' },
      h('div', { class: 'search-box__combo' }, input, ...(suggestions ? attachSuggestions(input, suggestions) : [])),
      h('button', { class: 'button button--primary search-box__submit', type: 'submit' }, 'Rechercher'),
    ),
    extra,
  );
  // The query language, explained from the box; an example chosen is searched at once.
  const help = queryHelp((query) => {
    input.value = query;
    input.focus();
    onSubmit(query);
  });
  element.insertBefore(help, element.querySelector('.search-box__row')!.nextSibling);
  element.addEventListener('submit', (event) => {
    event.preventDefault();
    onSubmit(input.value.trim());
  });
  return {
    element,
    input,
    setValue(q: string) {
      if (input.value !== q) input.value = q;
    },
  };
}
