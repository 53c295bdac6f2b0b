// The header's bell, for signed-in people: a link to « Mon espace » › Notifications whose name says
// how many are unread (« Notifications, 3 non lues »). The count is asked gently: on navigation (at
// most every NAV_GAP_MS), every POLL_MS while the tab is visible, when the tab comes back, and when
// a page says it changed (NOTIFICATIONS_CHANGED, e.g. after « Tout marquer comme lu »).
import { ApiError } from '../api';
import { unreadCount } from '../communitiesApi';
import { h } from '../dom';
import { onSession, sessionState } from '../session';

const POLL_MS = 60_000;
const NAV_GAP_MS = 10_000;

/** Dispatched on document by the pages that change what is read. */
export const NOTIFICATIONS_CHANGED = 'sc:notifications-changed';

export function bellLabel(unread: number): string {
  if (unread <= 0) return 'Notifications, aucune non lue';
  return unread === 1 ? 'Notifications, 1 non lue' : `Notifications, ${unread} non lues`;
}

/** The bell; its element is placed by the caller (the header's account area). */
export function mountNotificationBell(): { element: HTMLElement; refresh(): void } {
  const count = h('span', { class: 'notification-bell__count', 'aria-hidden': 'true', hidden: true });
  const link = h(
    'a',
    { class: 'notification-bell', href: '/mon-espace/notifications', 'aria-label': bellLabel(0), hidden: true },
    // The bell drawn inline (no image to fetch); hidden from assistive technologies, the link is named.
    bellIcon(),
    count,
  );

  let timer = 0;
  let lastAsked = 0;
  let controller: AbortController | null = null;
  let unavailable = false;

  function show(unread: number): void {
    link.setAttribute('aria-label', bellLabel(unread));
    link.title = bellLabel(unread);
    count.hidden = unread <= 0;
    count.textContent = unread > 99 ? '99+' : String(unread);
    link.classList.toggle('notification-bell--unread', unread > 0);
  }

  function ask(): void {
    if (unavailable || sessionState().status !== 'signed-in' || document.visibilityState === 'hidden') return;
    lastAsked = Date.now();
    controller?.abort();
    controller = new AbortController();
    unreadCount(controller.signal).then(
      (answer) => show(typeof answer.unread === 'number' ? answer.unread : 0),
      (err: unknown) => {
        // Without the notifications service the bell stays away rather than showing a wrong count.
        if (err instanceof ApiError && err.status === 404) {
          unavailable = true;
          link.hidden = true;
        }
      },
    );
  }

  function schedule(): void {
    window.clearInterval(timer);
    timer = 0;
    if (sessionState().status === 'signed-in') timer = window.setInterval(ask, POLL_MS);
  }

  // The session is announced again on every GET /me (a CSRF token renewed, a name changed): only a
  // change of person asks for the count.
  let shownFor: number | null | undefined;
  function render(): void {
    const state = sessionState();
    const who = state.status === 'signed-in' ? state.user.id : state.status === 'signed-out' ? null : undefined;
    if (who === shownFor) return;
    shownFor = who;
    const signedIn = state.status === 'signed-in';
    link.hidden = !signedIn || unavailable;
    if (signedIn) ask();
    else {
      controller?.abort();
      show(0);
    }
    schedule();
  }

  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible' && Date.now() - lastAsked > NAV_GAP_MS) ask();
  });
  document.addEventListener(NOTIFICATIONS_CHANGED, () => ask());
  onSession(render);
  render();

  return {
    element: link,
    refresh(): void {
      if (Date.now() - lastAsked > NAV_GAP_MS) ask();
    },
  };
}

function bellIcon(): SVGSVGElement {
  const ns = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(ns, 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('width', '24');
  svg.setAttribute('height', '24');
  svg.setAttribute('aria-hidden', 'true');
  svg.setAttribute('focusable', 'false');
  svg.setAttribute('class', 'notification-bell__icon');
  const path = document.createElementNS(ns, 'path');
  path.setAttribute('d', 'M12 22a2.5 2.5 0 0 0 2.45-2h-4.9A2.5 2.5 0 0 0 12 22zm7-6V11a7 7 0 0 0-5.5-6.84V3a1.5 1.5 0 0 0-3 0v1.16A7 7 0 0 0 5 11v5l-2 2v1h18v-1l-2-2z');
  path.setAttribute('fill', 'currentColor');
  svg.append(path);
  return svg;
}
