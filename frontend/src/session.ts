// The session as the interface knows it: who is signed in and the CSRF token of their session.
// Asked once at start (GET /me: 401 means signed out); writes reach the token through api.ts hooks.
import { ApiError, setSessionHooks } from './api';
import { closeSession, getMe, openSession } from './accountApi';
import type { User } from './types';

export type SessionState = { status: 'loading' } | { status: 'signed-out' } | { status: 'signed-in'; user: User };

let state: SessionState = { status: 'loading' };
let csrf: string | null = null;
const listeners = new Set<(state: SessionState) => void>();
let started: Promise<void> | null = null;

function set(next: SessionState): void {
  state = next;
  for (const listener of Array.from(listeners)) listener(state);
}

export function sessionState(): SessionState {
  return state;
}

export function currentUser(): User | null {
  return state.status === 'signed-in' ? state.user : null;
}

/** Calls listener on every change; returns the function that stops it. */
export function onSession(listener: (state: SessionState) => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** The state once the first GET /me has answered. */
export async function sessionReady(): Promise<SessionState> {
  await startSession();
  return state;
}

/** Asks GET /me; true when signed in. A failure other than 401 keeps what was known. */
async function refresh(): Promise<boolean> {
  try {
    const me = await getMe();
    csrf = me.csrf_token;
    set({ status: 'signed-in', user: me.user });
    return true;
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) signedOut();
    else if (state.status === 'loading') set({ status: 'signed-out' });
    return false;
  }
}

function signedOut(): void {
  csrf = null;
  if (state.status !== 'signed-out') set({ status: 'signed-out' });
}

export function startSession(): Promise<void> {
  if (!started) {
    setSessionHooks({ csrfToken: () => csrf, refresh, signedOut });
    started = refresh().then(() => undefined);
  }
  return started;
}

export async function logIn(email: string, password: string): Promise<User> {
  const answer = await openSession(email, password);
  csrf = answer.csrf_token;
  set({ status: 'signed-in', user: answer.user });
  return answer.user;
}

/** Closes the session on the server; the interface signs out even when that call fails. */
export async function logOut(): Promise<void> {
  try {
    await closeSession();
  } finally {
    signedOut();
  }
}

/** The user changed (name, verification): the header and pages follow. */
export function setUser(user: User): void {
  if (state.status === 'signed-in' && state.user.id === user.id) set({ status: 'signed-in', user });
}

/** The account is gone or every session was closed (password reset, deletion). */
export function forgetSession(): void {
  signedOut();
}

/** Asks /me again, e.g. after an e-mail link changed the account in another tab. */
export function reloadSession(): Promise<boolean> {
  return refresh();
}
