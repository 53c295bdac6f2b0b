import { h } from '../dom';
import { formatPlace } from '../format';
import type { InitiativeItem } from '../types';
import { demoBadge } from './badge';
import { tagList } from './tags';

export function detailHref(id: number): string {
  return `/initiatives/${id}`;
}

/** One search result: title link, badges, summary, themes, place and actor. */
export function resultCard(item: InitiativeItem): HTMLLIElement {
  const place = formatPlace(item.territory);
  const actor = item.actor?.name ?? null;
  return h(
    'li',
    { class: 'card result-card', 'data-id': item.id },
    h(
      'div',
      { class: 'card__head' },
      h('h3', { class: 'card__title' }, h('a', { href: detailHref(item.id), class: 'card__link' }, item.title)),
      item.demo ? demoBadge() : null,
    ),
    item.summary ? h('p', { class: 'card__summary' }, item.summary) : null,
    tagList(item.themes, 'theme', 'Thèmes'),
    place || actor
      ? h(
          'p',
          { class: 'card__meta' },
          place
            ? h('span', { class: 'card__place' }, h('span', { class: 'visually-hidden' }, 'Lieu : '), h('span', { class: 'card__place-name' }, place))
            : null,
          actor ? h('span', { class: 'card__actor' }, h('span', { class: 'visually-hidden' }, 'Porteur : '), actor) : null,
        )
      : null,
  );
}
