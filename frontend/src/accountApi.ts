// The account and personal-space endpoints (docs/api.md, "Accounts" and "The personal space"). Every
// write goes through write() in api.ts, which adds the CSRF token; personal reads through getPersonal().
import { getJson, getPersonal, write } from './api';
import type {
  AlertFrequency,
  Collection,
  FavouritePage,
  SavedSearch,
  SessionAnswer,
  SessionInfo,
  User,
  Visibility,
} from './types';

const V1 = '/api/v1';
const id = (n: number): string => encodeURIComponent(String(n));

// --- Account ------------------------------------------------------------------------------------

export function signUp(email: string, display_name: string, password: string): Promise<{ status: string }> {
  return write('POST', `${V1}/account/signup`, { email, display_name, password });
}

export function verifyEmail(token: string): Promise<{ user: User }> {
  return write('POST', `${V1}/account/verify`, { token });
}

export function resendVerification(): Promise<{ status: string }> {
  return write('POST', `${V1}/account/verify/resend`, {});
}

export function forgotPassword(email: string): Promise<{ status: string }> {
  return write('POST', `${V1}/account/password/forgot`, { email });
}

export function resetPassword(token: string, password: string): Promise<{ status: string }> {
  return write('POST', `${V1}/account/password/reset`, { token, password });
}

export function openSession(email: string, password: string): Promise<SessionAnswer> {
  return write('POST', `${V1}/session`, { email, password });
}

export function closeSession(): Promise<null> {
  return write('DELETE', `${V1}/session`);
}

/** GET /me: 401 when signed out (the caller decides; no sign-out hook here). */
export function getMe(signal?: AbortSignal): Promise<SessionAnswer> {
  return getJson<SessionAnswer>(`${V1}/me`, signal);
}

export function updateDisplayName(display_name: string, version: number): Promise<{ user: User }> {
  return write('PATCH', `${V1}/me`, { display_name, version });
}

export function changePassword(current_password: string, new_password: string): Promise<null> {
  return write('PUT', `${V1}/me/password`, { current_password, new_password });
}

export function changeEmail(email: string, password: string): Promise<{ status: string }> {
  return write('PUT', `${V1}/me/email`, { email, password });
}

export function deleteAccount(password: string): Promise<null> {
  return write('DELETE', `${V1}/me`, { password });
}

export function getSessions(signal?: AbortSignal): Promise<{ items: SessionInfo[] }> {
  return getPersonal(`${V1}/me/sessions`, signal);
}

export function revokeSession(sessionId: number): Promise<null> {
  return write('DELETE', `${V1}/me/sessions/${id(sessionId)}`);
}

/** The address of the export; a link to it downloads the file with the session cookie. */
export const EXPORT_URL = `${V1}/me/export`;

// --- Favourites ---------------------------------------------------------------------------------

export function getFavourites(cursor: string | null, signal?: AbortSignal): Promise<FavouritePage> {
  const params = new URLSearchParams({ limit: '20' });
  if (cursor) params.set('cursor', cursor);
  return getPersonal(`${V1}/me/favourites?${params.toString()}`, signal);
}

export function getFavouriteIds(signal?: AbortSignal): Promise<{ ids: number[] }> {
  return getPersonal(`${V1}/me/favourites/ids`, signal);
}

export function addFavourite(initiativeId: number): Promise<null> {
  return write('PUT', `${V1}/me/favourites/${id(initiativeId)}`);
}

export function removeFavourite(initiativeId: number): Promise<null> {
  return write('DELETE', `${V1}/me/favourites/${id(initiativeId)}`);
}

// --- Collections --------------------------------------------------------------------------------

export function getMyCollections(signal?: AbortSignal): Promise<{ items: Collection[] }> {
  return getPersonal(`${V1}/me/collections`, signal);
}

/** A public collection for anyone, a private one for its owner only (404 for anyone else). */
export function getCollection(collectionId: number, signal?: AbortSignal): Promise<Collection> {
  return getJson<Collection>(`${V1}/collections/${id(collectionId)}`, signal);
}

export interface CollectionFields {
  title?: string;
  description?: string;
  visibility?: Visibility;
}

export function createCollection(fields: CollectionFields & { title: string }): Promise<Collection> {
  return write('POST', `${V1}/collections`, fields);
}

export function updateCollection(collectionId: number, version: number, fields: CollectionFields): Promise<Collection> {
  return write('PATCH', `${V1}/collections/${id(collectionId)}`, { version, ...fields });
}

export function deleteCollection(collectionId: number): Promise<null> {
  return write('DELETE', `${V1}/collections/${id(collectionId)}`);
}

export function addToCollection(collectionId: number, initiativeId: number, note?: string): Promise<Collection> {
  const body: { initiative_id: number; note?: string } = { initiative_id: initiativeId };
  if (note) body.note = note;
  return write('POST', `${V1}/collections/${id(collectionId)}/items`, body);
}

export function updateCollectionItem(
  collectionId: number,
  initiativeId: number,
  change: { note?: string; position?: number },
): Promise<Collection> {
  return write('PATCH', `${V1}/collections/${id(collectionId)}/items/${id(initiativeId)}`, change);
}

export function removeFromCollection(collectionId: number, initiativeId: number): Promise<null> {
  return write('DELETE', `${V1}/collections/${id(collectionId)}/items/${id(initiativeId)}`);
}

// --- Saved searches and alerts ------------------------------------------------------------------

export function getSavedSearches(signal?: AbortSignal): Promise<{ items: SavedSearch[] }> {
  return getPersonal(`${V1}/me/searches`, signal);
}

export function saveSearch(name: string, params: Record<string, string>, alert: AlertFrequency): Promise<SavedSearch> {
  return write('POST', `${V1}/me/searches`, { name, params, alert });
}

export function updateSavedSearch(
  searchId: number,
  version: number,
  change: { name?: string; alert?: AlertFrequency },
): Promise<SavedSearch> {
  return write('PATCH', `${V1}/me/searches/${id(searchId)}`, { version, ...change });
}

export function deleteSavedSearch(searchId: number): Promise<null> {
  return write('DELETE', `${V1}/me/searches/${id(searchId)}`);
}

/** Which alert an unsubscribe link is about, when the API tells it before the click. */
export function describeUnsubscribe(token: string, signal?: AbortSignal): Promise<{ status?: 'valid' | 'unsubscribed'; name?: string }> {
  return getJson(`${V1}/alerts/unsubscribe?${new URLSearchParams({ token }).toString()}`, signal);
}

export function unsubscribe(token: string): Promise<{ status: string; name?: string }> {
  return write('POST', `${V1}/alerts/unsubscribe?${new URLSearchParams({ token }).toString()}`);
}
