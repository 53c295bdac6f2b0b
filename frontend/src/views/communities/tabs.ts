// The six tabs of a community's page. Each draws into the panel and returns how to take it down.
import L from 'leaflet';
import { ApiError, isAbort } from '../../api';
import { addToCollection, getCollection, removeFromCollection } from '../../accountApi';
import {
  communityCollections,
  communityFeed,
  communityMap,
  createCommunityCollection,
  decide,
  deleteCommunity,
  DIGEST_LABELS,
  handOver,
  invite,
  isMember,
  listMembers,
  listProposals,
  listReports,
  listThreads,
  moderates,
  propose,
  removeMember,
  ROLE_LABELS,
  updateCommunity,
  updateMember,
  updateMembership,
  type Community,
  type CommunityCollection,
  type Digest,
  type FeedItem,
  type Member,
  type Thread,
} from '../../communitiesApi';
import { confirmDialog } from '../../components/dialog';
import { busy, clearErrors, errorText, formMessage, selectField, setFieldError, showError, textArea, textField } from '../../components/form';
import { emptyState, errorMessage, loadingIndicator } from '../../components/status';
import { toast } from '../../components/toast';
import { memberText } from '../../components/memberText';
import { h } from '../../dom';
import { formatDate, formatDateTime, formatRelative } from '../../format';
import { createBaseMap, METROPOLE, removeMap } from '../../map';
import { navigate, threadUrl } from '../../router';
import { currentUser } from '../../session';
import { postForm } from './posting';
import { communityFields } from './shared';

export interface Tab {
  destroy(): void;
}

export interface TabContext {
  community: Community;
  signal: AbortSignal;
  /** The community changed (an edit, a hand-over): the header follows. */
  replaced(next: Community): void;
  /** Asks the community again (after joining, leaving…). */
  reload(): Promise<void>;
  startThread(title: string, body: string, mentions: number[]): Promise<unknown>;
}

const plural = (n: number, one: string, many: string): string => `${n} ${n > 1 ? many : one}`;

/** For whoever is not a member (of a non-public community, unless `always`): a notice instead of the tab. */
function membersOnly(body: HTMLElement, c: Community, what: string, always = false): boolean {
  if (isMember(c) || (c.visibility === 'public' && !always)) return false;
  body.append(
    h(
      'p',
      { class: 'notice' },
      c.me?.status === 'pending' ? `Votre demande est en attente : ${what} seront visibles une fois acceptée.` : `Rejoignez la communauté pour voir ${what}.`,
    ),
  );
  return true;
}

/** A list paged by cursor, with « Afficher plus ». */
function pagedList<T>(options: {
  box: HTMLElement;
  list: HTMLElement;
  signal: AbortSignal;
  loadingText: string;
  empty: () => HTMLElement;
  moreLabel: string;
  page(cursor: string | null, signal: AbortSignal): Promise<{ items: T[]; next_cursor: string | null }>;
  render(item: T): HTMLElement;
}): { reload(): void } {
  const more = h('button', { type: 'button', class: 'button button--secondary load-more', hidden: true }, options.moreLabel);
  const status = h('p', { class: 'visually-hidden', role: 'status', 'aria-live': 'polite' });
  let next: string | null = null;
  let count = 0;
  function load(cursor: string | null): void {
    if (!cursor) {
      count = 0;
      options.box.replaceChildren(loadingIndicator(options.loadingText));
    }
    more.disabled = true;
    options.page(cursor, options.signal).then(
      (page) => {
        const items = Array.isArray(page.items) ? page.items : [];
        next = page.next_cursor ?? null;
        more.disabled = false;
        more.hidden = next === null;
        if (!cursor) {
          options.list.replaceChildren();
          options.box.replaceChildren(items.length ? options.list : options.empty(), more, status);
        }
        const first = items.map(options.render);
        options.list.append(...first);
        count += items.length;
        if (cursor) {
          status.textContent = `${items.length} de plus`;
          first[0]?.querySelector<HTMLElement>('a, button')?.focus();
        }
      },
      (err: unknown) => {
        if (isAbort(err)) return;
        more.disabled = false;
        if (cursor) status.textContent = errorText(err);
        else options.box.replaceChildren(errorMessage(errorText(err), () => load(null)));
      },
    );
  }
  more.addEventListener('click', () => load(next));
  load(null);
  return { reload: () => load(null) };
}

// --- Présentation -------------------------------------------------------------------------------

export function presentationTab(body: HTMLElement, ctx: TabContext): Tab {
  const c = ctx.community;
  const themes = Array.isArray(c.themes) ? c.themes : [];
  body.append(
    c.description ? memberText(c.description, 'member-text community-description') : h('p', { class: 'community-description--empty' }, 'Cette communauté n’a pas encore de présentation.'),
    h(
      'dl',
      { class: 'facts community-facts' },
      h('div', { class: 'facts__row' }, h('dt', null, 'Créée le'), h('dd', null, formatDate(c.created_at) ?? '—')),
      h('div', { class: 'facts__row' }, h('dt', null, 'Territoire'), h('dd', null, c.territory?.name ?? 'Non précisé')),
      h('div', { class: 'facts__row' }, h('dt', null, 'Thèmes'), h('dd', null, themes.length ? themes.map((t) => t.label).join(', ') : 'Non précisés')),
    ),
  );
  if (isMember(c)) body.append(preferencesPanel(ctx));
  if (moderates(c)) body.append(editPanel(ctx));
  return { destroy() {} };
}

function preferencesPanel(ctx: TabContext): HTMLElement {
  const c = ctx.community;
  const me = c.me!;
  const listed = h('input', { type: 'checkbox', id: 'community-listed', class: 'choice__input' });
  listed.checked = me.listed !== false;
  const digest = selectField({
    id: 'community-digest',
    name: 'digest',
    label: 'Résumé des nouveautés par e-mail',
    hint: 'Les nouvelles discussions, réponses et initiatives depuis le résumé précédent ; rien n’est envoyé quand rien n’est nouveau.',
    choices: (['daily', 'weekly', 'never'] as Digest[]).map((d) => [d, DIGEST_LABELS[d]]),
    value: me.digest ?? 'weekly',
  });
  const status = h('p', { class: 'form__message', role: 'status', 'aria-live': 'polite' });
  function save(change: { listed?: boolean; digest?: Digest }): void {
    status.textContent = 'Enregistrement…';
    updateMembership(c.id, change).then(
      (next) => {
        ctx.replaced({ ...c, me: { ...me, ...next } });
        status.textContent = 'Vos préférences sont enregistrées.';
      },
      (err: unknown) => {
        status.textContent = errorText(err);
      },
    );
  }
  listed.addEventListener('change', () => save({ listed: listed.checked }));
  digest.control.addEventListener('change', () => save({ digest: digest.control.value as Digest }));
  return h(
    'section',
    { class: 'panel community-preferences', 'aria-labelledby': 'community-preferences-title' },
    h('h3', { class: 'panel__title', id: 'community-preferences-title' }, 'Mes préférences'),
    h('div', { class: 'choice' }, listed, h('label', { for: 'community-listed' }, 'Apparaître dans la liste des membres')),
    digest.element,
    status,
  );
}

function editPanel(ctx: TabContext): HTMLElement {
  const c = ctx.community;
  const toggle = h('button', { type: 'button', class: 'button button--secondary', 'aria-expanded': 'false', 'aria-controls': 'community-edit' }, 'Modifier la communauté');
  const box = h('div', { id: 'community-edit', hidden: true });
  const section = h(
    'section',
    { class: 'panel community-edit', 'aria-labelledby': 'community-edit-title' },
    h('h3', { class: 'panel__title', id: 'community-edit-title' }, 'Gestion'),
    toggle,
    box,
  );
  let version = c.version;
  toggle.addEventListener('click', () => {
    const open = box.hidden;
    box.hidden = !open;
    toggle.setAttribute('aria-expanded', String(open));
    if (!open || box.childElementCount) {
      if (open) box.querySelector<HTMLElement>('input')?.focus();
      return;
    }
    const form = communityFields(c);
    const message = formMessage();
    const save = h('button', { type: 'submit', class: 'button button--primary' }, 'Enregistrer les modifications');
    const element = h('form', { class: 'form community-form', novalidate: true }, ...form.elements, message.element, h('div', { class: 'form__actions' }, save));
    element.addEventListener('submit', (event) => {
      event.preventDefault();
      clearErrors(form.fields, message);
      const values = form.values();
      if (!values.name) {
        setFieldError(form.name, 'Donnez un nom à la communauté.');
        form.name.control.focus();
        return;
      }
      void busy(save, 'Enregistrement…', () => updateCommunity(c.id, version, values)).then(
        (next) => {
          version = next.version;
          ctx.replaced(next);
          toast('La communauté est modifiée.');
          message.success('Modifications enregistrées.');
        },
        (err: unknown) => {
          const current = (err as { body?: { current?: Community } }).body?.current;
          if (current?.version) {
            version = current.version;
            message.error('Quelqu’un d’autre a modifié la communauté entre-temps. Vérifiez les champs puis enregistrez à nouveau.');
            return;
          }
          showError(err, form.fields, message);
        },
      );
    });
    box.append(element);
    if (c.me?.role === 'owner') {
      const remove = h('button', { type: 'button', class: 'button button--danger' }, 'Supprimer la communauté');
      remove.addEventListener('click', () => {
        void confirmDialog('Supprimer la communauté ?', `« ${c.name} », ses discussions et ses membres disparaîtront. Cette action est définitive.`, 'Supprimer').then((yes) => {
          if (!yes) return;
          deleteCommunity(c.id).then(
            () => {
              toast('La communauté est supprimée.');
              navigate('/mon-espace/communautes');
            },
            (err: unknown) => toast(errorText(err)),
          );
        });
      });
      box.append(h('p', { class: 'community-edit__danger' }, remove));
    }
    form.name.control.focus();
  });
  return section;
}

// --- Discussions --------------------------------------------------------------------------------

function threadItem(c: Community, thread: Thread): HTMLElement {
  const when = formatRelative(thread.last_activity_at) ?? '';
  return h(
    'li',
    { class: 'thread-item' + (thread.pinned ? ' thread-item--pinned' : '') },
    h(
      'h3',
      { class: 'thread-item__title' },
      h('a', { href: threadUrl(c.id, thread.id) }, thread.title),
      thread.pinned ? h('span', { class: 'badge thread-badge' }, 'Épinglée') : null,
      thread.locked ? h('span', { class: 'badge thread-badge' }, 'Verrouillée') : null,
    ),
    h(
      'p',
      { class: 'thread-item__meta' },
      `Par ${thread.author?.display_name ?? 'un compte supprimé'} · `,
      plural(thread.reply_count ?? 0, 'réponse', 'réponses'),
      when ? ` · dernière activité ${when}` : null,
    ),
  );
}

export function discussionsTab(body: HTMLElement, ctx: TabContext): Tab {
  const c = ctx.community;
  if (membersOnly(body, c, 'les discussions')) return { destroy() {} };
  const box = h('div', { class: 'threads' });
  const list = h('ul', { class: 'thread-list', 'aria-label': 'Discussions' });
  let form: ReturnType<typeof postForm> | null = null;
  if (isMember(c)) {
    form = postForm({
      communityId: c.id,
      selfId: currentUser()?.id ?? null,
      withTitle: true,
      bodyLabel: 'Message',
      submitLabel: 'Publier la discussion',
      busyLabel: 'Publication…',
      send: (title, text, mentions) => ctx.startThread(title, text, mentions),
    });
    body.append(
      h(
        'details',
        { class: 'panel new-thread' },
        h('summary', { class: 'new-thread__summary' }, 'Lancer une discussion'),
        form.element,
      ),
    );
  }
  if (moderates(c)) body.append(reportsPanel(c, ctx.signal));
  body.append(box);
  pagedList<Thread>({
    box,
    list,
    signal: ctx.signal,
    loadingText: 'Chargement des discussions…',
    moreLabel: 'Afficher plus de discussions',
    empty: () => emptyState('Aucune discussion pour l’instant.', isMember(c) ? ['Lancez la première avec « Lancer une discussion ».'] : []),
    page: (cursor, signal) => listThreads(c.id, cursor, signal),
    render: (thread) => threadItem(c, thread),
  });
  return { destroy: () => form?.destroy() };
}

/** For moderators: the reports filed in the community (the endpoint may be missing: then nothing). */
function reportsPanel(c: Community, signal: AbortSignal): HTMLElement {
  const box = h('div', null, loadingIndicator('Chargement des signalements…'));
  const details = h(
    'details',
    { class: 'panel community-reports' },
    h('summary', { class: 'new-thread__summary' }, 'Signalements'),
    box,
  );
  listReports(c.id, signal).then(
    (answer) => {
      const items = Array.isArray(answer.items) ? answer.items : [];
      const summary = details.querySelector('summary')!;
      summary.textContent = items.length ? `Signalements (${items.length})` : 'Signalements';
      box.replaceChildren(
        items.length
          ? h(
              'ul',
              { class: 'feed-list' },
              ...items.map((r) =>
                h(
                  'li',
                  { class: 'feed-item' },
                  h(
                    'p',
                    { class: 'feed-item__text' },
                    r.thread_id ? 'Discussion ' : 'Réponse ',
                    r.thread_id ? h('a', { href: threadUrl(c.id, r.thread_id) }, `« ${r.text ?? ''} »`) : `« ${r.text ?? ''} »`,
                    ` signalée par ${r.reporter?.display_name ?? 'un membre'} : ${r.reason}`,
                  ),
                  h('time', { class: 'feed-item__time', datetime: r.created_at }, formatDateTime(r.created_at) ?? ''),
                ),
              ),
            )
          : h('p', { class: 'community-empty' }, 'Aucun signalement.'),
      );
    },
    (err: unknown) => {
      if (isAbort(err)) return;
      if (err instanceof ApiError && err.status === 404) details.hidden = true;
      else box.replaceChildren(h('p', { class: 'community-empty' }, errorText(err)));
    },
  );
  return details;
}

// --- Membres ------------------------------------------------------------------------------------

export function membersTab(body: HTMLElement, ctx: TabContext): Tab {
  const c = ctx.community;
  if (membersOnly(body, c, 'les membres', true)) return { destroy() {} };
  const mod = moderates(c);
  const owner = c.me?.role === 'owner';
  const self = currentUser()?.id ?? null;

  function memberRow(member: Member, refresh: () => void): HTMLElement {
    const actions = h('div', { class: 'member-item__actions' });
    const who = ` ${member.display_name}`;
    const act = (label: string, work: () => Promise<unknown>, done: string, confirm?: [string, string, string]): HTMLButtonElement => {
      const button = h('button', { type: 'button', class: 'button button--small button--tertiary' }, label, h('span', { class: 'visually-hidden' }, who));
      button.addEventListener('click', () => {
        void (confirm ? confirmDialog(...confirm) : Promise.resolve(true)).then((yes) => {
          if (!yes) return;
          button.disabled = true;
          work().then(
            () => {
              toast(done);
              refresh();
            },
            (err: unknown) => {
              button.disabled = false;
              toast(errorText(err));
            },
          );
        });
      });
      return button;
    };
    if (member.status === 'pending' && mod) {
      actions.append(
        act('Accepter', () => updateMember(c.id, member.account_id, { status: 'member' }), `${member.display_name} a rejoint la communauté.`),
        act('Refuser', () => removeMember(c.id, member.account_id), 'Demande refusée.'),
      );
    } else if (member.status === 'banned' && mod) {
      actions.append(act('Réintégrer', () => updateMember(c.id, member.account_id, { status: 'member' }), `${member.display_name} est réintégré·e.`));
    } else if (member.status === 'member' && member.account_id !== self && member.role !== 'owner') {
      if (owner) {
        actions.append(
          member.role === 'moderator'
            ? act('Retirer la modération', () => updateMember(c.id, member.account_id, { role: 'member' }), 'Rôle modifié.')
            : act('Nommer modérateur·rice', () => updateMember(c.id, member.account_id, { role: 'moderator' }), 'Rôle modifié.'),
          act(
            'Passer la main',
            () =>
              handOver(c.id, member.account_id).then((next) => {
                ctx.replaced(next);
                void ctx.reload();
              }),
            `${member.display_name} est désormais responsable de la communauté.`,
            ['Passer la main ?', `${member.display_name} deviendra responsable de la communauté ; vous resterez modérateur·rice.`, 'Passer la main'],
          ),
        );
      }
      if (mod && (owner || member.role === 'member')) {
        actions.append(
          act('Exclure', () => removeMember(c.id, member.account_id), `${member.display_name} ne fait plus partie de la communauté.`, [
            'Exclure ce membre ?',
            `${member.display_name} pourra demander à revenir.`,
            'Exclure',
          ]),
          act('Bannir', () => updateMember(c.id, member.account_id, { status: 'banned' }), `${member.display_name} est banni·e.`, [
            'Bannir ce membre ?',
            `${member.display_name} ne pourra plus voir ni rejoindre la communauté.`,
            'Bannir',
          ]),
        );
      }
    }
    return h(
      'li',
      { class: 'member-item', 'data-account': member.account_id },
      h('span', { class: 'member-item__name' }, member.display_name),
      h('span', { class: 'badge member-item__role' }, member.status === 'pending' ? 'Demande' : member.status === 'banned' ? 'Banni·e' : ROLE_LABELS[member.role] ?? 'Membre'),
      member.joined_at ? h('span', { class: 'member-item__since' }, member.status === 'pending' ? `demandé le ${formatDate(member.joined_at)}` : `depuis le ${formatDate(member.joined_at)}`) : null,
      actions,
    );
  }

  function section(title: string, id: string, status: 'member' | 'pending' | 'banned', emptyText: string): HTMLElement {
    const box = h('div');
    const list = h('ul', { class: 'member-list', 'aria-labelledby': id });
    const paged = pagedList<Member>({
      box,
      list,
      signal: ctx.signal,
      loadingText: 'Chargement…',
      moreLabel: 'Afficher plus',
      empty: () => h('p', { class: 'community-empty' }, emptyText),
      page: (cursor, signal) => listMembers(c.id, status === 'member' ? null : status, cursor, signal),
      render: (m) => memberRow(m, () => paged.reload()),
    });
    return h('section', { class: 'panel member-section', 'aria-labelledby': id }, h('h3', { class: 'panel__title', id }, title), box);
  }

  if (mod) {
    body.append(section('Demandes à examiner', 'members-pending', 'pending', 'Aucune demande en attente.'));
    body.append(invitePanel(c));
  }
  body.append(section('Membres', 'members-list', 'member', 'Aucun membre visible.'));
  if (mod) body.append(section('Personnes bannies', 'members-banned', 'banned', 'Personne n’est banni.'));
  return { destroy() {} };
}

function invitePanel(c: Community): HTMLElement {
  const email = textField({ id: 'community-invite-email', name: 'email', type: 'email', label: 'Adresse e-mail de la personne à inviter', autocomplete: 'off', maxLength: 254, hint: 'Elle recevra un lien valable 14 jours ; sans compte, elle pourra en créer un.' });
  const message = formMessage();
  const submit = h('button', { type: 'submit', class: 'button button--primary' }, 'Envoyer l’invitation');
  const form = h('form', { class: 'form', novalidate: true }, email.element, message.element, h('div', { class: 'form__actions' }, submit));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    clearErrors([email], message);
    const address = email.control.value.trim();
    if (!/^[^\s@]+@[^\s@]+$/.test(address)) {
      setFieldError(email, 'Saisissez une adresse e-mail valide, par exemple camille@exemple.fr.');
      email.control.focus();
      return;
    }
    void busy(submit, 'Envoi…', () => invite(c.id, address)).then(
      (answer) => {
        email.control.value = '';
        const until = formatDate(answer?.expires_at);
        message.success(`Invitation envoyée à ${address}${until ? `, valable jusqu’au ${until}` : ''}.`);
      },
      (err: unknown) => showError(err, [email], message),
    );
  });
  return h('section', { class: 'panel community-invite', 'aria-labelledby': 'community-invite-title' }, h('h3', { class: 'panel__title', id: 'community-invite-title' }, 'Inviter par e-mail'), form);
}

// --- Collections --------------------------------------------------------------------------------

/** The initiative number of « 123 » or of a pasted address « …/initiatives/123 ». */
function initiativeId(raw: string): number | null {
  const match = /(?:^|\/initiatives\/)([0-9]{1,15})(?:[/?#].*)?$/.exec(raw.trim());
  const id = match ? Number(match[1]) : NaN;
  return Number.isSafeInteger(id) && id > 0 ? id : null;
}

export function collectionsTab(body: HTMLElement, ctx: TabContext): Tab {
  const c = ctx.community;
  if (membersOnly(body, c, 'les collections')) return { destroy() {} };
  const mod = moderates(c);
  const box = h('div', { class: 'community-collections' }, loadingIndicator('Chargement des collections…'));
  const proposals = h('div');
  body.append(box);
  if (mod) body.append(proposals);

  function render(items: CommunityCollection[]): void {
    box.replaceChildren(
      items.length
        ? h(
            'ul',
            { class: 'results collection-list', 'aria-label': 'Collections de la communauté' },
            ...items.map((col) => collectionCard(col)),
          )
        : emptyState('Aucune collection pour l’instant.', mod ? ['Créez-en une ci-dessous pour rassembler les initiatives de la communauté.'] : []),
    );
    if (isMember(c) && items.length) box.append(addPanel(items));
    if (mod) box.append(createPanel());
  }

  /** A collection of the community with its initiatives (asked one by one: a community has few). */
  function collectionCard(col: CommunityCollection): HTMLElement {
    const headingId = `community-collection-${col.id}`;
    const items = h('div', { class: 'community-collection__items' }, loadingIndicator('Chargement des initiatives…'));
    getCollection(col.id, ctx.signal).then(
      (full) => {
        const entries = (full.items ?? []).slice().sort((a, b) => a.position - b.position);
        if (entries.length === 0) {
          items.replaceChildren(h('p', { class: 'community-empty' }, 'Cette collection est vide pour le moment.'));
          return;
        }
        items.replaceChildren(
          h(
            'ul',
            { class: 'community-collection__list', 'aria-labelledby': headingId },
            ...entries.map((entry) => {
              const li = h(
                'li',
                { class: 'community-collection__item' },
                h('a', { href: `/initiatives/${entry.initiative.id}` }, entry.initiative.title),
                entry.note ? h('span', { class: 'community-collection__note' }, ` — ${entry.note}`) : null,
              );
              if (mod) {
                const remove = h(
                  'button',
                  { type: 'button', class: 'button button--small button--tertiary' },
                  'Retirer',
                  h('span', { class: 'visually-hidden' }, ` « ${entry.initiative.title} » de la collection`),
                );
                remove.addEventListener('click', () => {
                  remove.disabled = true;
                  removeFromCollection(col.id, entry.initiative.id).then(
                    () => {
                      toast('Initiative retirée de la collection.');
                      load();
                    },
                    (err: unknown) => {
                      remove.disabled = false;
                      toast(errorText(err));
                    },
                  );
                });
                li.append(' ', remove);
              }
              return li;
            }),
          ),
        );
      },
      (err: unknown) => {
        if (!isAbort(err)) items.replaceChildren(h('p', { class: 'community-empty' }, errorText(err)));
      },
    );
    return h(
      'li',
      { class: 'card collection-card community-collection' },
      h('h3', { class: 'card__title', id: headingId }, col.title),
      col.description ? h('p', { class: 'card__summary' }, col.description) : null,
      h('p', { class: 'card__meta' }, plural(col.item_count ?? 0, 'initiative', 'initiatives')),
      items,
    );
  }

  function load(): void {
    communityCollections(c.id, ctx.signal).then(
      (answer) => render(Array.isArray(answer.items) ? answer.items : []),
      (err: unknown) => {
        if (!isAbort(err)) box.replaceChildren(errorMessage(errorText(err), load));
      },
    );
  }

  function addPanel(items: CommunityCollection[]): HTMLElement {
    const collection = selectField({ id: 'collection-target', name: 'collection_id', label: 'Collection', choices: items.map((col) => [String(col.id), col.title]) });
    const initiative = textField({ id: 'collection-initiative', name: 'initiative_id', label: 'Initiative (numéro ou adresse de sa fiche)', hint: 'Par exemple https://…/initiatives/123 ou 123.', maxLength: 300 });
    const note = textField({ id: 'collection-note', name: 'note', label: 'Note', required: false, maxLength: 1000 });
    const message = formMessage();
    const submit = h('button', { type: 'submit', class: 'button button--primary' }, mod ? 'Ajouter à la collection' : 'Proposer l’initiative');
    const form = h('form', { class: 'form', novalidate: true }, collection.element, initiative.element, note.element, message.element, h('div', { class: 'form__actions' }, submit));
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      const fields = [collection, initiative, note];
      clearErrors(fields, message);
      const id = initiativeId(initiative.control.value);
      if (!id) {
        setFieldError(initiative, 'Saisissez le numéro de l’initiative ou collez l’adresse de sa fiche.');
        initiative.control.focus();
        return;
      }
      const target = Number(collection.control.value);
      const text = note.control.value.trim();
      void busy(submit, 'Envoi…', () => (mod ? addToCollection(target, id, text || undefined) : propose(c.id, target, id, text))).then(
        () => {
          initiative.control.value = '';
          note.control.value = '';
          message.success(mod ? 'L’initiative est ajoutée à la collection.' : 'Merci : votre proposition est transmise aux modérateurs.');
          if (mod) load();
        },
        (err: unknown) => showError(err, fields, message),
      );
    });
    return h(
      'section',
      { class: 'panel', 'aria-labelledby': 'collection-add-title' },
      h('h3', { class: 'panel__title', id: 'collection-add-title' }, mod ? 'Ajouter une initiative' : 'Proposer une initiative'),
      form,
    );
  }

  function createPanel(): HTMLElement {
    const title = textField({ id: 'community-collection-title', name: 'title', label: 'Titre de la collection', maxLength: 200 });
    const description = textArea({ id: 'community-collection-description', name: 'description', label: 'Description', required: false, maxLength: 2000 });
    const message = formMessage();
    const submit = h('button', { type: 'submit', class: 'button button--primary' }, 'Créer la collection');
    const form = h('form', { class: 'form', novalidate: true }, title.element, description.element, message.element, h('div', { class: 'form__actions' }, submit));
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      clearErrors([title, description], message);
      const text = title.control.value.trim();
      if (!text) {
        setFieldError(title, 'Donnez un titre à la collection.');
        title.control.focus();
        return;
      }
      void busy(submit, 'Création…', () => createCommunityCollection(c.id, text, description.control.value.trim())).then(
        () => {
          toast('La collection est créée.');
          load();
        },
        (err: unknown) => showError(err, [title, description], message),
      );
    });
    return h('section', { class: 'panel', 'aria-labelledby': 'collection-create-title' }, h('h3', { class: 'panel__title', id: 'collection-create-title' }, 'Nouvelle collection partagée'), form);
  }

  function loadProposals(): void {
    proposals.replaceChildren(loadingIndicator('Chargement des propositions…'));
    listProposals(c.id, ctx.signal).then(
      (answer) => {
        const items = Array.isArray(answer.items) ? answer.items : [];
        proposals.replaceChildren(
          h(
            'section',
            { class: 'panel', 'aria-labelledby': 'proposals-title' },
            h('h3', { class: 'panel__title', id: 'proposals-title' }, 'Propositions à examiner'),
            items.length
              ? h(
                  'ul',
                  { class: 'proposal-list' },
                  ...items.map((p) => {
                    const accept = h('button', { type: 'button', class: 'button button--small button--primary' }, 'Accepter', h('span', { class: 'visually-hidden' }, ` « ${p.initiative?.title ?? ''} »`));
                    const reject = h('button', { type: 'button', class: 'button button--small button--secondary' }, 'Refuser', h('span', { class: 'visually-hidden' }, ` « ${p.initiative?.title ?? ''} »`));
                    const run = (decision: 'accept' | 'reject'): void => {
                      accept.disabled = reject.disabled = true;
                      decide(c.id, p.id, decision).then(
                        () => {
                          toast(decision === 'accept' ? 'Initiative ajoutée à la collection.' : 'Proposition refusée.');
                          loadProposals();
                          if (decision === 'accept') load();
                        },
                        (err: unknown) => {
                          accept.disabled = reject.disabled = false;
                          toast(errorText(err));
                        },
                      );
                    };
                    accept.addEventListener('click', () => run('accept'));
                    reject.addEventListener('click', () => run('reject'));
                    return h(
                      'li',
                      { class: 'proposal-item' },
                      h('a', { href: `/initiatives/${p.initiative?.id}` }, p.initiative?.title ?? `Initiative ${p.initiative?.id}`),
                      h('span', { class: 'proposal-item__meta' }, ` proposée par ${p.author?.display_name ?? 'un membre'}`),
                      p.note ? h('p', { class: 'proposal-item__note' }, p.note) : null,
                      h('div', { class: 'proposal-item__actions' }, accept, reject),
                    );
                  }),
                )
              : h('p', { class: 'community-empty' }, 'Aucune proposition en attente.'),
          ),
        );
      },
      (err: unknown) => {
        if (!isAbort(err)) proposals.replaceChildren(errorMessage(errorText(err), loadProposals));
      },
    );
  }

  load();
  if (mod) loadProposals();
  return { destroy() {} };
}

// --- Carte --------------------------------------------------------------------------------------

export function mapTab(body: HTMLElement, ctx: TabContext): Tab {
  const c = ctx.community;
  if (membersOnly(body, c, 'la carte')) return { destroy() {} };
  const canvas = h('div', { class: 'community-map__canvas', id: 'community-map' });
  const summary = h('div', { class: 'community-map__list' }, loadingIndicator('Chargement de la carte…'));
  const legend = h(
    'ul',
    { class: 'community-map__legend', 'aria-label': 'Légende' },
    h('li', null, h('span', { class: 'legend-dot legend-dot--collection', 'aria-hidden': 'true' }), 'Dans les collections de la communauté'),
    h('li', null, h('span', { class: 'legend-dot legend-dot--match', 'aria-hidden': 'true' }), 'Sur son territoire et ses thèmes'),
  );
  body.append(h('p', { class: 'community-map__lead' }, 'Les initiatives des collections de la communauté, et celles de son territoire qui touchent ses thèmes.'), legend, canvas, summary);
  let map: L.Map | null = createBaseMap(canvas, { label: `Carte des initiatives de « ${c.name} »` });
  map.fitBounds(METROPOLE!.bounds);

  communityMap(c.id, ctx.signal).then(
    (answer) => {
      if (!map) return;
      const features = Array.isArray(answer.features) ? answer.features : [];
      const points: L.LatLng[] = [];
      const fromCollections: HTMLElement[] = [];
      let matching = 0;
      for (const f of features) {
        const coords = f.geometry?.type === 'Point' ? f.geometry.coordinates : null;
        const props = f.properties ?? ({} as typeof f.properties);
        if (props.origin === 'collection') {
          fromCollections.push(h('li', null, h('a', { href: `/initiatives/${props.id}` }, props.title)));
        } else matching++;
        if (!coords) continue;
        const at = L.latLng(coords[1], coords[0]);
        points.push(at);
        const collection = props.origin === 'collection';
        const marker = L.circleMarker(at, {
          className: `sc-marker community-map__marker community-map__marker--${collection ? 'collection' : 'match'}`,
          radius: collection ? 9 : 6,
          color: '#ffffff',
          weight: 2,
          fillColor: collection ? '#0b5d5a' : '#c2410c',
          fillOpacity: 0.95,
        });
        marker.bindTooltip(props.title, { direction: 'top', offset: [0, -8] });
        marker.bindPopup(
          () =>
            h(
              'div',
              { class: 'map-popup', 'data-id': String(props.id) },
              h('p', { class: 'map-popup__title' }, props.title),
              h('p', null, collection ? 'Dans une collection de la communauté' : 'Sur le territoire et les thèmes de la communauté'),
              h('a', { class: 'map-popup__link', href: `/initiatives/${props.id}` }, 'Voir la fiche', h('span', { class: 'visually-hidden' }, ` de « ${props.title} »`)),
            ),
          { closeButton: true },
        );
        marker.addTo(map);
      }
      if (points.length === 1) map.setView(points[0]!, 9);
      else if (points.length > 1) map.fitBounds(L.latLngBounds(points), { padding: [32, 32], maxZoom: 10 });
      summary.replaceChildren(
        features.length === 0
          ? emptyState('Aucune initiative à montrer pour l’instant.', ['Ajoutez des initiatives aux collections de la communauté, ou précisez son territoire et ses thèmes.'])
          : h(
              'div',
              null,
              h('p', { class: 'community-map__count' }, `${plural(fromCollections.length, 'initiative', 'initiatives')} des collections, ${plural(matching, 'initiative', 'initiatives')} du territoire.`),
              fromCollections.length
                ? h('details', { class: 'community-map__details' }, h('summary', null, 'Liste des initiatives des collections'), h('ul', null, ...fromCollections))
                : null,
            ),
      );
    },
    (err: unknown) => {
      if (!isAbort(err)) summary.replaceChildren(errorMessage(errorText(err), () => ctx.reload()));
    },
  );

  return {
    destroy(): void {
      if (map) removeMap(map);
      map = null;
    },
  };
}

// --- Activité -----------------------------------------------------------------------------------

function feedText(c: Community, item: FeedItem): (Node | string)[] {
  const who = item.actor?.display_name ?? 'Quelqu’un';
  const thread = item.thread ? h('a', { href: threadUrl(c.id, item.thread.id) }, item.thread.title) : null;
  const initiative = item.initiative ? h('a', { href: `/initiatives/${item.initiative.id}` }, item.initiative.title) : null;
  switch (item.kind) {
    case 'member_joined':
      return [`${who} a rejoint la communauté.`];
    case 'thread':
      return thread ? [`${who} a lancé la discussion `, thread, '.'] : [`${who} a lancé une discussion.`];
    case 'reply':
      return thread ? [`${who} a répondu dans `, thread, '.'] : [`${who} a répondu dans une discussion.`];
    case 'collection_item':
      return [
        `${who} a ajouté `,
        initiative ?? 'une initiative',
        item.collection ? ' à la collection ' : '.',
        item.collection ? h('a', { href: `/collections/${item.collection.id}` }, item.collection.title) : '',
      ];
    case 'initiative':
      return ['Nouvelle initiative sur le territoire : ', initiative ?? 'une initiative', '.'];
    default:
      return [`${who} a participé.`];
  }
}

export function activityTab(body: HTMLElement, ctx: TabContext): Tab {
  const c = ctx.community;
  if (membersOnly(body, c, 'l’activité')) return { destroy() {} };
  const box = h('div');
  const list = h('ol', { class: 'feed-list', 'aria-label': 'Activité récente' });
  body.append(box);
  pagedList<FeedItem>({
    box,
    list,
    signal: ctx.signal,
    loadingText: 'Chargement de l’activité…',
    moreLabel: 'Afficher plus',
    empty: () => emptyState('Rien de nouveau pour l’instant.', []),
    page: (cursor, signal) => communityFeed(c.id, cursor, signal),
    render: (item) =>
      h(
        'li',
        { class: 'feed-item' },
        h('p', { class: 'feed-item__text' }, ...feedText(c, item)),
        h('time', { class: 'feed-item__time', datetime: item.at }, formatDateTime(item.at) ?? ''),
      ),
  });
  return { destroy() {} };
}
