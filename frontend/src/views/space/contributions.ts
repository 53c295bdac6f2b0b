// « Mes contributions »: my proposals and corrections, and my claims (« Je porte ce projet »), each with
// its status and the moderator's reason. A draft or a contribution sent back for changes is reopened
// with « Reprendre »; a draft or a pending one can be withdrawn.
import { isAbort } from '../../api';
import { confirmDialog } from '../../components/dialog';
import { errorText } from '../../components/form';
import { emptyState, errorMessage, loadingIndicator } from '../../components/status';
import { toast } from '../../components/toast';
import { getMyClaims, getMyContributions, withdrawContribution, type Claim, type Contribution } from '../../contribApi';
import { h } from '../../dom';
import { formatDate } from '../../format';
import { panel, sectionFrame, type Section } from './section';

export const STATUS_LABELS: Record<string, string> = {
  draft: 'Brouillon',
  pending: 'En attente de modération',
  approved: 'Publiée',
  rejected: 'Refusée',
  changes_requested: 'Modifications demandées',
  withdrawn: 'Retirée',
};

const CLAIM_STATUS: Record<string, string> = {
  pending: 'En attente de modération',
  approved: 'Acceptée : vous portez ce projet',
  rejected: 'Refusée',
  withdrawn: 'Retirée',
};

function statusBadge(status: string, text: string): HTMLElement {
  return h('span', { class: `badge status-badge status-badge--${status}` }, text);
}

export function contributionsSection(container: HTMLElement): Section {
  const body = sectionFrame(container, 'Mes contributions', 'Vos propositions, corrections et demandes de porteur de projet, avec leur état.');
  const controller = new AbortController();

  function contributionItem(c: Contribution): HTMLElement {
    const title = c.kind === 'proposal' ? c.fields?.title || c.initiative?.title || 'Proposition sans titre' : c.initiative?.title ?? 'Correction';
    const reopen = c.status === 'draft' || c.status === 'changes_requested';
    const withdraw = c.status === 'draft' || c.status === 'pending' || c.status === 'changes_requested';
    const remove = withdraw ? h('button', { type: 'button', class: 'button button--small button--tertiary contribution__withdraw' }, 'Retirer', h('span', { class: 'visually-hidden' }, ` « ${title} »`)) : null;
    const li = h(
      'li',
      { class: 'contribution', 'data-id': c.id, 'data-status': c.status },
      h(
        'div',
        { class: 'contribution__head' },
        h('span', { class: 'contribution__kind' }, c.kind === 'proposal' ? 'Proposition' : 'Correction'),
        statusBadge(c.status, STATUS_LABELS[c.status] ?? c.status),
      ),
      h(
        'p',
        { class: 'contribution__title' },
        c.status === 'approved' && c.initiative ? h('a', { href: `/initiatives/${c.initiative.id}` }, title) : h('span', null, title),
      ),
      h(
        'p',
        { class: 'contribution__dates' },
        `Créée le ${formatDate(c.created_at) ?? ''}`,
        c.reviewed_at ? `, relue le ${formatDate(c.reviewed_at)}` : '',
        '.',
      ),
      c.reason ? h('p', { class: 'contribution__reason' }, h('strong', null, 'Motif de la modération : '), c.reason) : null,
      reopen || remove
        ? h(
            'div',
            { class: 'contribution__actions' },
            reopen ? h('a', { class: 'button button--small button--secondary contribution__reopen', href: `/contribuer?brouillon=${c.id}` }, 'Reprendre', h('span', { class: 'visually-hidden' }, ` « ${title} »`)) : null,
            remove,
          )
        : null,
    );
    remove?.addEventListener('click', () => {
      void confirmDialog('Retirer cette contribution ?', `« ${title} » ne sera pas examinée.`, 'Retirer').then((yes) => {
        if (!yes) return;
        withdrawContribution(c.id).then(
          () => {
            toast('Contribution retirée.');
            load();
          },
          (err: unknown) => toast(errorText(err)),
        );
      });
    });
    return li;
  }

  function claimItem(c: Claim): HTMLElement {
    const title = c.initiative?.title ?? 'Initiative';
    return h(
      'li',
      { class: 'contribution', 'data-id': c.id, 'data-status': c.status },
      h('div', { class: 'contribution__head' }, h('span', { class: 'contribution__kind' }, 'Je porte ce projet'), statusBadge(c.status, CLAIM_STATUS[c.status] ?? c.status)),
      h('p', { class: 'contribution__title' }, c.initiative ? h('a', { href: `/initiatives/${c.initiative.id}` }, title) : title),
      h('p', { class: 'contribution__dates' }, `Demandée le ${formatDate(c.created_at) ?? ''}.`),
      c.reason ? h('p', { class: 'contribution__reason' }, h('strong', null, 'Motif de la modération : '), c.reason) : null,
    );
  }

  function load(): void {
    body.replaceChildren(loadingIndicator('Chargement de vos contributions…'));
    Promise.all([getMyContributions(controller.signal), getMyClaims(controller.signal).catch(() => ({ items: [] as Claim[] }))]).then(
      ([contributions, claims]) => {
        const items = contributions.items ?? [];
        const claimItems = claims.items ?? [];
        if (items.length === 0 && claimItems.length === 0) {
          body.replaceChildren(
            emptyState(
              'Vous n’avez encore rien proposé',
              ['« Ajouter une initiative » propose un projet qui manque ; sur une fiche, « Suggérer une correction » ou « Je porte ce projet ».'],
              { href: '/contribuer', text: 'Ajouter une initiative' },
            ),
          );
          return;
        }
        body.replaceChildren(
          panel(
            'Propositions et corrections',
            'contributions-title',
            items.length
              ? h('ul', { class: 'contribution-list', 'aria-labelledby': 'contributions-title' }, ...items.map(contributionItem))
              : h('p', { class: 'panel__text' }, 'Aucune proposition ni correction.'),
            h('p', null, h('a', { class: 'button button--secondary', href: '/contribuer' }, 'Ajouter une initiative')),
          ),
          panel(
            'Projets que je porte',
            'claims-title',
            claimItems.length
              ? h('ul', { class: 'contribution-list', 'aria-labelledby': 'claims-title' }, ...claimItems.map(claimItem))
              : h('p', { class: 'panel__text' }, 'Aucune demande. Sur la fiche d’un projet que vous menez, « Je porte ce projet ».'),
          ),
        );
      },
      (err: unknown) => {
        if (isAbort(err)) return;
        body.replaceChildren(errorMessage(errorText(err), load));
      },
    );
  }
  load();
  return { destroy: () => controller.abort() };
}
