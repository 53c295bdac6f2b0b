import { h, setTitle } from '../dom';
import { lastSearchUrl } from '../router';

/** The "not found" page, for an unknown initiative or an unknown address. */
const TITLES = { initiative: 'Initiative introuvable', collection: 'Collection introuvable', page: 'Page introuvable' };
const TEXTS = {
  initiative:
    "Cette initiative n'existe pas ou n'est plus publiée. Le lien que vous avez suivi est peut-être ancien ou incomplet.",
  collection: "Cette collection n'existe pas, n'est pas publique ou a été supprimée. Le lien que vous avez suivi est peut-être ancien ou incomplet.",
  page: "L'adresse demandée ne correspond à aucune page de SocialConnect.",
};

export function renderNotFound(root: HTMLElement, kind: 'initiative' | 'collection' | 'page'): void {
  const title = TITLES[kind];
  setTitle(title);
  root.replaceChildren(
    h(
      'div',
      { class: 'container not-found' },
      h('h1', { class: 'not-found__title' }, title),
      h('p', { class: 'not-found__text' }, TEXTS[kind]),
      h(
        'p',
        { class: 'not-found__actions' },
        h('a', { class: 'button button--primary', href: lastSearchUrl() }, 'Revenir à la recherche'),
      ),
    ),
  );
}

export function notFoundView(root: HTMLElement): { destroy(): void } {
  renderNotFound(root, 'page');
  return { destroy() {} };
}
