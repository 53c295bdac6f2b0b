import { errorMessage, loadingIndicator } from '../components/status';
import { h, setTitle } from '../dom';
import type { Route } from '../router';
import type { View } from './view';

// The pages other than the search are fetched on first use (a file per page, built by Vite from each
// dynamic import()), so that the search page loads only its own code. Once fetched, a page is built
// at once, exactly as if it had been there from the start.

/** Said when a page's code cannot be fetched (no network, or a new version of the site was installed). */
export const PAGE_LOAD_ERROR = "La page n'a pas pu être chargée. Vérifiez votre connexion, puis réessayez.";

/** A module fetched on demand, once; `loaded` is set when it has arrived. */
export interface LazyModule<M> {
  loaded: M | null;
  load(): Promise<M>;
}

/** `lazyModule(() => import('./views/sources'))`: nothing is fetched before the first load(). */
export function lazyModule<M>(importer: () => Promise<M>): LazyModule<M> {
  let pending: Promise<M> | null = null;
  const module: LazyModule<M> = {
    loaded: null,
    load(): Promise<M> {
      pending ??= importer().then(
        (loaded) => (module.loaded = loaded),
        (err: unknown) => {
          // A later attempt may succeed (the page is reloaded by « Réessayer », but a navigation too
          // tries again).
          pending = null;
          throw err;
        },
      );
      return pending;
    },
  };
  return module;
}

/**
 * The view of `route` made by `make` from `module`: at once when the module is there; otherwise a
 * loading indicator until it arrives, or an error with « Réessayer » (which reloads the page: the
 * files of a previous version of the site are gone after an update).
 */
export function lazyView<M, R extends Route>(
  root: HTMLElement,
  module: LazyModule<M>,
  route: R,
  make: (loaded: M, route: R) => View,
): View {
  if (module.loaded) return make(module.loaded, route);

  let latest = route;
  let inner: View | null = null;
  let live = true;
  let failed = false;
  root.replaceChildren(h('div', { class: 'container lazy-page' }, loadingIndicator()));

  module.load().then(
    (loaded) => {
      if (!live) return;
      // After a navigation the router has put the focus on the main element; a view built at once
      // gets it after its own drawing, so keep it there as then.
      const focused = document.activeElement === root;
      root.replaceChildren();
      inner = make(loaded, latest);
      if (focused && document.activeElement !== root) root.focus({ preventScroll: true });
    },
    (err: unknown) => {
      if (!live) return;
      failed = true;
      console.error(err);
      setTitle('Page non chargée');
      root.replaceChildren(
        h(
          'div',
          { class: 'container lazy-page' },
          h('h1', { class: 'visually-hidden' }, 'Page non chargée'),
          errorMessage(PAGE_LOAD_ERROR, () => window.location.reload()),
        ),
      );
    },
  );

  return {
    update(next: Route): boolean {
      if (inner) return inner.update?.(next) ?? false;
      // Failed: another address of the same kind tries again.
      if (failed) return false;
      // Still arriving: the view will be made for the latest address (the router only asks for the
      // same kind of page).
      latest = next as R;
      return true;
    },
    destroy(): void {
      live = false;
      inner?.destroy();
    },
  };
}
