// `/moderation`: the queue of the moderators (oldest first), filtered by kind, theme, territory and
// age (the filters live in the URL). Each item opens its review panel: the proposal's fields, the
// correction's base / current / proposed values, the claim's message, the source change's two values;
// « Approuver », « Refuser » and « Demander des modifications » (these two need a reason), or « Garder
// notre valeur » / « Prendre la valeur de la source ». A 409 says someone decided first. Signed out:
// to the log-in page; signed in without the role: a clear 403 page. Reports have their own tab.
import { ApiError, getVocabularies, isAbort } from '../api';
import { correctionTable, proposalList } from '../components/contribute/fieldDiff';
import { FIELD_ORDER, fieldLabel, labelsOf, valueText, type Labels } from '../components/contribute/fieldValues';
import { busy, errorText, formMessage, selectField, textArea } from '../components/form';
import { emptyState, errorMessage, loadingIndicator } from '../components/status';
import { territoryPicker } from '../components/territoryPicker';
import { toast } from '../components/toast';
import {
  getContribution,
  getQueue,
  reviewClaim,
  reviewContribution,
  reviewSourceChange,
  type Claim,
  type Contribution,
  type SourceChangeDetail,
  type ContributionDecision,
  type QueueFilters,
  type QueueItem,
} from '../contribApi';
import { append, h, setTitle, type Child } from '../dom';
import { formatDateTime, formatRelative } from '../format';
import { loginHref, navigate } from '../router';
import { onSession, sessionState, type SessionState } from '../session';
import type { Vocabularies } from '../types';
import type { View } from './view';

export const KIND_LABELS: Record<string, string> = {
  proposal: 'Proposition',
  correction: 'Correction',
  claim: 'Revendication',
  report: 'Signalement',
  source_change: 'Changement de la source',
};

const KIND_FILTERS: [string, string][] = [
  ['', 'Tout'],
  ['proposal', 'Propositions'],
  ['correction', 'Corrections'],
  ['claim', 'Revendications'],
  ['report', 'Signalements'],
  ['source_change', 'Changements de la source'],
];

const AGE_FILTERS: [string, string][] = [
  ['', 'Toutes'],
  ['1', 'Plus d’un jour'],
  ['7', 'Plus d’une semaine'],
  ['30', 'Plus d’un mois'],
];

export const CONFLICT_DECIDED = "Quelqu'un d'autre a déjà décidé de cet élément, ou l'a modifié entre-temps. La file est rechargée.";

function filtersOf(query: URLSearchParams): QueueFilters {
  return {
    kind: query.get('kind') ?? '',
    theme: query.get('theme') ?? '',
    territory: query.get('territory') ?? '',
    older_than_days: query.get('older_than_days') ?? '',
  };
}

function urlOf(filters: QueueFilters): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(filters)) if (v) params.set(k, v);
  const q = params.toString().replace(/%3A/gi, ':');
  return '/moderation' + (q ? '?' + q : '');
}

/** The tabs of the moderation pages; the reports' page is its own. */
export function moderationTabs(current: 'queue' | 'reports'): HTMLElement {
  const link = (href: string, text: string, key: string): HTMLElement =>
    h('li', null, h('a', { class: 'tabs__link', href, 'aria-current': key === current ? 'page' : null }, text));
  return h('nav', { class: 'tabs moderation__tabs', 'aria-label': 'Modération' }, h('ul', { class: 'tabs__list' }, link('/moderation', 'File de modération', 'queue'), link('/moderation/signalements', 'Signalements', 'reports')));
}

/** The page said to someone signed in without the moderator role. */
export function forbiddenPage(container: HTMLElement): void {
  setTitle('Accès réservé');
  container.replaceChildren(
    h(
      'div',
      { class: 'forbidden', role: 'alert' },
      h('h1', { class: 'forbidden__title' }, 'Accès réservé à la modération'),
      h('p', null, "Cette page est réservée aux modératrices et modérateurs de SocialConnect. Votre compte n'a pas ce rôle (erreur 403)."),
      h('p', null, h('a', { href: '/' }, "Retour à l'accueil")),
    ),
  );
}

/** The queue's summary in words: the corrected fields by their French names. */
function summaryOf(item: QueueItem): string {
  const detail = item.detail as Partial<Contribution> | null;
  if (item.kind === 'correction' && detail && detail.fields && typeof detail.fields === 'object') {
    return `Correction : ${Object.keys(detail.fields).map(fieldLabel).join(', ')}`;
  }
  if (item.kind === 'source_change') {
    const change = detail as Partial<SourceChangeDetail> | null;
    if (change?.field) return `La source a changé ce champ : ${fieldLabel(change.field)}`;
  }
  return item.summary;
}

function fill(parent: HTMLElement, ...children: Child[]): void {
  parent.replaceChildren();
  append(parent, ...children);
}

export function moderationView(root: HTMLElement, query: URLSearchParams): View {
  const controller = new AbortController();
  const container = h('div', { class: 'container moderation' });
  root.append(container);
  setTitle('Modération');
  let filters = filtersOf(query);
  let cursor: string | null = null;
  let labels: Labels = labelsOf(null);
  let vocabularies: Vocabularies | null = null;
  let live = true;
  let built = false;
  const list = h('ul', { class: 'queue' });
  const more = h('button', { type: 'button', class: 'button button--secondary queue__more', hidden: true }, 'Voir la suite');
  const status = h('div', { class: 'queue__status' });
  const count = h('p', { class: 'queue__count', role: 'status' });

  function filterForm(): HTMLElement {
    const kind = selectField({ id: 'mod-kind', name: 'kind', label: 'Type', required: false, choices: KIND_FILTERS, value: filters.kind });
    kind.element.querySelector('label')!.lastChild?.remove(); // no « (facultatif) » on filters
    const theme = selectField({
      id: 'mod-theme',
      name: 'theme',
      label: 'Thème',
      required: false,
      choices: [['', 'Tous'], ...(vocabularies?.themes ?? []).map((t): [string, string] => [t.code, t.label])],
      value: filters.theme,
    });
    theme.element.querySelector('label')!.lastChild?.remove();
    const age = selectField({ id: 'mod-age', name: 'older_than_days', label: 'Ancienneté', required: false, choices: AGE_FILTERS, value: filters.older_than_days });
    age.element.querySelector('label')!.lastChild?.remove();
    const picker = territoryPicker(
      (refs) => {
        filters = { ...filters, territory: refs[refs.length - 1] ?? '' };
        picker.setSelected(filters.territory ? [filters.territory] : []);
        apply();
      },
      { id: 'mod-territory', label: 'Territoire', hint: 'Une région, un département ou une commune.', chosenMessage: (t) => `${t.name} : la file est filtrée.` },
    );
    picker.setSelected(filters.territory ? [filters.territory] : []);
    const onChange = (): void => {
      filters = { ...filters, kind: kind.control.value, theme: theme.control.value, older_than_days: age.control.value };
      apply();
    };
    for (const s of [kind, theme, age]) s.control.addEventListener('change', onChange);
    return h(
      'form',
      { class: 'queue-filters', role: 'search', 'aria-label': 'Filtrer la file' },
      kind.element,
      theme.element,
      h('div', { class: 'queue-filters__territory' }, picker.element),
      age.element,
    );
  }

  function apply(): void {
    navigate(urlOf(filters), { replace: true });
    reload();
  }

  function build(): void {
    built = true;
    container.replaceChildren(
      h('h1', { class: 'moderation__title', id: 'page-title' }, 'Modération'),
      moderationTabs('queue'),
      filterForm(),
      count,
      status,
      list,
      more,
    );
    reload();
  }

  function reload(): void {
    cursor = null;
    list.replaceChildren();
    count.textContent = '';
    if (filters.kind === 'report') {
      // Reports are reviewed in their own tab.
      more.hidden = true;
      status.replaceChildren(
        h('p', { class: 'notice' }, 'Les signalements se traitent dans leur onglet : ', h('a', { href: '/moderation/signalements' }, 'ouvrir les signalements'), '.'),
      );
      return;
    }
    status.replaceChildren(loadingIndicator('Chargement de la file…'));
    page();
  }

  function page(): void {
    more.hidden = true;
    getQueue(filters, cursor, controller.signal).then(
      (answer) => {
        status.replaceChildren();
        const first = list.childElementCount === 0;
        for (const item of answer.items) list.append(queueItem(item));
        cursor = answer.next_cursor;
        more.hidden = !cursor;
        if (first && answer.items.length === 0) {
          status.replaceChildren(emptyState('Rien à examiner avec ces filtres.', ['Changez le type, le thème, le territoire ou l’ancienneté.']));
        }
        count.textContent = list.childElementCount === 0 ? 'Aucun élément à examiner.' : `${list.childElementCount}${cursor ? '+' : ''} élément${list.childElementCount > 1 ? 's' : ''} à examiner.`;
      },
      (err: unknown) => {
        if (isAbort(err)) return;
        if (err instanceof ApiError && err.status === 403) {
          forbiddenPage(container);
          return;
        }
        if (err instanceof ApiError && err.status === 401) {
          navigate(loginHref('connexion'), { replace: true });
          return;
        }
        status.replaceChildren(errorMessage(errorText(err), page));
      },
    );
  }

  function queueItem(item: QueueItem): HTMLElement {
    const panelId = `review-${item.kind}-${item.id}`;
    const open = h(
      'button',
      { type: 'button', class: 'button button--small button--secondary queue-item__open', 'aria-expanded': 'false', 'aria-controls': panelId },
      'Examiner',
      h('span', { class: 'visually-hidden' }, ` : ${item.summary}`),
    );
    const panel = h('div', { class: 'review', id: panelId, hidden: true });
    const when = formatRelative(item.created_at);
    const li = h(
      'li',
      { class: 'queue-item', 'data-kind': item.kind, 'data-id': item.id },
      h(
        'div',
        { class: 'queue-item__head' },
        h('span', { class: `badge queue-item__kind queue-item__kind--${item.kind}` }, KIND_LABELS[item.kind] ?? item.kind),
        h('p', { class: 'queue-item__summary' }, summaryOf(item)),
        h(
          'p',
          { class: 'queue-item__meta' },
          item.initiative
            ? h('a', { href: `/initiatives/${item.initiative.id}`, class: 'queue-item__title' }, item.initiative.title)
            : item.title
              ? h('span', { class: 'queue-item__title' }, `« ${item.title} »`)
              : null,
          item.initiative || item.title ? ' — ' : null,
          item.author ? `par ${item.author.name} — ` : null,
          h('time', { datetime: item.created_at, title: formatDateTime(item.created_at) ?? '' }, when ?? item.created_at),
        ),
        open,
      ),
      panel,
    );
    open.addEventListener('click', () => {
      const opening = panel.hidden;
      panel.hidden = !opening;
      open.setAttribute('aria-expanded', String(opening));
      if (opening && panel.childElementCount === 0) void fillPanel(item, panel, li);
    });
    return li;
  }

  /** After a decision: the item leaves the list and the focus goes to the next one. */
  function decided(li: HTMLElement, text: string): void {
    toast(text);
    const next = (li.nextElementSibling ?? li.previousElementSibling)?.querySelector<HTMLElement>('.queue-item__open');
    li.remove();
    if (next) next.focus();
    else count.focus();
    if (list.childElementCount === 0) reload();
  }

  function onConflict(message: { error(text: string): void }): void {
    message.error(CONFLICT_DECIDED);
    window.setTimeout(() => {
      if (live) reload();
    }, 2500);
  }

  /** The decision buttons with a reason field (required for refusals and change requests). */
  function decisionForm(
    item: QueueItem,
    li: HTMLElement,
    choices: { decision: string; label: string; needsReason: boolean; done: string; primary?: boolean }[],
    send: (decision: string, reason: string) => Promise<unknown>,
    withReason = true,
  ): HTMLElement {
    const reason = withReason
      ? textArea({ id: `reason-${item.kind}-${item.id}`, name: 'reason', label: 'Motif', required: false, maxLength: 2000, rows: 3, hint: "Obligatoire pour refuser ou demander des modifications ; envoyé par e-mail à l'auteur." })
      : null;
    // Optional to approve, required otherwise: the hint says so, the label stays short.
    reason?.element.querySelector('label')?.lastChild?.remove();
    const message = formMessage();
    const buttons = choices.map((c) => {
      const b = h('button', { type: 'button', class: `button ${c.primary ? 'button--primary' : 'button--secondary'} review__decision`, 'data-decision': c.decision }, c.label);
      b.addEventListener('click', () => {
        message.clear();
        const text = reason?.control.value.trim() ?? '';
        if (reason) {
          reason.error.textContent = '';
          reason.control.removeAttribute('aria-invalid');
        }
        if (c.needsReason && reason && !text) {
          reason.error.textContent = 'Indiquez le motif : il est envoyé à l’auteur.';
          reason.control.setAttribute('aria-invalid', 'true');
          reason.control.focus();
          return;
        }
        void busy(b, 'Envoi…', async () => {
          try {
            await send(c.decision, text);
            decided(li, c.done);
          } catch (err) {
            if (err instanceof ApiError && err.status === 409) onConflict(message);
            else if (err instanceof ApiError && err.field === 'reason' && reason) {
              reason.error.textContent = errorText(err);
              reason.control.setAttribute('aria-invalid', 'true');
              reason.control.focus();
            } else message.error(errorText(err));
          }
        });
      });
      return b;
    });
    return h('div', { class: 'review__form' }, reason?.element ?? null, message.element, h('div', { class: 'review__actions' }, ...buttons));
  }

  const CONTRIBUTION_CHOICES = [
    { decision: 'approve', label: 'Approuver', needsReason: false, done: 'Approuvé : la fiche est publiée.', primary: true },
    { decision: 'request_changes', label: 'Demander des modifications', needsReason: true, done: "Modifications demandées : l'auteur est prévenu." },
    { decision: 'reject', label: 'Refuser', needsReason: true, done: "Refusé : l'auteur est prévenu." },
  ];

  async function fillPanel(item: QueueItem, panel: HTMLElement, li: HTMLElement): Promise<void> {
    panel.replaceChildren(loadingIndicator('Chargement…'));
    const title = h('h2', { class: 'review__title', tabindex: '-1' }, `${KIND_LABELS[item.kind] ?? item.kind} — ${item.initiative?.title ?? item.title ?? item.summary}`);
    try {
      if (item.kind === 'proposal' || item.kind === 'correction') {
        // The queue carries the contribution; asked again only when it does not.
        const given = item.detail as Contribution | null;
        const c: Contribution = given && typeof given === 'object' && 'fields' in given ? given : await getContribution(item.id, controller.signal);
        const fields = c.fields as Record<string, unknown>;
        const order: string[] = [...FIELD_ORDER.filter((f) => f in fields), ...Object.keys(fields).filter((f) => !FIELD_ORDER.includes(f as never))];
        const diff =
          c.kind === 'correction'
            ? correctionTable(Object.fromEntries(order.map((f) => [f, fields[f]])), c.base ?? {}, c.current ?? {}, labels)
            : proposalList(fields, order, labels);
        fill(
          panel,
          title,
          h('p', { class: 'review__meta' }, `Par ${c.author?.name ?? 'un membre'}, le ${formatDateTime(c.created_at) ?? c.created_at}.`),
          c.comment ? h('p', { class: 'review__comment' }, h('strong', null, "Commentaire de l'auteur : "), c.comment) : null,
          diff,
          decisionForm(item, li, CONTRIBUTION_CHOICES, (decision, reason) => reviewContribution(c.id, c.version, decision as ContributionDecision, reason)),
        );
      } else if (item.kind === 'claim') {
        const claim = item.detail as Claim | null;
        const claimMessage = claim && typeof claim.message === 'string' ? claim.message : '';
        fill(
          panel,
          title,
          h('p', { class: 'review__meta' }, `${item.author?.name ?? 'Un membre'} dit porter ce projet.`),
          claimMessage ? h('p', { class: 'review__comment' }, h('strong', null, 'Message : '), claimMessage) : null,
          decisionForm(
            item,
            li,
            [
              { decision: 'approve', label: 'Approuver', needsReason: false, done: 'Revendication approuvée : ce membre porte le projet.', primary: true },
              { decision: 'reject', label: 'Refuser', needsReason: true, done: 'Revendication refusée.' },
            ],
            (decision, reason) => reviewClaim(item.id, item.version, decision as 'approve' | 'reject', reason),
          ),
        );
      } else if (item.kind === 'source_change') {
        const change = (item.detail ?? {}) as Partial<SourceChangeDetail>;
        const field = typeof change.field === 'string' ? change.field : '';
        const ours = change.ours;
        const theirs = change.theirs;
        fill(
          panel,
          title,
          h(
            'p',
            { class: 'review__meta' },
            `La source${change.source ? ` ${change.source.name}` : ''} a changé le champ « ${fieldLabel(field)} », que la communauté ou le porteur avait modifié.`,
          ),
          field
            ? h(
                'dl',
                { class: 'diff' },
                h('div', { class: 'diff__row' }, h('dt', { class: 'diff__field' }, 'Notre valeur'), h('dd', null, changeValue(field, ours))),
                h('div', { class: 'diff__row' }, h('dt', { class: 'diff__field' }, 'Valeur de la source'), h('dd', null, changeValue(field, theirs))),
              )
            : null,
          decisionForm(
            item,
            li,
            [
              { decision: 'keep', label: 'Garder notre valeur', needsReason: false, done: 'Notre valeur est gardée.', primary: true },
              { decision: 'take_source', label: 'Prendre la valeur de la source', needsReason: false, done: 'La valeur de la source est reprise.' },
            ],
            (decision) => reviewSourceChange(item.id, item.version, decision as 'keep' | 'take_source'),
            false,
          ),
        );
      } else {
        fill(
          panel,
          title,
          h('p', null, 'Les signalements sont traités dans leur onglet : ', h('a', { href: '/moderation/signalements' }, 'ouvrir les signalements'), '.'),
        );
      }
      title.focus();
    } catch (err) {
      if (isAbort(err)) return;
      if (err instanceof ApiError && (err.status === 404 || err.status === 409)) {
        panel.replaceChildren(h('p', { class: 'alert alert--error', role: 'alert' }, CONFLICT_DECIDED));
        return;
      }
      panel.replaceChildren(errorMessage(errorText(err), () => void fillPanel(item, panel, li)));
    }
  }

  function changeValue(field: string, value: unknown): HTMLElement {
    const text = valueText(field, value, labels);
    return text ? h('span', { class: 'diff__text' }, text) : h('span', { class: 'diff__empty' }, '(vide)');
  }

  more.addEventListener('click', page);

  function start(state: SessionState): void {
    if (state.status === 'loading') {
      container.replaceChildren(loadingIndicator('Chargement…'));
      return;
    }
    if (state.status === 'signed-out') {
      navigate(loginHref('connexion', window.location.pathname + window.location.search), { replace: true });
      return;
    }
    if (state.user.role !== 'moderator' && state.user.role !== 'admin') {
      forbiddenPage(container);
      return;
    }
    if (built) return;
    container.replaceChildren(loadingIndicator('Chargement de la file…'));
    void getVocabularies()
      .then((v) => {
        vocabularies = v;
        labels = labelsOf(v);
      })
      .catch(() => undefined)
      .then(() => {
        if (live) build();
      });
  }
  const stop = onSession(start);
  start(sessionState());

  return {
    update(route): boolean {
      if (route.name !== 'moderation') return false;
      return true;
    },
    destroy(): void {
      live = false;
      stop();
      controller.abort();
    },
  };
}
