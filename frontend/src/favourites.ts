// The ids of my favourites, asked once per sign-in (GET /me/favourites/ids), so every star on a
// page shows its state without a request per card.
import { addFavourite, getFavouriteIds, removeFavourite } from './accountApi';
import { onSession, sessionState } from './session';

let ids: Set<number> | null = null;
let loading: Promise<void> | null = null;
const listeners = new Set<() => void>();

function notify(): void {
  for (const listener of Array.from(listeners)) listener();
}

function load(): Promise<void> {
  if (!loading) {
    loading = getFavouriteIds().then(
      (answer) => {
        ids = new Set(Array.isArray(answer.ids) ? answer.ids : []);
        notify();
      },
      () => {
        loading = null;
      },
    );
  }
  return loading;
}

onSession((state) => {
  if (state.status === 'signed-in') {
    if (!ids) void load();
  } else {
    ids = null;
    loading = null;
    notify();
  }
});

export function ensureFavourites(): void {
  if (sessionState().status === 'signed-in' && !ids) void load();
}

export function isFavourite(id: number): boolean {
  return ids?.has(id) ?? false;
}

/** Calls listener when the set changes; returns the function that stops it. */
export function onFavourites(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export async function setFavourite(id: number, on: boolean): Promise<void> {
  if (on) await addFavourite(id);
  else await removeFavourite(id);
  if (!ids) ids = new Set();
  if (on) ids.add(id);
  else ids.delete(id);
  notify();
}
