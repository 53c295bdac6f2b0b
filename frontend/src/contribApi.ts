// The contribution, claim, moderation and history endpoints (docs/api.md, "Contributions"). Writes go
// through write() in api.ts (CSRF token, JSON body), personal reads through getPersonal().
import { getJson, getPersonal, write } from './api';
import type { Initiative, TerritorySummary } from './types';

const V1 = '/api/v1';
const id = (n: number): string => encodeURIComponent(String(n));

/** A place as the API takes it: the address as typed (or null) and the point. */
export interface PlaceFields {
  address: string | null;
  lon: number;
  lat: number;
}

/** The fields of an initiative that can be proposed, corrected or edited; codes for vocabularies. */
export interface InitiativeFields {
  title?: string;
  summary?: string;
  description?: string;
  actor_name?: string;
  actor_type?: string | null;
  themes?: string[];
  subthemes?: string[];
  publics?: string[];
  scale?: string | null;
  stage?: string | null;
  start_year?: number | null;
  website?: string;
  place?: PlaceFields | null;
}

export type FieldName = keyof InitiativeFields;

export type ContributionStatus = 'draft' | 'pending' | 'approved' | 'rejected' | 'changes_requested' | 'withdrawn';

export interface Person {
  id: number;
  name: string;
}

export interface Contribution {
  id: number;
  kind: 'proposal' | 'correction';
  status: ContributionStatus;
  version: number;
  author: Person | null;
  initiative: { id: number; title: string } | null;
  fields: InitiativeFields;
  base?: Record<string, unknown> | null;
  current?: Record<string, unknown> | null;
  comment: string | null;
  reason: string | null;
  created_at: string;
  updated_at: string;
  reviewed_at: string | null;
}

export interface Claim {
  id: number;
  status: 'pending' | 'approved' | 'rejected' | 'withdrawn';
  version: number;
  initiative: { id: number; title: string } | null;
  user: Person | null;
  message: string | null;
  reason: string | null;
  created_at: string;
  reviewed_at?: string | null;
}

/** What the initiative's page needs beyond the record of docs/api.md. */
export interface EditableInitiative extends Initiative {
  version?: number;
  carrier_updated_at?: string | null;
  origin?: 'harvest' | 'contribution' | 'demo';
  /** The signed-in person carries it (when the API says so). */
  is_carrier?: boolean;
}

// --- Contributions ------------------------------------------------------------------------------

export function createProposal(fields: InitiativeFields, comment: string, submit: boolean): Promise<Contribution> {
  return write('POST', `${V1}/contributions`, { kind: 'proposal', fields, comment, submit });
}

export function updateContribution(
  contributionId: number,
  change: { version: number; fields?: InitiativeFields; comment?: string; submit?: boolean },
): Promise<Contribution> {
  return write('PATCH', `${V1}/contributions/${id(contributionId)}`, change);
}

export function withdrawContribution(contributionId: number): Promise<null> {
  return write('DELETE', `${V1}/contributions/${id(contributionId)}`);
}

export function getContribution(contributionId: number, signal?: AbortSignal): Promise<Contribution> {
  return getPersonal(`${V1}/contributions/${id(contributionId)}`, signal);
}

export function getMyContributions(signal?: AbortSignal): Promise<{ items: Contribution[] }> {
  return getPersonal(`${V1}/me/contributions`, signal);
}

export function suggestCorrection(initiativeId: number, version: number, fields: InitiativeFields, comment: string): Promise<Contribution> {
  return write('POST', `${V1}/initiatives/${id(initiativeId)}/corrections`, { version, fields, comment });
}

/** The carriers' and moderators' direct edit: published at once. */
export function editInitiative(initiativeId: number, version: number, fields: InitiativeFields, comment: string): Promise<EditableInitiative> {
  return write('PATCH', `${V1}/initiatives/${id(initiativeId)}`, { version, fields, comment });
}

/** The record as the person sees it now: never from the shared cache after one's own edit. */
export function getInitiativeFresh(initiativeId: number, signal?: AbortSignal): Promise<EditableInitiative> {
  return getJson<EditableInitiative>(`${V1}/initiatives/${id(initiativeId)}`, signal);
}

// --- Claims -------------------------------------------------------------------------------------

export function claimInitiative(initiativeId: number, message: string): Promise<Claim> {
  return write('POST', `${V1}/initiatives/${id(initiativeId)}/claims`, { message });
}

export function getMyClaims(signal?: AbortSignal): Promise<{ items: Claim[] }> {
  return getPersonal(`${V1}/me/claims`, signal);
}

// --- Moderation ---------------------------------------------------------------------------------

export type QueueKind = 'proposal' | 'correction' | 'claim' | 'report' | 'source_change';

export interface QueueItem {
  kind: QueueKind;
  id: number;
  version: number;
  created_at: string;
  initiative: { id: number; title: string } | null;
  author: Person | null;
  /** The initiative's title, or the proposed one. */
  title: string | null;
  summary: string;
  themes: string[];
  /** What the review panel shows: the contribution, the claim, or the source change. */
  detail: (Contribution | Claim | SourceChangeDetail | Record<string, unknown>) | null;
}

export interface SourceChangeDetail {
  field: string;
  ours: unknown;
  theirs: unknown;
  source: { code: string; name: string } | null;
}

export interface QueuePage {
  items: QueueItem[];
  next_cursor: string | null;
}

export interface QueueFilters {
  kind?: string;
  theme?: string;
  territory?: string;
  older_than_days?: string;
}

export function getQueue(filters: QueueFilters, cursor: string | null, signal?: AbortSignal): Promise<QueuePage> {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(filters)) if (value) params.set(key, value);
  if (cursor) params.set('cursor', cursor);
  const query = params.toString();
  return getPersonal(`${V1}/moderation/queue${query ? '?' + query : ''}`, signal);
}

export type ContributionDecision = 'approve' | 'reject' | 'request_changes';

export function reviewContribution(
  contributionId: number,
  version: number,
  decision: ContributionDecision,
  reason: string,
): Promise<Contribution & { initiative?: unknown }> {
  return write('POST', `${V1}/contributions/${id(contributionId)}/review`, { version, decision, reason });
}

export function reviewClaim(claimId: number, version: number, decision: 'approve' | 'reject', reason: string): Promise<Claim> {
  return write('POST', `${V1}/claims/${id(claimId)}/review`, { version, decision, reason });
}

export function reviewSourceChange(changeId: number, version: number, decision: 'keep' | 'take_source'): Promise<unknown> {
  return write('POST', `${V1}/source-changes/${id(changeId)}/review`, { version, decision });
}

/** A source change as its own endpoint describes it (when there is one). */
export function getSourceChange(changeId: number, signal?: AbortSignal): Promise<Record<string, unknown>> {
  return getPersonal(`${V1}/source-changes/${id(changeId)}`, signal);
}

export function getClaim(claimId: number, signal?: AbortSignal): Promise<Claim> {
  return getPersonal(`${V1}/claims/${id(claimId)}`, signal);
}

export function revertInitiative(initiativeId: number, version: number, toVersion: number, reason: string): Promise<EditableInitiative> {
  return write('POST', `${V1}/initiatives/${id(initiativeId)}/revert`, { version, to_version: toVersion, reason });
}

// --- History ------------------------------------------------------------------------------------

export interface RevisionChange {
  field: string;
  before: unknown;
  after: unknown;
}

export interface Revision {
  version: number;
  at: string;
  actor: { kind: 'harvest' | 'member' | 'carrier' | 'moderator' | 'system'; name: string | null; source?: string | null } | null;
  /** The moderator who approved a member's change. */
  reviewer?: string | null;
  comment: string | null;
  changes: RevisionChange[];
}

export interface HistoryPage {
  items: Revision[];
  next_cursor: string | null;
}

export function getHistory(initiativeId: number, cursor: string | null, signal?: AbortSignal): Promise<HistoryPage> {
  const params = new URLSearchParams({ limit: '20' });
  if (cursor) params.set('cursor', cursor);
  return getJson<HistoryPage>(`${V1}/initiatives/${id(initiativeId)}/history?${params.toString()}`, signal);
}

// --- Geocoder -----------------------------------------------------------------------------------

export interface GeocodeMatch {
  territory: TerritorySummary;
  confidence: number;
  precision: string;
  reason?: string;
}

/** A typed address or commune → the commune holding it (its point), or null. */
export function geocode(q: string, signal?: AbortSignal): Promise<{ match: GeocodeMatch | null; point?: { lon: number; lat: number } | null }> {
  return getJson(`${V1}/geocode?${new URLSearchParams({ q }).toString()}`, signal);
}
