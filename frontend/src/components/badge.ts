import { h } from '../dom';

/** The "Démo" badge of a demonstration record; the hidden text tells screen readers what it means. */
export function demoBadge(): HTMLElement {
  return h(
    'span',
    { class: 'badge badge--demo', title: 'Données de démonstration' },
    'Démo',
    h('span', { class: 'visually-hidden' }, ' : données de démonstration'),
  );
}
