// « Mes communautés »: those I am in, those I asked to join, with a way to the directory and to
// create one.
import { isAbort } from '../../api';
import { myCommunities, type Community } from '../../communitiesApi';
import { errorText } from '../../components/form';
import { emptyState, errorMessage, loadingIndicator } from '../../components/status';
import { h } from '../../dom';
import { communityCard } from '../communities/shared';
import { sectionFrame, type Section } from './section';

export function communitiesSection(container: HTMLElement): Section {
  const body = sectionFrame(container, 'Mes communautés', 'Les communautés dont vous êtes membre et vos demandes en attente.');
  const controller = new AbortController();
  const box = h('div', { class: 'my-communities' });
  body.append(
    h(
      'p',
      { class: 'card-actions' },
      h('a', { class: 'button button--primary', href: '/communautes/nouvelle' }, 'Créer une communauté'),
      ' ',
      h('a', { class: 'button button--secondary', href: '/communautes' }, 'Parcourir les communautés'),
    ),
    box,
  );

  function group(title: string, id: string, items: Community[]): HTMLElement {
    return h(
      'section',
      { class: 'panel', 'aria-labelledby': id },
      h('h3', { class: 'panel__title', id }, title),
      h('ul', { class: 'results community-list' }, ...items.map((c) => communityCard(c, 'h3'))),
    );
  }

  function load(): void {
    box.replaceChildren(loadingIndicator('Chargement de vos communautés…'));
    myCommunities(controller.signal).then(
      (answer) => {
        const items = Array.isArray(answer.items) ? answer.items : [];
        const members = items.filter((c) => c.me?.status === 'member');
        const pending = items.filter((c) => c.me?.status === 'pending');
        if (items.length === 0) {
          box.replaceChildren(emptyState('Vous ne faites partie d’aucune communauté pour l’instant.', ['Parcourez l’annuaire pour en rejoindre une, ou créez la vôtre.']));
          return;
        }
        box.replaceChildren(
          members.length ? group('Membre', 'my-communities-member', members) : h('p', null, 'Vous n’êtes encore membre d’aucune communauté.'),
          pending.length ? group('Demandes en attente', 'my-communities-pending', pending) : '',
        );
      },
      (err: unknown) => {
        if (!isAbort(err)) box.replaceChildren(errorMessage(errorText(err), load));
      },
    );
  }
  load();
  return { destroy: () => controller.abort() };
}
