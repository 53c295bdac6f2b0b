import { h, markedText } from '../dom';
import { formatDistance, formatPlace } from '../format';
import { hasPoint } from '../map';
import type { SearchItem } from '../types';
import { demoBadge } from './badge';
import { collectionButton } from './collectionDialog';
import { favouriteButton } from './favouriteButton';
import { tagList } from './tags';

export function detailHref(id: number): string {
  return `/initiatives/${id}`;
}

/** The matched passage, else the summary. */
function cardText(item: SearchItem): HTMLElement | null {
  if (typeof item.excerpt === 'string' && item.excerpt.trim() !== '') {
    const p = h('p', { class: 'card__summary card__excerpt' });
    p.append(...markedText(item.excerpt));
    return p;
  }
  return item.summary ? h('p', { class: 'card__summary' }, item.summary) : null;
}

/**
 * One search result: title link, badges, summary (or matched passage), themes, place, distance and
 * actor; the favourite star and « Ajouter à une collection »; with onLocate and a location, a "Voir sur
 * la carte" button (given itself, to focus back).
 */
export function resultCard(item: SearchItem, onLocate?: (origin: HTMLButtonElement) => void): HTMLLIElement {
  const place = formatPlace(item.territory);
  const actor = item.actor?.name ?? null;
  const distance = typeof item.distance_m === 'number' && Number.isFinite(item.distance_m) ? formatDistance(item.distance_m) : null;
  let locate: HTMLButtonElement | null = null;
  if (onLocate && hasPoint(item)) {
    const button = h(
      'button',
      { type: 'button', class: 'button button--small button--tertiary card__locate' },
      'Voir sur la carte',
      h('span', { class: 'visually-hidden' }, ` : ${item.title}`),
    );
    button.addEventListener('click', () => onLocate(button));
    locate = button;
  }
  return h(
    'li',
    { class: 'card result-card', 'data-id': item.id },
    h(
      'div',
      { class: 'card__head' },
      h('h3', { class: 'card__title' }, h('a', { href: detailHref(item.id), class: 'card__link' }, item.title)),
      item.demo ? demoBadge() : null,
    ),
    cardText(item),
    tagList(item.themes, 'theme', 'Thèmes'),
    place || actor || distance
      ? h(
          'p',
          { class: 'card__meta' },
          place
            ? h('span', { class: 'card__place' }, h('span', { class: 'visually-hidden' }, 'Lieu : '), h('span', { class: 'card__place-name' }, place))
            : null,
          distance ? h('span', { class: 'card__distance' }, `à ${distance}`) : null,
          actor ? h('span', { class: 'card__actor' }, h('span', { class: 'visually-hidden' }, 'Porteur : '), actor) : null,
        )
      : null,
    h('div', { class: 'card-actions' }, favouriteButton(item.id, item.title), collectionButton(item.id, item.title), locate),
  );
}
