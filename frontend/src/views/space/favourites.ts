// « Mes favoris »: the initiatives I starred, newest first, as result cards.
import { isAbort } from '../../api';
import { getFavourites } from '../../accountApi';
import { errorText } from '../../components/form';
import { resultCard } from '../../components/resultCard';
import { emptyState, errorMessage, loadingIndicator } from '../../components/status';
import { h } from '../../dom';
import { sectionFrame, type Section } from './section';

export function favouritesSection(container: HTMLElement): Section {
  const body = sectionFrame(container, 'Mes favoris');
  const list = h('ol', { class: 'results favourites-list', 'aria-label': 'Mes favoris' });
  const more = h('button', { type: 'button', class: 'button button--secondary load-more__button' }, 'Voir plus');
  const moreBox = h('div', { class: 'load-more', hidden: true }, more);
  const controller = new AbortController();
  let cursor: string | null = null;

  function load(first: boolean): void {
    if (first) body.replaceChildren(loadingIndicator('Chargement de vos favoris…'));
    more.disabled = true;
    getFavourites(cursor, controller.signal).then(
      (page) => {
        const items = Array.isArray(page.items) ? page.items : [];
        cursor = page.next_cursor;
        if (first && items.length === 0) {
          body.replaceChildren(
            emptyState(
              'Vous n’avez pas encore de favori',
              ['Sur une fiche ou un résultat de recherche, « Ajouter aux favoris » garde l’initiative ici.'],
              { href: '/', text: 'Rechercher des initiatives' },
            ),
          );
          return;
        }
        const firstNew = list.children.length;
        list.append(...items.map((item) => resultCard(item)));
        if (first) body.replaceChildren(list, moreBox);
        else list.children[firstNew]?.querySelector<HTMLElement>('a')?.focus();
        moreBox.hidden = cursor === null;
        more.disabled = false;
      },
      (err: unknown) => {
        if (isAbort(err)) return;
        more.disabled = false;
        if (first) body.replaceChildren(errorMessage(errorText(err), () => load(true)));
        else moreBox.append(errorMessage(errorText(err)));
      },
    );
  }
  more.addEventListener('click', () => load(false));
  load(true);
  return { destroy: () => controller.abort() };
}
