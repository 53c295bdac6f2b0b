// « Sessions »: the browsers signed in to my account; any but this one can be closed.
import { getSessions, revokeSession } from '../../accountApi';
import { errorText } from '../../components/form';
import { errorMessage, loadingIndicator } from '../../components/status';
import { h } from '../../dom';
import { formatDateTime, formatRelative } from '../../format';
import { isAbort } from '../../api';
import type { SessionInfo } from '../../types';
import { sectionFrame, type Section } from './section';

export function sessionsSection(container: HTMLElement): Section {
  const body = sectionFrame(container, 'Sessions', 'Les navigateurs connectés à votre compte. Fermez une session que vous ne reconnaissez pas.');
  const status = h('p', { class: 'space-section__status', role: 'status' });
  const list = h('ul', { class: 'session-list' });
  const controller = new AbortController();

  function row(session: SessionInfo): HTMLElement {
    const seen = formatRelative(session.last_seen_at);
    const item = h(
      'li',
      { class: 'session-item card' },
      h(
        'p',
        { class: 'session-item__device' },
        session.device || 'Appareil inconnu',
        session.current ? h('span', { class: 'badge badge--current' }, 'Cette session') : null,
      ),
      h(
        'p',
        { class: 'session-item__meta' },
        `Connexion le ${formatDateTime(session.created_at) ?? '—'}`,
        seen ? h('span', { title: formatDateTime(session.last_seen_at) ?? '' }, ` · dernière activité ${seen}`) : null,
      ),
    );
    if (!session.current) {
      const revoke = h(
        'button',
        { type: 'button', class: 'button button--small button--secondary' },
        'Fermer cette session',
        h('span', { class: 'visually-hidden' }, ` : ${session.device || 'appareil inconnu'}`),
      );
      revoke.addEventListener('click', () => {
        revoke.disabled = true;
        revokeSession(session.id).then(
          () => {
            item.remove();
            status.textContent = 'La session est fermée.';
            list.querySelector<HTMLElement>('button')?.focus();
          },
          (err: unknown) => {
            revoke.disabled = false;
            status.textContent = errorText(err);
          },
        );
      });
      item.append(revoke);
    }
    return item;
  }

  function load(): void {
    body.replaceChildren(loadingIndicator('Chargement des sessions…'));
    getSessions(controller.signal).then(
      (answer) => {
        const items = Array.isArray(answer.items) ? answer.items : [];
        list.replaceChildren(...items.map(row));
        body.replaceChildren(status, list);
      },
      (err: unknown) => {
        if (!isAbort(err)) body.replaceChildren(errorMessage(errorText(err), load));
      },
    );
  }
  load();
  return { destroy: () => controller.abort() };
}
