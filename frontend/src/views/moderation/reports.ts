import { ApiError, isAbort, UNAVAILABLE_MESSAGE } from '../../api';
import { getReports, reviewReport, type Report } from '../../commentsApi';
import { commentText } from '../../components/commentText';
import { errorMessage, emptyState, loadingIndicator } from '../../components/status';
import { toast } from '../../components/toast';
import { busy, errorText } from '../../components/form';
import { h, setTitle } from '../../dom';
import { formatDateTime } from '../../format';
import { loginHref } from '../../router';
import { sessionReady } from '../../session';
import type { View } from '../view';
import { moderationTabs } from '../moderation';

type Status = Report['status'];
const STATUS_LABELS: Record<Status, string> = { open: 'À traiter', dismissed: 'Classés sans suite', resolved: 'Traités' };
const DECISION_LABELS: Record<string, string> = {
  dismiss: 'Classé sans suite',
  resolve: 'Traité',
  hide: 'Commentaire masqué',
};

/**
 * `/moderation/signalements`: the reports sent from the pages of initiatives and from comments,
 * oldest first, with the reported text; for each open one, « Masquer le commentaire » (a comment),
 * « Marquer comme traité » and « Classer sans suite ». Moderators and administrators only.
 */
export function moderationReportsView(root: HTMLElement): View {
  const controller = new AbortController();
  let status: Status = 'open';
  let next: string | null = null;
  const heading = h('h1', { class: 'page-title', id: 'reports-title' }, 'Signalements');
  const intro = h(
    'p',
    { class: 'page-intro' },
    'Les erreurs signalées sur les fiches et les commentaires signalés par les visiteurs, les plus anciens d’abord.',
  );
  const filter = h(
    'select',
    { id: 'reports-status', class: 'field__input field__input--select' },
    ...(Object.keys(STATUS_LABELS) as Status[]).map((s) => h('option', { value: s }, STATUS_LABELS[s])),
  );
  const filterBox = h('div', { class: 'field reports__filter' }, h('label', { class: 'field__label', for: 'reports-status' }, 'Afficher'), filter);
  const statusArea = h('div', { class: 'reports__status' });
  const list = h('ol', { class: 'reports__list', 'aria-labelledby': 'reports-title' });
  const more = h('button', { type: 'button', class: 'button button--secondary', hidden: true }, 'Afficher les suivants');
  const content = h('div', { class: 'container moderation-reports' }, heading, moderationTabs('reports'), intro);
  root.append(content);
  setTitle('Signalements');

  function reportCard(report: Report): HTMLElement {
    const when = formatDateTime(report.created_at) ?? '';
    const reporter = report.reporter ? report.reporter.name : 'Visiteur non connecté';
    const titleId = `report-${report.id}-title`;
    const card = h(
      'li',
      { class: 'report-card', id: `signalement-${report.id}`, tabindex: '-1' },
      h(
        'h2',
        { class: 'report-card__title', id: titleId },
        report.target.kind === 'comment' ? 'Commentaire signalé sur ' : 'Erreur signalée sur ',
        h('a', { href: `/initiatives/${report.initiative.id}` }, report.initiative.title),
      ),
      h(
        'p',
        { class: 'report-card__meta' },
        `Le ${when}, par ${reporter}`,
        report.email ? ` (${report.email})` : null,
        report.status !== 'open' && report.decision ? ` — ${DECISION_LABELS[report.decision] ?? report.decision}` : null,
      ),
      h('p', { class: 'report-card__label' }, 'Motif du signalement :'),
      h('blockquote', { class: 'report-card__reason' }, report.reason),
      report.comment
        ? h(
            'div',
            { class: 'report-card__comment' },
            h(
              'p',
              { class: 'report-card__label' },
              `Commentaire de ${report.comment.author.name}`,
              report.comment.hidden ? ' (masqué)' : null,
              ' :',
            ),
            h('blockquote', { class: 'comment__body' }, ...commentText(report.comment.body_html)),
          )
        : report.target.kind === 'comment'
          ? h('p', { class: 'report-card__label' }, 'Le commentaire a été supprimé depuis.')
          : null,
      report.review_reason ? h('p', { class: 'report-card__meta' }, `Note : ${report.review_reason}`) : null,
    );
    if (report.status === 'open') {
      const actions = h('div', { class: 'report-card__actions', role: 'group', 'aria-labelledby': titleId });
      const decide = (decision: 'dismiss' | 'resolve' | 'hide', label: string, done: string, primary = false): void => {
        const button = h('button', { type: 'button', class: `button button--small ${primary ? 'button--primary' : 'button--secondary'}` }, label);
        button.addEventListener('click', () => {
          void busy(button, 'Un instant…', () => reviewReport(report.id, report.version, decision)).then(
            () => {
              const following = card.nextElementSibling ?? card.previousElementSibling;
              card.remove();
              toast(done);
              if (following instanceof HTMLElement) following.focus();
              else showEmptyIfNeeded();
            },
            (err: unknown) => {
              toast(errorText(err));
              if (err instanceof ApiError && err.status === 409) load();
            },
          );
        });
        actions.append(button);
      };
      if (report.comment && !report.comment.hidden) decide('hide', 'Masquer le commentaire', 'Commentaire masqué.', true);
      decide('resolve', 'Marquer comme traité', 'Signalement traité.');
      decide('dismiss', 'Classer sans suite', 'Signalement classé sans suite.');
      card.append(actions);
    }
    return card;
  }

  function showEmptyIfNeeded(): void {
    if (list.children.length > 0) return;
    list.hidden = true;
    statusArea.replaceChildren(
      emptyState(status === 'open' ? 'Aucun signalement à traiter.' : 'Aucun signalement ici.', [
        'Les signalements envoyés depuis les fiches et les commentaires apparaissent ici.',
      ]),
    );
  }

  function loadPage(cursor: string | null): void {
    if (cursor === null) {
      list.replaceChildren();
      list.hidden = true;
      statusArea.replaceChildren(loadingIndicator('Chargement des signalements…'));
    }
    getReports(status, cursor, controller.signal).then(
      (page) => {
        statusArea.replaceChildren();
        list.hidden = false;
        list.append(...page.items.map(reportCard));
        next = page.next_cursor;
        more.hidden = next === null;
        showEmptyIfNeeded();
      },
      (err: unknown) => {
        if (isAbort(err)) return;
        statusArea.replaceChildren(errorMessage(err instanceof ApiError ? err.message : UNAVAILABLE_MESSAGE, () => loadPage(cursor)));
      },
    );
  }

  function load(): void {
    loadPage(null);
  }

  filter.addEventListener('change', () => {
    status = filter.value as Status;
    load();
  });
  more.addEventListener('click', () => {
    if (next) loadPage(next);
  });

  content.append(statusArea);
  statusArea.replaceChildren(loadingIndicator('Chargement…'));
  void sessionReady().then((state) => {
    if (controller.signal.aborted) return;
    if (state.status !== 'signed-in') {
      statusArea.replaceChildren(
        h('p', null, 'Cette page est réservée à l’équipe de modération. ', h('a', { href: loginHref('connexion') }, 'Connectez-vous'), '.'),
      );
      return;
    }
    if (state.user.role !== 'moderator' && state.user.role !== 'admin') {
      statusArea.replaceChildren(h('p', null, 'Cette page est réservée à l’équipe de modération.'));
      return;
    }
    content.append(filterBox, statusArea, list, more);
    load();
  });

  return {
    destroy(): void {
      controller.abort();
    },
  };
}
