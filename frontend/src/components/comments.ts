import { ApiError, isAbort, UNAVAILABLE_MESSAGE } from '../api';
import {
  COMMENT_MAX,
  deleteComment,
  editComment,
  getComments,
  getMyComments,
  hideComment,
  postComment,
  type Comment,
} from '../commentsApi';
import { h } from '../dom';
import { formatDateTime } from '../format';
import { loginHref } from '../router';
import { currentUser, onSession, sessionState } from '../session';
import type { User } from '../types';
import { commentText } from './commentText';
import { confirmDialog } from './dialog';
import { busy, clearErrors, errorText, formMessage, showError, textArea } from './form';
import { openReportDialog } from './reportDialog';
import { errorMessage, loadingIndicator } from './status';
import { toast } from './toast';

export interface CommentsSection {
  element: HTMLElement;
  destroy(): void;
}

const moderates = (user: User | null): boolean => user !== null && (user.role === 'moderator' || user.role === 'admin');

/** Whether user may still change comment: theirs, visible, and within its 15 minutes. */
function editable(comment: Comment, user: User | null, now = Date.now()): boolean {
  return user !== null && user.id === comment.author.id && !comment.hidden && now < Date.parse(comment.editable_until);
}

function byDate(a: Comment, b: Comment): number {
  return a.created_at < b.created_at ? -1 : a.created_at > b.created_at ? 1 : a.id - b.id;
}

/**
 * The comments of an initiative, under its page: the public list by pages, one's own hidden ones
 * marked as such, and for verified members the form to write one. Changing, deleting, hiding and
 * reporting are offered to whom they apply; the server decides all the same.
 */
export function commentsSection(initiativeId: number, initiativeTitle: string): CommentsSection {
  const controller = new AbortController();
  let items: Comment[] = [];
  let mine: Comment[] = [];
  // Written here while later pages are not loaded yet: shown last until their page comes.
  let posted: Comment[] = [];
  let next: string | null = null;
  let loaded = false;

  const status = h('div', { class: 'comments__status' });
  const list = h('ol', { class: 'comments__list', 'aria-labelledby': 'comments-title' });
  const more = h('button', { type: 'button', class: 'button button--secondary comments__more', hidden: true }, 'Voir les commentaires suivants');
  const composer = h('div', { class: 'comments__composer' });
  const element = h(
    'section',
    { class: 'detail__section comments', 'aria-labelledby': 'comments-title', id: 'commentaires' },
    h('h2', { id: 'comments-title' }, 'Commentaires'),
    status,
    list,
    more,
    composer,
  );

  function shown(): Comment[] {
    const ids = new Set(items.map((c) => c.id));
    const extra = posted.filter((c) => !ids.has(c.id));
    for (const c of extra) ids.add(c.id);
    return [...items, ...extra, ...mine.filter((c) => c.hidden && !ids.has(c.id))].sort(byDate);
  }

  function renderList(): void {
    const all = shown();
    list.replaceChildren(...all.map(commentItem));
    list.hidden = all.length === 0;
    more.hidden = next === null;
    if (loaded && all.length === 0) {
      status.replaceChildren(h('p', { class: 'comments__empty' }, 'Aucun commentaire pour l’instant.'));
    } else if (loaded) {
      status.replaceChildren();
    }
  }

  function replace(updated: Comment): void {
    items = items.map((c) => (c.id === updated.id ? { ...updated, hidden: false } : c));
    posted = posted.map((c) => (c.id === updated.id ? { ...updated, hidden: false } : c));
    mine = mine.map((c) => (c.id === updated.id ? updated : c));
    renderList();
  }

  function remove(commentId: number): void {
    items = items.filter((c) => c.id !== commentId);
    posted = posted.filter((c) => c.id !== commentId);
    mine = mine.filter((c) => c.id !== commentId);
    renderList();
  }

  function commentItem(comment: Comment): HTMLElement {
    const user = currentUser();
    const own = user !== null && user.id === comment.author.id;
    const when = formatDateTime(comment.created_at) ?? '';
    const body = h('div', { class: 'comment__body' }, ...commentText(comment.body_html));
    const actions = h('div', { class: 'comment__actions' });
    const who = h('span', { class: 'visually-hidden' }, ` le commentaire de ${comment.author.name}`);
    const li = h(
      'li',
      { class: comment.hidden ? 'comment comment--hidden' : 'comment', id: `commentaire-${comment.id}`, tabindex: '-1' },
      h(
        'p',
        { class: 'comment__meta' },
        h('span', { class: 'comment__author' }, comment.author.name),
        ' · ',
        h('time', { datetime: comment.created_at }, when),
        comment.edited_at ? ' · modifié' : null,
      ),
      comment.hidden
        ? h('p', { class: 'comment__hidden-note' }, 'Masqué par la modération : vous seul·e voyez ce commentaire.')
        : null,
      body,
      actions,
    );
    if (editable(comment, user)) {
      const edit = h('button', { type: 'button', class: 'button button--small button--tertiary' }, 'Modifier', who.cloneNode(true));
      edit.addEventListener('click', () => startEdit(comment, body, actions));
      actions.append(edit);
    }
    if (own || moderates(user)) {
      const del = h('button', { type: 'button', class: 'button button--small button--tertiary' }, 'Supprimer', who.cloneNode(true));
      del.addEventListener('click', () => {
        void confirmDialog('Supprimer ce commentaire ?', 'Il disparaîtra de la page. Cette action est définitive.', 'Supprimer').then((yes) => {
          if (!yes) return;
          deleteComment(comment.id).then(
            () => {
              remove(comment.id);
              toast('Commentaire supprimé.');
            },
            (err: unknown) => toast(errorText(err)),
          );
        });
      });
      actions.append(del);
    }
    if (moderates(user) && !comment.hidden) {
      const hide = h('button', { type: 'button', class: 'button button--small button--tertiary' }, 'Masquer', who.cloneNode(true));
      hide.addEventListener('click', () => {
        void confirmDialog('Masquer ce commentaire ?', 'Il ne sera plus visible que par son auteur ou son autrice.', 'Masquer').then((yes) => {
          if (!yes) return;
          hideComment(comment.id).then(
            () => {
              items = items.filter((c) => c.id !== comment.id);
              posted = posted.filter((c) => c.id !== comment.id);
              renderList();
              toast('Commentaire masqué.');
            },
            (err: unknown) => toast(errorText(err)),
          );
        });
      });
      actions.append(hide);
    }
    if (!own && !comment.hidden) {
      const report = h('button', { type: 'button', class: 'button button--small button--tertiary comment__report' }, 'Signaler', who);
      report.addEventListener('click', () =>
        openReportDialog({ kind: 'comment', id: comment.id }, `Commentaire de ${comment.author.name} sur « ${initiativeTitle} ».`),
      );
      actions.append(report);
    }
    return li;
  }

  function startEdit(comment: Comment, body: HTMLElement, actions: HTMLElement): void {
    const area = textArea({
      id: `comment-edit-${comment.id}`,
      name: 'body',
      label: 'Modifier votre commentaire',
      maxLength: COMMENT_MAX,
      rows: 4,
      value: comment.body,
    });
    const message = formMessage();
    const save = h('button', { type: 'submit', class: 'button button--primary button--small' }, 'Enregistrer');
    const cancel = h('button', { type: 'button', class: 'button button--secondary button--small' }, 'Annuler');
    const form = h('form', { class: 'form comment__edit', novalidate: true }, area.element, message.element, h('div', { class: 'form__actions' }, save, cancel));
    body.replaceWith(form);
    actions.hidden = true;
    area.control.focus();
    cancel.addEventListener('click', () => {
      renderList();
      document.getElementById(`commentaire-${comment.id}`)?.querySelector<HTMLElement>('button')?.focus();
    });
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      clearErrors([area], message);
      const text = area.control.value.trim();
      if (!text) {
        showError(new ApiError(400, 'invalid_field', 'Le commentaire ne peut pas être vide.', 'body'), [area], message);
        return;
      }
      void busy(save, 'Enregistrement…', () => editComment(comment.id, comment.version, text)).then(
        (updated) => {
          replace(updated);
          toast('Commentaire modifié.');
          document.getElementById(`commentaire-${comment.id}`)?.focus();
        },
        (err: unknown) => {
          if (err instanceof ApiError && err.status === 409) {
            const current = (err.body as { current?: Comment } | null)?.current;
            if (current) comment = current;
          }
          showError(err, [area], message);
        },
      );
    });
  }

  function renderComposer(): void {
    const state = sessionState();
    if (state.status === 'loading') {
      composer.replaceChildren();
      return;
    }
    if (state.status === 'signed-out') {
      composer.replaceChildren(
        h(
          'p',
          { class: 'comments__invite' },
          'Pour participer à la discussion, ',
          h('a', { href: loginHref('connexion') }, 'connectez-vous'),
          ' ou ',
          h('a', { href: loginHref('inscription') }, 'créez un compte'),
          '.',
        ),
      );
      return;
    }
    if (!state.user.verified) {
      composer.replaceChildren(
        h('p', { class: 'comments__invite' }, 'Confirmez votre adresse e-mail (lien reçu à l’inscription) pour pouvoir commenter.'),
      );
      return;
    }
    const area = textArea({
      id: 'comment-new',
      name: 'body',
      label: 'Votre commentaire',
      hint: 'Texte simple ; les adresses web deviennent des liens. Vous pourrez le modifier pendant 15 minutes.',
      maxLength: COMMENT_MAX,
      rows: 4,
    });
    const message = formMessage();
    const submit = h('button', { type: 'submit', class: 'button button--primary' }, 'Publier le commentaire');
    const form = h('form', { class: 'form comments__form', novalidate: true }, area.element, message.element, h('div', { class: 'form__actions' }, submit));
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      clearErrors([area], message);
      const text = area.control.value.trim();
      if (!text) {
        showError(new ApiError(400, 'invalid_field', 'Écrivez votre commentaire avant de le publier.', 'body'), [area], message);
        return;
      }
      void busy(submit, 'Publication…', () => postComment(initiativeId, text)).then(
        (created) => {
          area.control.value = '';
          if (next === null) items = [...items, created];
          else posted = [...posted, created];
          loaded = true;
          renderList();
          toast('Commentaire publié.');
        },
        (err: unknown) => showError(err, [area], message),
      );
    });
    composer.replaceChildren(form);
  }

  function loadMine(): void {
    if (!currentUser()) {
      mine = [];
      renderList();
      return;
    }
    getMyComments(initiativeId, controller.signal).then(
      (answer) => {
        mine = answer.items;
        renderList();
      },
      () => undefined, // one's own hidden comments are a detail: the public list stands without them
    );
  }

  function loadPage(cursor: string | null): void {
    if (cursor === null) status.replaceChildren(loadingIndicator('Chargement des commentaires…'));
    getComments(initiativeId, cursor, controller.signal).then(
      (page) => {
        items = cursor === null ? page.items : [...items, ...page.items.filter((c) => !items.some((x) => x.id === c.id))];
        next = page.next_cursor;
        loaded = true;
        renderList();
      },
      (err: unknown) => {
        if (isAbort(err)) return;
        const text = err instanceof ApiError ? err.message : UNAVAILABLE_MESSAGE;
        if (cursor === null) status.replaceChildren(errorMessage(`Les commentaires n’ont pas pu être chargés. ${text}`, () => loadPage(null)));
        else toast(text);
      },
    );
  }

  more.addEventListener('click', () => {
    if (next) loadPage(next);
  });
  const stop = onSession(() => {
    renderComposer();
    loadMine();
    renderList();
  });
  renderComposer();
  loadPage(null);
  loadMine();

  return {
    element,
    destroy(): void {
      controller.abort();
      stop();
    },
  };
}
