// `/initiatives/{id}/historique`: the public history of a record, newest first. Each revision says
// who (a member, the project's carrier, the moderation, a source platform's harvest), when, and shows
// each changed field before and after (long texts word by word). « Voir les révisions plus
// anciennes » pages on; moderators can « Revenir à cette révision ».
import { ApiError, getInitiative, getVocabularies, isAbort } from '../api';
import { changeList } from '../components/contribute/fieldDiff';
import { labelsOf, type Labels } from '../components/contribute/fieldValues';
import { openDialog } from '../components/dialog';
import { busy, errorText, formMessage, textArea } from '../components/form';
import { emptyState, errorMessage, loadingIndicator } from '../components/status';
import { toast } from '../components/toast';
import { getHistory, revertInitiative, type EditableInitiative, type Revision } from '../contribApi';
import { h, setTitle } from '../dom';
import { formatDateTime } from '../format';
import { currentUser, onSession } from '../session';
import { renderNotFound } from './notFound';
import type { View } from './view';

const ACTOR: Record<string, string> = {
  harvest: 'Moissonnage de la source',
  member: 'Contribution de',
  carrier: 'Porteur du projet',
  moderator: 'Modération',
  system: 'SocialConnect',
};

/** « Porteur du projet : Camille », « Moissonnage de la source : Avise ». */
export function actorText(revision: Revision): string {
  const kind = revision.actor?.kind ?? 'system';
  const name = revision.actor?.name;
  const label = ACTOR[kind] ?? kind;
  if (kind === 'member') return name ? `Contribution de ${name}` : 'Contribution d’un membre';
  return name ? `${label} : ${name}` : label;
}

function isModerator(): boolean {
  const role = currentUser()?.role;
  return role === 'moderator' || role === 'admin';
}

export function historyView(root: HTMLElement, initiativeId: number): View {
  const controller = new AbortController();
  const heading = h('h1', { class: 'history__title', id: 'page-title' }, 'Historique');
  const back = h('a', { class: 'breadcrumb__back', href: `/initiatives/${initiativeId}` }, '← Retour à la fiche');
  const list = h('ol', { class: 'history__list', reversed: true });
  const more = h('button', { type: 'button', class: 'button button--secondary history__more', hidden: true }, 'Voir les révisions plus anciennes');
  const status = h('div', { class: 'history__status' }, loadingIndicator("Chargement de l'historique…"));
  root.append(
    h('nav', { class: 'container breadcrumb', 'aria-label': "Fil d'Ariane" }, back),
    h(
      'div',
      { class: 'container history' },
      heading,
      h('p', { class: 'history__lead' }, 'Chaque modification de la fiche, la plus récente en premier : qui l’a faite, quand, et ce qui a changé.'),
      status,
      list,
      more,
    ),
  );
  setTitle('Historique');
  let labels: Labels = labelsOf(null);
  let cursor: string | null = null;
  let currentVersion: number | null = null;
  let title = '';

  function revisionItem(revision: Revision, latest: boolean): HTMLElement {
    const when = formatDateTime(revision.at) ?? revision.at;
    const item = h(
      'li',
      { class: 'revision', 'data-version': revision.version },
      h(
        'article',
        { class: 'revision__box', 'aria-labelledby': `revision-${revision.version}` },
        h(
          'h2',
          { class: 'revision__title', id: `revision-${revision.version}` },
          `Version ${revision.version}`,
          latest ? h('span', { class: 'badge badge--current' }, 'actuelle') : null,
        ),
        h(
          'p',
          { class: 'revision__meta' },
          h('span', { class: 'revision__actor' }, actorText(revision)),
          revision.reviewer && revision.actor?.kind === 'member' ? `, approuvée par ${revision.reviewer}` : null,
          ' — ',
          h('time', { datetime: revision.at }, when),
        ),
        revision.comment ? h('p', { class: 'revision__comment' }, h('span', { class: 'visually-hidden' }, 'Commentaire : '), `« ${revision.comment} »`) : null,
        revision.changes.length
          ? changeList(revision.changes, labels)
          : h('p', { class: 'revision__nochange' }, 'Aucun champ modifié.'),
      ),
    );
    if (isModerator() && !latest && currentVersion !== null) {
      const revert = h('button', { type: 'button', class: 'button button--small button--secondary revision__revert' }, 'Revenir à cette révision');
      revert.addEventListener('click', () => askRevert(revision));
      item.querySelector('article')!.append(revert);
    }
    return item;
  }

  function askRevert(revision: Revision): void {
    const reason = textArea({ id: 'revert-reason', name: 'reason', label: 'Motif', required: true, maxLength: 2000, rows: 3, hint: "Inscrit dans l'historique." });
    const message = formMessage();
    const send = h('button', { type: 'submit', class: 'button button--primary' }, `Revenir à la version ${revision.version}`);
    const form = h('form', { class: 'form', novalidate: true }, h('p', null, `Les valeurs de la version ${revision.version} deviennent une nouvelle version de la fiche.`), reason.element, message.element, h('div', { class: 'dialog__actions' }, send));
    const dialog = openDialog({ title: 'Revenir à cette révision', content: [form] });
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      message.clear();
      if (!reason.control.value.trim()) {
        reason.error.textContent = 'Indiquez le motif.';
        reason.control.setAttribute('aria-invalid', 'true');
        reason.control.focus();
        return;
      }
      void busy(send, 'Envoi…', async () => {
        try {
          await revertInitiative(initiativeId, currentVersion ?? 0, revision.version, reason.control.value.trim());
          dialog.close();
          toast(`La fiche est revenue aux valeurs de la version ${revision.version}.`);
          reload();
        } catch (err) {
          if (err instanceof ApiError && err.status === 409) message.error("Quelqu'un a modifié la fiche entre-temps : l'historique est rechargé.");
          else message.error(errorText(err));
          if (err instanceof ApiError && err.status === 409) reload();
        }
      });
    });
  }

  function page(): void {
    more.hidden = true;
    getHistory(initiativeId, cursor, controller.signal).then(
      (answer) => {
        const first = list.childElementCount === 0;
        status.replaceChildren();
        if (first && answer.items.length === 0) {
          status.replaceChildren(emptyState('Aucune modification enregistrée pour cette fiche.', []));
        }
        const before = list.childElementCount;
        for (const [i, revision] of answer.items.entries()) {
          if (first && i === 0 && currentVersion === null) currentVersion = revision.version;
          list.append(revisionItem(revision, revision.version === currentVersion));
        }
        cursor = answer.next_cursor;
        more.hidden = !cursor;
        if (!first) list.children[before]?.querySelector<HTMLElement>('h2')?.setAttribute('tabindex', '-1');
        if (!first) list.children[before]?.querySelector<HTMLElement>('h2')?.focus();
      },
      (err: unknown) => {
        if (isAbort(err)) return;
        if (err instanceof ApiError && (err.status === 404 || err.status === 400)) {
          renderNotFound(root, 'initiative');
          return;
        }
        status.replaceChildren(errorMessage(errorText(err), page));
        more.hidden = !cursor;
      },
    );
  }

  function reload(): void {
    list.replaceChildren();
    cursor = null;
    currentVersion = null;
    status.replaceChildren(loadingIndicator("Chargement de l'historique…"));
    void getInitiative(initiativeId, controller.signal)
      .then((record) => {
        currentVersion = (record as EditableInitiative).version ?? null;
      })
      .catch(() => undefined)
      .finally(() => page());
  }

  more.addEventListener('click', page);
  void Promise.all([
    getVocabularies().then((v) => {
      labels = labelsOf(v);
    }, () => undefined),
    getInitiative(initiativeId, controller.signal).then(
      (record) => {
        title = record.title;
        currentVersion = (record as EditableInitiative).version ?? null;
        heading.textContent = `Historique de « ${title} »`;
        setTitle(`Historique — ${title}`);
      },
      () => undefined,
    ),
  ]).then(() => {
    if (!controller.signal.aborted) page();
  });
  // A moderator signing in here gets the revert buttons.
  const stop = onSession(() => {
    if (list.childElementCount > 0) reload();
  });

  return {
    destroy(): void {
      stop();
      controller.abort();
    },
  };
}
