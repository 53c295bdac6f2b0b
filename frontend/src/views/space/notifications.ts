// « Notifications »: mentions, replies to my discussions, requests and proposals to examine, newest
// first; each can be marked read (following its link does it too), or all at once. The header's bell
// follows (NOTIFICATIONS_CHANGED).
import { isAbort } from '../../api';
import { listNotifications, markRead, type Notification } from '../../communitiesApi';
import { errorText } from '../../components/form';
import { NOTIFICATIONS_CHANGED } from '../../components/notificationBell';
import { emptyState, errorMessage, loadingIndicator } from '../../components/status';
import { h } from '../../dom';
import { formatDateTime, formatRelative } from '../../format';
import { communityUrl, threadUrl } from '../../router';
import { sectionFrame, type Section } from './section';

function describe(n: Notification): { text: string; href: string } {
  const who = n.actor?.display_name ?? 'Quelqu’un';
  const community = n.community?.name ?? 'une communauté';
  const thread = n.thread?.title ?? 'une discussion';
  const id = n.community?.id;
  const inThread = n.thread && id ? threadUrl(id, n.thread.id) : id ? communityUrl(id) : '/communautes';
  switch (n.kind) {
    case 'mention':
      return { text: `${who} vous a mentionné·e dans « ${thread} » (${community})`, href: inThread };
    case 'reply':
      return { text: `${who} a répondu à « ${thread} » (${community})`, href: inThread };
    case 'join_request':
      return { text: `${who} demande à rejoindre « ${community} »`, href: id ? communityUrl(id, 'membres') : '/communautes' };
    case 'request_approved':
      return { text: `Votre demande pour rejoindre « ${community} » est acceptée`, href: id ? communityUrl(id) : '/communautes' };
    case 'invitation_accepted':
      return { text: `${who} a accepté votre invitation à « ${community} »`, href: id ? communityUrl(id, 'membres') : '/communautes' };
    case 'proposal':
      return { text: `${who} propose une initiative pour « ${community} »`, href: id ? communityUrl(id, 'collections') : '/communautes' };
    default:
      return { text: `Du nouveau dans « ${community} »`, href: id ? communityUrl(id) : '/communautes' };
  }
}

export function notificationsSection(container: HTMLElement): Section {
  const body = sectionFrame(container, 'Notifications', 'Ce qui vous concerne dans vos communautés.');
  const controller = new AbortController();
  let items: Notification[] = [];
  let next: string | null = null;
  let unread = 0;
  const summary = h('p', { class: 'notifications__summary', role: 'status', 'aria-live': 'polite' });
  const allRead = h('button', { type: 'button', class: 'button button--secondary', hidden: true }, 'Tout marquer comme lu');
  const box = h('div', { class: 'notifications' });
  const list = h('ul', { class: 'notification-list', 'aria-label': 'Notifications' });
  const more = h('button', { type: 'button', class: 'button button--secondary load-more', hidden: true }, 'Afficher plus');
  body.append(h('div', { class: 'notifications__bar' }, summary, allRead), box, more);

  function changed(): void {
    document.dispatchEvent(new CustomEvent(NOTIFICATIONS_CHANGED));
  }

  function renderSummary(): void {
    summary.textContent = unread === 0 ? 'Aucune notification non lue.' : unread === 1 ? '1 notification non lue.' : `${unread} notifications non lues.`;
    allRead.hidden = unread === 0;
  }

  function read(n: Notification): void {
    if (n.read) return;
    n.read = true;
    unread = Math.max(0, unread - 1);
    markRead({ ids: [n.id] }).then(changed, () => undefined);
  }

  function item(n: Notification): HTMLElement {
    const { text, href } = describe(n);
    const link = h('a', { class: 'notification-item__link', href }, text);
    link.addEventListener('click', () => read(n));
    const li = h(
      'li',
      { class: 'notification-item' + (n.read ? '' : ' notification-item--unread'), 'data-id': n.id },
      n.read ? null : h('span', { class: 'badge notification-item__badge' }, 'Non lue'),
      link,
      h('time', { class: 'notification-item__time', datetime: n.created_at, title: formatDateTime(n.created_at) ?? '' }, formatRelative(n.created_at) ?? ''),
    );
    if (!n.read) {
      const mark = h('button', { type: 'button', class: 'button button--small button--tertiary' }, 'Marquer comme lue', h('span', { class: 'visually-hidden' }, ` : ${text}`));
      mark.addEventListener('click', () => {
        read(n);
        render();
        renderSummary();
        list.querySelector<HTMLElement>(`[data-id="${n.id}"] a`)?.focus();
      });
      li.append(mark);
    }
    return li;
  }

  function render(): void {
    if (items.length === 0) {
      box.replaceChildren(emptyState('Aucune notification pour l’instant.', ['Vous serez prévenu·e ici quand quelqu’un vous mentionne ou répond à vos discussions.']));
    } else {
      list.replaceChildren(...items.map(item));
      box.replaceChildren(list);
    }
    more.hidden = next === null;
  }

  function load(cursor: string | null): void {
    if (!cursor) box.replaceChildren(loadingIndicator('Chargement des notifications…'));
    more.disabled = true;
    listNotifications(cursor, controller.signal).then(
      (page) => {
        const fresh = Array.isArray(page.items) ? page.items : [];
        items = cursor ? [...items, ...fresh] : fresh;
        next = page.next_cursor ?? null;
        unread = typeof page.unread === 'number' ? page.unread : items.filter((n) => !n.read).length;
        more.disabled = false;
        render();
        renderSummary();
      },
      (err: unknown) => {
        more.disabled = false;
        if (!isAbort(err)) box.replaceChildren(errorMessage(errorText(err), () => load(null)));
      },
    );
  }

  allRead.addEventListener('click', () => {
    allRead.disabled = true;
    markRead({ all: true }).then(
      () => {
        allRead.disabled = false;
        for (const n of items) n.read = true;
        unread = 0;
        render();
        renderSummary();
        changed();
      },
      (err: unknown) => {
        allRead.disabled = false;
        summary.textContent = errorText(err);
      },
    );
  });
  more.addEventListener('click', () => load(next));
  load(null);
  return { destroy: () => controller.abort() };
}
