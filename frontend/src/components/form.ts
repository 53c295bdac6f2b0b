// Form fields with their label, hint and error, and the mapping of an API error to the field it
// names (`field`) or to the form's message area.
import { ApiError, UNAVAILABLE_MESSAGE } from '../api';
import { h } from '../dom';

type Control = HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement;

export interface Field<C extends Control = Control> {
  /** The API's field name (`display_name`), matched against an error's `field`. */
  name: string;
  element: HTMLElement;
  control: C;
  error: HTMLElement;
}

interface FieldOptions {
  id: string;
  name: string;
  label: string;
  hint?: string;
  required?: boolean;
  value?: string;
}

function describe(control: Control, ids: string[]): void {
  control.setAttribute('aria-describedby', ids.join(' '));
}

function build<C extends Control>(options: FieldOptions, control: C, extra: HTMLElement | null = null): Field<C> {
  const hintId = `${options.id}-hint`;
  const errorId = `${options.id}-error`;
  const hint = options.hint ? h('p', { class: 'field__hint', id: hintId }, options.hint) : null;
  const error = h('p', { class: 'field__error', id: errorId, 'aria-live': 'polite' });
  describe(control, hint ? [hintId, errorId] : [errorId]);
  const element = h(
    'div',
    { class: 'field form__field' },
    h('label', { class: 'field__label', for: options.id }, options.label, options.required === false ? ' (facultatif)' : null),
    hint,
    extra ?? control,
    error,
  );
  return { name: options.name, element, control, error };
}

export function textField(
  options: FieldOptions & { type?: 'text' | 'email'; autocomplete?: string; maxLength?: number },
): Field<HTMLInputElement> {
  const input = h('input', {
    id: options.id,
    name: options.name,
    type: options.type ?? 'text',
    class: 'field__input',
    autocomplete: options.autocomplete ?? 'off',
    required: options.required !== false,
    maxlength: options.maxLength,
    spellcheck: options.type === 'email' ? 'false' : null,
  });
  input.value = options.value ?? '';
  return build(options, input);
}

/** A password with « Afficher » / « Masquer » (aria-pressed), so it can be checked before sending. */
export function passwordField(options: FieldOptions & { autocomplete: 'current-password' | 'new-password' }): Field<HTMLInputElement> {
  const input = h('input', {
    id: options.id,
    name: options.name,
    type: 'password',
    class: 'field__input password__input',
    autocomplete: options.autocomplete,
    required: true,
    spellcheck: 'false',
  });
  const toggle = h(
    'button',
    { type: 'button', class: 'button button--tertiary password__toggle', 'aria-pressed': 'false', 'aria-controls': options.id },
    'Afficher',
    h('span', { class: 'visually-hidden' }, ' le mot de passe'),
  );
  toggle.addEventListener('click', () => {
    const show = input.type === 'password';
    input.type = show ? 'text' : 'password';
    toggle.setAttribute('aria-pressed', String(show));
    toggle.firstChild!.textContent = show ? 'Masquer' : 'Afficher';
  });
  return build(options, input, h('div', { class: 'password' }, input, toggle));
}

export function textArea(options: FieldOptions & { maxLength?: number; rows?: number }): Field<HTMLTextAreaElement> {
  const area = h('textarea', {
    id: options.id,
    name: options.name,
    class: 'field__input field__input--area',
    rows: options.rows ?? 3,
    maxlength: options.maxLength,
    required: options.required !== false,
  });
  area.value = options.value ?? '';
  return build(options, area);
}

export function selectField(options: FieldOptions & { choices: [string, string][] }): Field<HTMLSelectElement> {
  const select = h(
    'select',
    { id: options.id, name: options.name, class: 'field__input field__input--select' },
    ...options.choices.map(([value, label]) => h('option', { value }, label)),
  );
  if (options.value) select.value = options.value;
  return build(options, select);
}

/** The message area of a form: errors are alerts, confirmations polite. */
export function formMessage(): { element: HTMLElement; error(text: string): void; success(text: string): void; clear(): void } {
  const element = h('div', { class: 'form__message', 'aria-live': 'polite' });
  return {
    element,
    error(text: string) {
      element.replaceChildren(h('p', { class: 'alert alert--error form__alert', role: 'alert' }, text));
    },
    success(text: string) {
      element.replaceChildren(h('p', { class: 'notice notice--success' }, text));
    },
    clear() {
      element.replaceChildren();
    },
  };
}

export function setFieldError(field: Field, message: string | null): void {
  field.error.textContent = message ?? '';
  if (message) field.control.setAttribute('aria-invalid', 'true');
  else field.control.removeAttribute('aria-invalid');
}

export function clearErrors(fields: Field[], message?: { clear(): void }): void {
  for (const field of fields) setFieldError(field, null);
  message?.clear();
}

export function errorText(err: unknown): string {
  return err instanceof ApiError ? err.message : UNAVAILABLE_MESSAGE;
}

/**
 * Shows an API error beside the field it names (the field gets the focus), else in the form's
 * message area.
 */
export function showError(err: unknown, fields: Field[], message: { error(text: string): void }): void {
  const name = err instanceof ApiError ? err.field : null;
  const field = name ? fields.find((f) => f.name === name || name.startsWith(f.name + '.')) : undefined;
  if (field) {
    setFieldError(field, errorText(err));
    field.control.focus();
  } else {
    message.error(errorText(err));
  }
}

/** The password rule checked before sending; null when it holds. */
export function passwordProblem(password: string): string | null {
  if ([...password].length < 12) return 'Le mot de passe doit contenir au moins 12 caractères.';
  return null;
}

/** Disables the submit button while the request runs and says so in its text. */
export async function busy<T>(button: HTMLButtonElement, text: string, work: () => Promise<T>): Promise<T> {
  const before = button.textContent ?? '';
  button.disabled = true;
  button.setAttribute('aria-disabled', 'true');
  button.textContent = text;
  try {
    return await work();
  } finally {
    button.disabled = false;
    button.removeAttribute('aria-disabled');
    button.textContent = before;
  }
}
