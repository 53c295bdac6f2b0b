import { h } from '../dom';

/** A spinner with its text; role=status so the wait is announced. */
export function loadingIndicator(text = 'Chargement…'): HTMLElement {
  return h(
    'div',
    { class: 'loading', role: 'status' },
    h('span', { class: 'loading__spinner', 'aria-hidden': 'true' }),
    h('span', { class: 'loading__text' }, text),
  );
}

/** An error block with the message and, when given, a "Réessayer" button. */
export function errorMessage(message: string, onRetry?: () => void): HTMLElement {
  const box = h(
    'div',
    { class: 'alert alert--error', role: 'alert' },
    h('p', { class: 'alert__title' }, 'Une erreur est survenue'),
    h('p', { class: 'alert__text' }, message),
  );
  if (onRetry) {
    const retry = h('button', { type: 'button', class: 'button button--secondary' }, 'Réessayer');
    retry.addEventListener('click', onRetry);
    box.appendChild(retry);
  }
  return box;
}

/** The "nothing found" block, with hints and a way out. */
export function emptyState(title: string, hints: string[], action?: { href: string; text: string }): HTMLElement {
  return h(
    'div',
    { class: 'empty-state' },
    h('p', { class: 'empty-state__title' }, title),
    hints.length ? h('ul', { class: 'empty-state__hints' }, ...hints.map((hint) => h('li', null, hint))) : null,
    action ? h('a', { class: 'button button--secondary', href: action.href }, action.text) : null,
  );
}
