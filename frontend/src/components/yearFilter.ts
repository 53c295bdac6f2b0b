import { h } from '../dom';
import { parseYear, YEAR_MAX, YEAR_MIN, type SearchState } from '../searchState';

export interface YearFilter {
  element: HTMLElement;
  render(state: SearchState): void;
}

/** "Année de lancement : de … à …", both optional; onChange receives the bounds (null: none). */
export function yearFilter(onChange: (min: number | null, max: number | null) => void): YearFilter {
  const field = (id: string): HTMLInputElement =>
    h('input', {
      id,
      class: 'field__input field__input--year',
      type: 'text',
      inputmode: 'numeric',
      maxlength: 4,
      autocomplete: 'off',
      placeholder: 'AAAA',
      'aria-describedby': 'year-hint year-error',
    });
  const from = field('year-min');
  const to = field('year-max');
  const error = h('p', { class: 'field__error year-filter__error', id: 'year-error', hidden: true });
  const form = h(
    'form',
    { class: 'year-filter__form', novalidate: true },
    h('p', { class: 'field__hint', id: 'year-hint' }, `Année de démarrage de l’initiative, entre ${YEAR_MIN} et ${YEAR_MAX} ; laissez vide pour ne pas borner.`),
    h(
      'fieldset',
      { class: 'field field__row' },
      h('legend', { class: 'visually-hidden' }, 'Année de lancement'),
      h('label', { for: 'year-min', class: 'year-filter__label' }, 'Depuis'),
      from,
      h('label', { for: 'year-max', class: 'year-filter__label' }, 'jusqu’en'),
      to,
      h('button', { type: 'submit', class: 'button button--secondary year-filter__apply' }, 'Appliquer'),
    ),
    error,
  );

  function fail(input: HTMLInputElement, message: string): void {
    error.textContent = message;
    error.hidden = false;
    input.setAttribute('aria-invalid', 'true');
    input.focus();
  }

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    from.removeAttribute('aria-invalid');
    to.removeAttribute('aria-invalid');
    error.hidden = true;
    const read = (input: HTMLInputElement): number | null | 'invalid' =>
      input.value.trim() === '' ? null : (parseYear(input.value) ?? 'invalid');
    const min = read(from);
    const max = read(to);
    const invalid = `Saisissez une année de quatre chiffres, entre ${YEAR_MIN} et ${YEAR_MAX}.`;
    if (min === 'invalid') return fail(from, invalid);
    if (max === 'invalid') return fail(to, invalid);
    if (min !== null && max !== null && min > max) return fail(to, 'L’année de fin doit être postérieure ou égale à l’année de début.');
    onChange(min, max);
  });

  const details = h(
    'details',
    { class: 'near-search year-filter', id: 'year-filter' },
    h('summary', { class: 'near-search__summary' }, 'Année de lancement'),
    h('div', { class: 'near-search__body' }, form),
  );
  let rendered = false;

  return {
    element: details,
    render(state: SearchState): void {
      if (document.activeElement !== from) from.value = state.yearMin === null ? '' : String(state.yearMin);
      if (document.activeElement !== to) to.value = state.yearMax === null ? '' : String(state.yearMax);
      if (!rendered && (state.yearMin !== null || state.yearMax !== null)) details.open = true;
      rendered = true;
    },
  };
}
