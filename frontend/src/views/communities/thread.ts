// `/communautes/{id}/discussions/{tid}`: a discussion, its replies oldest first (« Afficher plus » by
// cursor), the reply form with @-mention completion, and for whom it applies: change, delete, pin,
// lock, « Signaler ». A discussion of a private community is, for whoever is not in it, the same
// « n'existe pas » page as an unknown one.
import { ApiError, isAbort } from '../../api';
import {
  BODY_MAX,
  deleteReply,
  deleteThread,
  getCommunity,
  getThread,
  isMember,
  listReplies,
  moderates,
  postReply,
  updateReply,
  updateThread,
  type Community,
  type Reply,
  type Thread,
} from '../../communitiesApi';
import { confirmDialog } from '../../components/dialog';
import { busy, clearErrors, errorText, formMessage, showError, textArea, setFieldError } from '../../components/form';
import { memberText } from '../../components/memberText';
import { errorMessage, loadingIndicator } from '../../components/status';
import { toast } from '../../components/toast';
import { h, setTitle } from '../../dom';
import { formatDateTime } from '../../format';
import { communityUrl, loginHref, navigate, type Route } from '../../router';
import { currentUser, onSession } from '../../session';
import type { View } from '../view';
import { openCommunityReport, postForm, type PostForm } from './posting';
import { renderCommunityNotFound } from './shared';

export function threadView(root: HTMLElement, route: Extract<Route, { name: 'thread' }>): View {
  const controller = new AbortController();
  let community: Community | null = null;
  let thread: Thread | null = null;
  let replies: Reply[] = [];
  let next: string | null = null;
  let form: PostForm | null = null;
  let live = true;
  setTitle('Discussion');

  const page = h('div', { class: 'container thread-page' }, loadingIndicator('Chargement de la discussion…'));
  root.append(page);
  const head = h('div', { class: 'thread-page__head' });
  const list = h('ol', { class: 'reply-list', 'aria-labelledby': 'replies-title' });
  const repliesTitle = h('h2', { id: 'replies-title' }, 'Réponses');
  const repliesStatus = h('div', { class: 'reply-list__status' });
  const more = h('button', { type: 'button', class: 'button button--secondary load-more', hidden: true }, 'Afficher plus de réponses');
  const moreStatus = h('p', { class: 'visually-hidden', role: 'status', 'aria-live': 'polite' });
  const composer = h('div', { class: 'thread-page__composer' });

  const self = (): number | null => currentUser()?.id ?? null;
  const mod = (): boolean => !!community && moderates(community);

  function smallButton(label: string, who: string): HTMLButtonElement {
    return h('button', { type: 'button', class: 'button button--small button--tertiary' }, label, h('span', { class: 'visually-hidden' }, who));
  }

  function meta(author: { display_name: string } | null, created: string, edited: string | null): HTMLElement {
    return h(
      'p',
      { class: 'post__meta' },
      h('span', { class: 'post__author' }, author?.display_name ?? 'Compte supprimé'),
      ' · ',
      h('time', { datetime: created }, formatDateTime(created) ?? ''),
      edited ? ' · modifié' : null,
    );
  }

  // --- The discussion itself ----------------------------------------------------------------------

  function renderHead(): void {
    if (!community || !thread) return;
    const c = community;
    const t = thread;
    setTitle(`${t.title} — ${c.name}`);
    const actions = h('div', { class: 'post__actions' });
    const own = self() !== null && t.author?.account_id === self();
    const body = memberText(t.body ?? '', 'member-text post__body');
    if (own) {
      const edit = smallButton('Modifier', ' la discussion');
      edit.addEventListener('click', () => editThread(body, actions));
      actions.append(edit);
    }
    if (mod()) {
      const pin = smallButton(t.pinned ? 'Désépingler' : 'Épingler', ' la discussion');
      pin.addEventListener('click', () => change({ pinned: !t.pinned }, t.pinned ? 'La discussion n’est plus épinglée.' : 'La discussion est épinglée en tête de liste.'));
      const lock = smallButton(t.locked ? 'Déverrouiller' : 'Verrouiller', ' la discussion');
      lock.addEventListener('click', () => change({ locked: !t.locked }, t.locked ? 'Les réponses sont de nouveau possibles.' : 'La discussion est verrouillée : plus de nouvelles réponses.'));
      actions.append(pin, lock);
    }
    if (own || mod()) {
      const del = smallButton('Supprimer', ' la discussion');
      del.addEventListener('click', () => {
        void confirmDialog('Supprimer la discussion ?', 'Elle disparaîtra avec ses réponses. Cette action est définitive.', 'Supprimer').then((yes) => {
          if (!yes) return;
          deleteThread(c.id, t.id).then(
            () => {
              toast('Discussion supprimée.');
              navigate(communityUrl(c.id, 'discussions'));
            },
            (err: unknown) => toast(errorText(err)),
          );
        });
      });
      actions.append(del);
    }
    if (!own && isMember(c)) {
      const report = smallButton('Signaler', ' la discussion');
      report.addEventListener('click', () => openCommunityReport(c.id, { thread_id: t.id }, `Discussion « ${t.title} » de ${t.author?.display_name ?? 'un compte supprimé'}.`));
      actions.append(report);
    }
    head.replaceChildren(
      h(
        'nav',
        { class: 'breadcrumb', 'aria-label': 'Fil d’Ariane' },
        h('a', { href: '/communautes' }, 'Communautés'),
        ' › ',
        h('a', { href: communityUrl(c.id) }, c.name),
        ' › ',
        h('a', { href: communityUrl(c.id, 'discussions') }, 'Discussions'),
      ),
      h('h1', { class: 'thread-page__title' }, t.title),
      h(
        'p',
        { class: 'thread-page__badges' },
        t.pinned ? h('span', { class: 'badge thread-badge' }, 'Épinglée') : null,
        t.locked ? h('span', { class: 'badge thread-badge' }, 'Verrouillée') : null,
      ),
      h('article', { class: 'post post--thread', 'aria-labelledby': 'thread-title-ref' }, h('span', { id: 'thread-title-ref', class: 'visually-hidden' }, `Message de ${t.author?.display_name ?? 'compte supprimé'}`), meta(t.author, t.created_at, t.edited_at), body, actions),
    );
  }

  function change(fields: { pinned?: boolean; locked?: boolean }, done: string): void {
    if (!community || !thread) return;
    updateThread(community.id, thread.id, thread.version, fields).then(
      (updated) => {
        thread = { ...thread!, ...updated };
        renderHead();
        renderComposer();
        toast(done);
        head.querySelector<HTMLElement>('.post__actions button')?.focus();
      },
      (err: unknown) => {
        const current = err instanceof ApiError ? (err.body as { current?: Thread } | null)?.current : null;
        if (current) {
          thread = { ...thread!, ...current };
          renderHead();
        }
        toast(errorText(err));
      },
    );
  }

  function editThread(body: HTMLElement, actions: HTMLElement): void {
    if (!community || !thread) return;
    const area = textArea({ id: 'thread-edit', name: 'body', label: 'Modifier le message', maxLength: BODY_MAX, rows: 6, value: thread.body ?? '' });
    const message = formMessage();
    const save = h('button', { type: 'submit', class: 'button button--primary button--small' }, 'Enregistrer');
    const cancel = h('button', { type: 'button', class: 'button button--secondary button--small' }, 'Annuler');
    const editForm = h('form', { class: 'form post__edit', novalidate: true }, area.element, message.element, h('div', { class: 'form__actions' }, save, cancel));
    body.replaceWith(editForm);
    actions.hidden = true;
    area.control.focus();
    cancel.addEventListener('click', () => renderHead());
    editForm.addEventListener('submit', (event) => {
      event.preventDefault();
      clearErrors([area], message);
      const text = area.control.value.trim();
      if (!text) {
        setFieldError(area, 'Le message ne peut pas être vide.');
        return;
      }
      void busy(save, 'Enregistrement…', () => updateThread(community!.id, thread!.id, thread!.version, { body: text })).then(
        (updated) => {
          thread = { ...thread!, ...updated };
          renderHead();
          toast('Message modifié.');
        },
        (err: unknown) => {
          const current = err instanceof ApiError ? (err.body as { current?: Thread } | null)?.current : null;
          if (current) thread = { ...thread!, ...current };
          showError(err, [area], message);
        },
      );
    });
  }

  // --- Replies ------------------------------------------------------------------------------------

  function replyItem(reply: Reply): HTMLElement {
    const c = community!;
    const own = self() !== null && reply.author?.account_id === self();
    const who = ` la réponse de ${reply.author?.display_name ?? 'compte supprimé'}`;
    const body = memberText(reply.body, 'member-text post__body');
    const actions = h('div', { class: 'post__actions' });
    if (own) {
      const edit = smallButton('Modifier', who);
      edit.addEventListener('click', () => editReply(reply, body, actions));
      actions.append(edit);
    }
    if (own || mod()) {
      const del = smallButton('Supprimer', who);
      del.addEventListener('click', () => {
        void confirmDialog('Supprimer cette réponse ?', 'Elle disparaîtra de la discussion. Cette action est définitive.', 'Supprimer').then((yes) => {
          if (!yes) return;
          deleteReply(c.id, reply.id).then(
            () => {
              replies = replies.filter((r) => r.id !== reply.id);
              renderReplies();
              toast('Réponse supprimée.');
            },
            (err: unknown) => toast(errorText(err)),
          );
        });
      });
      actions.append(del);
    }
    if (!own && isMember(c)) {
      const report = smallButton('Signaler', who);
      report.addEventListener('click', () => openCommunityReport(c.id, { reply_id: reply.id }, `Réponse de ${reply.author?.display_name ?? 'un compte supprimé'} dans « ${thread?.title ?? ''} ».`));
      actions.append(report);
    }
    return h('li', { class: 'post post--reply', id: `reponse-${reply.id}`, tabindex: '-1' }, meta(reply.author, reply.created_at, reply.edited_at), body, actions);
  }

  function editReply(reply: Reply, body: HTMLElement, actions: HTMLElement): void {
    const area = textArea({ id: `reply-edit-${reply.id}`, name: 'body', label: 'Modifier votre réponse', maxLength: BODY_MAX, rows: 4, value: reply.body });
    const message = formMessage();
    const save = h('button', { type: 'submit', class: 'button button--primary button--small' }, 'Enregistrer');
    const cancel = h('button', { type: 'button', class: 'button button--secondary button--small' }, 'Annuler');
    const editForm = h('form', { class: 'form post__edit', novalidate: true }, area.element, message.element, h('div', { class: 'form__actions' }, save, cancel));
    body.replaceWith(editForm);
    actions.hidden = true;
    area.control.focus();
    cancel.addEventListener('click', () => renderReplies());
    editForm.addEventListener('submit', (event) => {
      event.preventDefault();
      clearErrors([area], message);
      const text = area.control.value.trim();
      if (!text) {
        setFieldError(area, 'La réponse ne peut pas être vide.');
        return;
      }
      void busy(save, 'Enregistrement…', () => updateReply(community!.id, reply.id, reply.version, text)).then(
        (updated) => {
          replies = replies.map((r) => (r.id === reply.id ? updated : r));
          renderReplies();
          toast('Réponse modifiée.');
          document.getElementById(`reponse-${reply.id}`)?.focus();
        },
        (err: unknown) => {
          const current = err instanceof ApiError ? (err.body as { current?: Reply } | null)?.current : null;
          if (current) reply = current;
          showError(err, [area], message);
        },
      );
    });
  }

  function renderReplies(): void {
    list.replaceChildren(...replies.map(replyItem));
    list.hidden = replies.length === 0;
    more.hidden = next === null;
    repliesTitle.textContent = replies.length === 0 ? 'Réponses' : `Réponses (${thread?.reply_count && thread.reply_count > replies.length ? thread.reply_count : replies.length})`;
    repliesStatus.replaceChildren(replies.length === 0 && next === null ? h('p', { class: 'community-empty' }, 'Pas encore de réponse.') : '');
  }

  function loadReplies(cursor: string | null): void {
    if (!community || !thread) return;
    if (!cursor) repliesStatus.replaceChildren(loadingIndicator('Chargement des réponses…'));
    more.disabled = true;
    listReplies(community.id, thread.id, cursor, controller.signal).then(
      (answer) => {
        const fresh = Array.isArray(answer.items) ? answer.items : [];
        const known = new Set(replies.map((r) => r.id));
        const before = replies.length;
        replies = cursor ? [...replies, ...fresh.filter((r) => !known.has(r.id))] : fresh;
        next = answer.next_cursor ?? null;
        more.disabled = false;
        renderReplies();
        if (cursor) {
          moreStatus.textContent = `${replies.length - before} réponse${replies.length - before > 1 ? 's' : ''} de plus`;
          (list.children[before] as HTMLElement | undefined)?.focus();
        }
      },
      (err: unknown) => {
        if (isAbort(err)) return;
        more.disabled = false;
        if (cursor) moreStatus.textContent = errorText(err);
        else repliesStatus.replaceChildren(errorMessage(errorText(err), () => loadReplies(null)));
      },
    );
  }
  more.addEventListener('click', () => loadReplies(next));

  function renderComposer(): void {
    form?.destroy();
    form = null;
    if (!community || !thread) return;
    const c = community;
    const t = thread;
    if (!currentUser()) {
      composer.replaceChildren(h('p', { class: 'notice' }, 'Pour répondre, ', h('a', { href: loginHref('connexion') }, 'connectez-vous'), '.'));
      return;
    }
    if (!isMember(c)) {
      composer.replaceChildren(h('p', { class: 'notice' }, 'Rejoignez la communauté pour répondre : ', h('a', { href: communityUrl(c.id) }, c.name), '.'));
      return;
    }
    if (t.locked) {
      composer.replaceChildren(h('p', { class: 'notice' }, 'Cette discussion est verrouillée : on ne peut plus y répondre.'));
      return;
    }
    form = postForm({
      communityId: c.id,
      selfId: self(),
      withTitle: false,
      bodyLabel: 'Votre réponse',
      submitLabel: 'Répondre',
      busyLabel: 'Envoi…',
      send: (_title, body, mentions) =>
        postReply(c.id, t.id, body, mentions).then((reply) => {
          // Shown at once at the end; a later « Afficher plus » does not repeat it.
          if (next === null) replies = [...replies, reply];
          thread = { ...t, reply_count: (t.reply_count ?? 0) + 1 };
          renderReplies();
          toast('Réponse publiée.');
          if (next === null) document.getElementById(`reponse-${reply.id}`)?.focus();
          return reply;
        }),
    });
    composer.replaceChildren(h('section', { class: 'panel', 'aria-labelledby': 'reply-form-title' }, h('h2', { class: 'panel__title', id: 'reply-form-title' }, 'Répondre'), form.element));
  }

  function load(): void {
    page.replaceChildren(loadingIndicator('Chargement de la discussion…'));
    Promise.all([getCommunity(route.id, controller.signal), getThread(route.id, route.threadId, controller.signal)]).then(
      ([c, t]) => {
        if (!live) return;
        community = c;
        thread = t;
        page.replaceChildren(head, h('section', { class: 'thread-page__replies', 'aria-labelledby': 'replies-title' }, repliesTitle, repliesStatus, list, more, moreStatus), composer);
        renderHead();
        renderComposer();
        loadReplies(null);
      },
      (err: unknown) => {
        if (!live || isAbort(err)) return;
        if (err instanceof ApiError && (err.status === 404 || err.status === 400)) {
          // A community one may see whose discussion is gone says so; otherwise the page of an
          // unknown community (a private one is not told apart from it).
          getCommunity(route.id, controller.signal).then(
            (c) => live && threadNotFound(c),
            () => live && renderCommunityNotFound(root),
          );
          return;
        }
        if (err instanceof ApiError && (err.status === 401 || err.status === 403)) {
          setTitle('Discussion réservée aux membres');
          page.replaceChildren(
            h('h1', null, 'Discussion réservée aux membres'),
            h(
              'p',
              { class: 'notice' },
              'Les discussions de cette communauté sont lisibles par ses membres. ',
              currentUser() ? h('a', { href: communityUrl(route.id) }, 'Demander à rejoindre la communauté') : h('a', { href: loginHref('connexion') }, 'Se connecter'),
              '.',
            ),
          );
          return;
        }
        setTitle('Service indisponible');
        page.replaceChildren(h('h1', { class: 'visually-hidden' }, 'Discussion'), errorMessage(errorText(err), load));
      },
    );
  }

  function threadNotFound(c: Community): void {
    setTitle('Discussion introuvable');
    page.replaceChildren(
      h(
        'div',
        { class: 'not-found' },
        h('h1', { class: 'not-found__title' }, 'Discussion introuvable'),
        h('p', { class: 'not-found__text' }, 'Cette discussion n’existe pas ou a été supprimée.'),
        h('p', { class: 'not-found__actions' }, h('a', { class: 'button button--primary', href: communityUrl(c.id, 'discussions') }, `Les discussions de « ${c.name} »`)),
      ),
    );
  }

  const stopSession = onSession(() => {
    if (community) renderComposer();
  });
  load();

  return {
    destroy(): void {
      live = false;
      controller.abort();
      stopSession();
      form?.destroy();
    },
  };
}
