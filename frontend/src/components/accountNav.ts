// The header's account area: « Se connecter » / « Créer un compte » when signed out; the display
// name opening « Mon espace » and « Se déconnecter » when signed in.
import { h } from '../dom';
import { loginHref, navigate } from '../router';
import { logOut, onSession, sessionState, type SessionState } from '../session';
import { toast } from './toast';

/** `beside`: shown before the account menu while signed in (the notification bell). */
export function mountAccountNav(container: HTMLElement, beside: HTMLElement | null = null): { refresh(): void } {
  const nav = h('nav', { class: 'account-nav', 'aria-label': 'Mon compte' });
  container.append(nav);
  let closeMenu: (() => void) | null = null;
  let escapeMenu: (() => boolean) | null = null;
  nav.addEventListener('keydown', (event) => {
    if (event.key === 'Escape' && escapeMenu?.()) event.preventDefault();
  });
  // Leaving the menu with Tab closes it.
  nav.addEventListener('focusout', (event) => {
    if (event.relatedTarget && !nav.contains(event.relatedTarget as Node)) closeMenu?.();
  });

  function signedOut(): void {
    nav.replaceChildren(
      h(
        'ul',
        { class: 'account-nav__links' },
        h('li', null, h('a', { class: 'account-nav__login account-nav__contribute', href: '/contribuer' }, 'Ajouter une initiative')),
        h('li', null, h('a', { class: 'account-nav__login', href: loginHref('connexion') }, 'Se connecter')),
        h('li', null, h('a', { class: 'button button--small button--primary account-nav__signup', href: loginHref('inscription') }, 'Créer un compte')),
      ),
    );
  }

  function signedIn(name: string, role: string): void {
    const toggle = h(
      'button',
      { type: 'button', class: 'account-nav__toggle', 'aria-expanded': 'false', 'aria-controls': 'account-menu' },
      h('span', { class: 'visually-hidden' }, 'Mon compte : '),
      h('span', { class: 'account-nav__name' }, name),
      h('span', { class: 'account-nav__caret', 'aria-hidden': 'true' }, '▾'),
    );
    const logout = h('button', { type: 'button', class: 'account-nav__item account-nav__logout' }, 'Se déconnecter');
    const menu = h(
      'ul',
      { class: 'account-nav__menu', id: 'account-menu', hidden: true },
      h('li', null, h('a', { class: 'account-nav__item', href: '/mon-espace' }, 'Mon espace')),
      h('li', null, h('a', { class: 'account-nav__item', href: '/contribuer' }, 'Ajouter une initiative')),
      h('li', null, h('a', { class: 'account-nav__item', href: '/mon-espace/contributions' }, 'Mes contributions')),
      role === 'moderator' || role === 'admin' ? h('li', null, h('a', { class: 'account-nav__item', href: '/moderation' }, 'Modération')) : null,
      h('li', null, logout),
    );
    const setOpen = (open: boolean, focusToggle = false): void => {
      menu.hidden = !open;
      toggle.setAttribute('aria-expanded', String(open));
      if (focusToggle) toggle.focus();
    };
    toggle.addEventListener('click', () => {
      const open = menu.hidden;
      setOpen(open);
      if (open) menu.querySelector<HTMLElement>('a, button')?.focus();
    });
    menu.addEventListener('click', (event) => {
      if (event.target instanceof Element && event.target.closest('a')) setOpen(false);
    });
    closeMenu = () => setOpen(false);
    escapeMenu = () => {
      if (menu.hidden) return false;
      setOpen(false, true);
      return true;
    };
    logout.addEventListener('click', () => {
      logout.disabled = true;
      void logOut()
        .catch(() => undefined)
        .then(() => {
          toast('Vous êtes déconnecté.');
          navigate('/');
        });
    });
    nav.replaceChildren(...(beside ? [beside] : []), h('div', { class: 'account-nav__account' }, toggle, menu));
  }

  function render(state: SessionState): void {
    closeMenu = null;
    escapeMenu = null;
    if (state.status === 'loading') nav.replaceChildren();
    else if (state.status === 'signed-out') signedOut();
    else signedIn(state.user.display_name, state.user.role);
  }

  document.addEventListener('click', (event) => {
    if (closeMenu && !nav.contains(event.target as Node)) closeMenu();
  });
  onSession(render);
  render(sessionState());
  return {
    /** The page changed: the log-in links come back to the new one. */
    refresh() {
      if (sessionState().status === 'signed-out') signedOut();
      closeMenu?.();
    },
  };
}
