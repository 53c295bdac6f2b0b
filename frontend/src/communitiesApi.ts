// The communities endpoints (docs/api.md, "Communities"). Every write goes through write() in api.ts,
// which adds the CSRF token; every answer that depends on who asks is read with getPersonal(), or with
// getJson() where a signed-out visitor may read it too (the directory, a public community).
import { getJson, getPersonal, write } from './api';
import type { Coded, Collection } from './types';

const V1 = '/api/v1';
const seg = (n: number | string): string => encodeURIComponent(String(n));

export type CommunityVisibility = 'public' | 'restricted' | 'private';
export type Digest = 'daily' | 'weekly' | 'never';
export type MemberStatus = 'member' | 'pending' | 'banned';
export type MemberRole = 'owner' | 'moderator' | 'member';

export interface CommunityMe {
  status: MemberStatus | null;
  role: MemberRole | null;
  listed: boolean;
  digest: Digest;
}

export interface Community {
  id: number;
  name: string;
  description: string;
  visibility: CommunityVisibility;
  territory: { ref: string; name: string } | null;
  themes: Coded[];
  point: { lon: number; lat: number } | null;
  member_count: number;
  created_at: string;
  updated_at: string;
  version: number;
  me: CommunityMe | null;
}

export interface Person {
  account_id: number;
  display_name: string;
}

export interface Member extends Person {
  role: MemberRole;
  status: MemberStatus;
  joined_at: string;
}

export interface Thread {
  id: number;
  community_id: number;
  title: string;
  body?: string;
  author: Person | null;
  pinned: boolean;
  locked: boolean;
  reply_count: number;
  last_activity_at: string;
  created_at: string;
  edited_at: string | null;
  version: number;
  mentions?: Person[];
}

export interface Reply {
  id: number;
  thread_id: number;
  body: string;
  author: Person | null;
  created_at: string;
  edited_at: string | null;
  version: number;
  mentions?: Person[];
}

/** The short form of an initiative in the feed and the proposals. */
export interface InitiativeRef {
  id: number;
  slug?: string;
  title: string;
}

export interface FeedItem {
  id: string;
  kind: 'member_joined' | 'thread' | 'reply' | 'collection_item' | 'initiative';
  at: string;
  actor: { display_name: string } | null;
  thread: { id: number; title: string } | null;
  initiative: InitiativeRef | null;
  collection: { id: number; title: string } | null;
}

export interface Notification {
  id: number;
  kind: 'mention' | 'reply' | 'join_request' | 'request_approved' | 'invitation_accepted' | 'proposal';
  community: { id: number; name: string };
  thread: { id: number; title: string } | null;
  actor: { display_name: string } | null;
  created_at: string;
  read: boolean;
}

export interface Proposal {
  id: number;
  collection_id: number;
  initiative: InitiativeRef;
  note: string;
  author: Person | null;
  created_at: string;
}

export interface Invitation {
  community: { id: number; name: string; visibility: CommunityVisibility };
  email: string;
  expires_at: string;
  status: 'valid' | 'accepted';
}

export interface Page<T> {
  items: T[];
  next_cursor: string | null;
}

export type CommunityCollection = Collection & { community_id?: number };

/** Limits of the contract, checked before sending (the server checks them again). */
export const NAME_MAX = 120;
export const DESCRIPTION_MAX = 4000;
export const TITLE_MAX = 200;
export const BODY_MAX = 10000;

function query(params: Record<string, string | number | null | undefined>): string {
  const q = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) if (value !== null && value !== undefined && value !== '') q.set(key, String(value));
  const text = q.toString();
  return text ? `?${text}` : '';
}

// --- Directory and community --------------------------------------------------------------------

export interface DirectoryFilters {
  q?: string;
  theme?: string;
  territory?: string;
}

export function listCommunities(filters: DirectoryFilters, cursor: string | null, signal?: AbortSignal, limit = 20): Promise<Page<Community>> {
  return getJson(`${V1}/communities${query({ ...filters, limit, cursor })}`, signal);
}

export function myCommunities(signal?: AbortSignal): Promise<{ items: Community[] }> {
  return getPersonal(`${V1}/me/communities`, signal);
}

export interface CommunityFields {
  name?: string;
  description?: string;
  visibility?: CommunityVisibility;
  /** A territory reference; '' removes it in a change. */
  territory?: string;
  themes?: string[];
}

export function createCommunity(fields: CommunityFields & { name: string; visibility: CommunityVisibility }): Promise<Community> {
  return write('POST', `${V1}/communities`, fields);
}

export function getCommunity(id: number, signal?: AbortSignal): Promise<Community> {
  return getJson(`${V1}/communities/${seg(id)}`, signal);
}

export function updateCommunity(id: number, version: number, fields: CommunityFields): Promise<Community> {
  return write('PATCH', `${V1}/communities/${seg(id)}`, { version, ...fields });
}

export function deleteCommunity(id: number): Promise<null> {
  return write('DELETE', `${V1}/communities/${seg(id)}`);
}

// --- Membership ---------------------------------------------------------------------------------

export function join(id: number): Promise<{ status: MemberStatus }> {
  return write('POST', `${V1}/communities/${seg(id)}/membership`, {});
}

export function updateMembership(id: number, change: { listed?: boolean; digest?: Digest }): Promise<CommunityMe> {
  return write('PATCH', `${V1}/communities/${seg(id)}/membership`, change);
}

export function leave(id: number): Promise<null> {
  return write('DELETE', `${V1}/communities/${seg(id)}/membership`);
}

export function listMembers(id: number, status: MemberStatus | null, cursor: string | null, signal?: AbortSignal): Promise<Page<Member>> {
  return getPersonal(`${V1}/communities/${seg(id)}/members${query({ status, cursor, limit: 100 })}`, signal);
}

export function updateMember(id: number, accountId: number, change: { status?: 'member' | 'banned'; role?: 'moderator' | 'member' }): Promise<Member> {
  return write('PATCH', `${V1}/communities/${seg(id)}/members/${seg(accountId)}`, change);
}

export function removeMember(id: number, accountId: number): Promise<null> {
  return write('DELETE', `${V1}/communities/${seg(id)}/members/${seg(accountId)}`);
}

export function handOver(id: number, accountId: number): Promise<Community> {
  return write('POST', `${V1}/communities/${seg(id)}/owner`, { account_id: accountId });
}

export function invite(id: number, email: string): Promise<{ expires_at: string }> {
  return write('POST', `${V1}/communities/${seg(id)}/invitations`, { email });
}

export function describeInvitation(token: string, signal?: AbortSignal): Promise<Invitation> {
  return getJson(`${V1}/community-invitations${query({ token })}`, signal);
}

export function acceptInvitation(token: string): Promise<Community> {
  return write('POST', `${V1}/community-invitations/accept`, { token });
}

// --- Collections, proposals, map, feed ----------------------------------------------------------

export function communityCollections(id: number, signal?: AbortSignal): Promise<{ items: CommunityCollection[] }> {
  return getJson(`${V1}/communities/${seg(id)}/collections`, signal);
}

export function createCommunityCollection(id: number, title: string, description: string): Promise<CommunityCollection> {
  return write('POST', `${V1}/communities/${seg(id)}/collections`, description ? { title, description } : { title });
}

export function listProposals(id: number, signal?: AbortSignal): Promise<{ items: Proposal[] }> {
  return getPersonal(`${V1}/communities/${seg(id)}/proposals`, signal);
}

export function propose(id: number, collectionId: number, initiativeId: number, note: string): Promise<unknown> {
  const body: Record<string, unknown> = { collection_id: collectionId, initiative_id: initiativeId };
  if (note) body.note = note;
  return write('POST', `${V1}/communities/${seg(id)}/proposals`, body);
}

export function decide(id: number, proposalId: number, decision: 'accept' | 'reject'): Promise<unknown> {
  return write('POST', `${V1}/communities/${seg(id)}/proposals/${seg(proposalId)}/decision`, { decision });
}

export interface MapFeature {
  type: 'Feature';
  geometry: { type: 'Point'; coordinates: [number, number] } | null;
  properties: { id: number; title: string; origin: 'collection' | 'match' };
}

export function communityMap(id: number, signal?: AbortSignal): Promise<{ type: 'FeatureCollection'; features: MapFeature[] }> {
  return getJson(`${V1}/communities/${seg(id)}/map`, signal, 'application/geo+json, application/json');
}

export function communityFeed(id: number, cursor: string | null, signal?: AbortSignal): Promise<Page<FeedItem>> {
  return getJson(`${V1}/communities/${seg(id)}/feed${query({ cursor, limit: 20 })}`, signal);
}

// --- Discussions --------------------------------------------------------------------------------

export function listThreads(id: number, cursor: string | null, signal?: AbortSignal): Promise<Page<Thread>> {
  return getJson(`${V1}/communities/${seg(id)}/threads${query({ cursor, limit: 20 })}`, signal);
}

export function postThread(id: number, title: string, body: string, mentions: number[]): Promise<Thread> {
  return write('POST', `${V1}/communities/${seg(id)}/threads`, mentions.length ? { title, body, mentions } : { title, body });
}

export function getThread(id: number, threadId: number, signal?: AbortSignal): Promise<Thread> {
  return getJson(`${V1}/communities/${seg(id)}/threads/${seg(threadId)}`, signal);
}

export function updateThread(
  id: number,
  threadId: number,
  version: number,
  change: { title?: string; body?: string; pinned?: boolean; locked?: boolean },
): Promise<Thread> {
  return write('PATCH', `${V1}/communities/${seg(id)}/threads/${seg(threadId)}`, { version, ...change });
}

export function deleteThread(id: number, threadId: number): Promise<null> {
  return write('DELETE', `${V1}/communities/${seg(id)}/threads/${seg(threadId)}`);
}

export function listReplies(id: number, threadId: number, cursor: string | null, signal?: AbortSignal): Promise<Page<Reply>> {
  return getJson(`${V1}/communities/${seg(id)}/threads/${seg(threadId)}/replies${query({ cursor, limit: 50 })}`, signal);
}

export function postReply(id: number, threadId: number, body: string, mentions: number[]): Promise<Reply> {
  return write('POST', `${V1}/communities/${seg(id)}/threads/${seg(threadId)}/replies`, mentions.length ? { body, mentions } : { body });
}

export function updateReply(id: number, replyId: number, version: number, body: string): Promise<Reply> {
  return write('PATCH', `${V1}/communities/${seg(id)}/replies/${seg(replyId)}`, { version, body });
}

export function deleteReply(id: number, replyId: number): Promise<null> {
  return write('DELETE', `${V1}/communities/${seg(id)}/replies/${seg(replyId)}`);
}

export function reportPost(id: number, target: { thread_id: number } | { reply_id: number }, reason: string): Promise<unknown> {
  return write('POST', `${V1}/communities/${seg(id)}/reports`, { ...target, reason });
}

export interface CommunityReport {
  id: number;
  thread_id: number | null;
  reply_id: number | null;
  reason: string;
  reporter: Person | null;
  /** The reported discussion's title, or the beginning of the reported reply. */
  text: string | null;
  created_at: string;
}

/** The reports filed in a community, newest first (its moderators). */
export function listReports(id: number, signal?: AbortSignal): Promise<{ items: CommunityReport[] }> {
  return getPersonal(`${V1}/communities/${seg(id)}/reports`, signal);
}

// --- Notifications ------------------------------------------------------------------------------

export function listNotifications(cursor: string | null, signal?: AbortSignal): Promise<Page<Notification> & { unread: number }> {
  return getPersonal(`${V1}/me/notifications${query({ cursor, limit: 30 })}`, signal);
}

export function unreadCount(signal?: AbortSignal): Promise<{ unread: number }> {
  return getPersonal(`${V1}/me/notifications/unread`, signal);
}

export function markRead(change: { ids: number[] } | { all: true }): Promise<null> {
  return write('POST', `${V1}/me/notifications/read`, change);
}

// --- Labels shared by the pages -----------------------------------------------------------------

export const VISIBILITY_LABELS: Record<CommunityVisibility, string> = {
  public: 'Publique',
  restricted: 'Sur demande',
  private: 'Privée',
};

export const VISIBILITY_HINTS: Record<CommunityVisibility, string> = {
  public: 'Tout le monde la voit et peut la rejoindre.',
  restricted: 'Tout le monde la voit ; les modérateurs acceptent les demandes.',
  private: 'Invisible dans l’annuaire ; on y entre seulement sur invitation.',
};

export const ROLE_LABELS: Record<MemberRole, string> = {
  owner: 'Responsable',
  moderator: 'Modérateur·rice',
  member: 'Membre',
};

export const DIGEST_LABELS: Record<Digest, string> = {
  daily: 'Chaque jour',
  weekly: 'Chaque semaine',
  never: 'Jamais',
};

export function moderates(community: Community): boolean {
  return community.me?.status === 'member' && (community.me.role === 'owner' || community.me.role === 'moderator');
}

export function isMember(community: Community): boolean {
  return community.me?.status === 'member';
}
