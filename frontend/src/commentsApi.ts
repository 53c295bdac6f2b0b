// Comments and reports (docs/api.md, "Comments and reports"). The public list is the same for
// everyone; whether the reader may change a comment is worked out here from /me, the author's id and
// editable_until, never asked of the server.
import { getJson, getPersonal, write } from './api';

const V1 = '/api/v1';
const id = (n: number): string => encodeURIComponent(String(n));

export interface Comment {
  id: number;
  version: number;
  author: { id: number; name: string };
  /** As typed: always shown as text. */
  body: string;
  /** body escaped, its http(s) addresses as links: read by commentText() only. */
  body_html: string;
  created_at: string;
  edited_at: string | null;
  editable_until: string;
  /** In the author's own list (and to moderators): hidden by the moderation. */
  hidden?: boolean;
}

export interface CommentPage {
  items: Comment[];
  next_cursor: string | null;
}

export type ReportTarget = { kind: 'initiative' | 'comment'; id: number };

export interface Report {
  id: number;
  version: number;
  status: 'open' | 'dismissed' | 'resolved';
  target: ReportTarget;
  initiative: { id: number; title: string };
  reason: string;
  reporter: { id: number; name: string } | null;
  email: string | null;
  comment: { id: number; body: string; body_html: string; hidden: boolean; created_at: string; author: { id: number; name: string } } | null;
  decision: 'dismiss' | 'resolve' | 'hide' | null;
  review_reason: string | null;
  reviewed_by: { id: number; name: string } | null;
  created_at: string;
  reviewed_at: string | null;
}

export interface ReportPage {
  items: Report[];
  next_cursor: string | null;
}

export const COMMENT_MAX = 5000;
export const REASON_MAX = 2000;

export function getComments(initiativeId: number, cursor: string | null, signal?: AbortSignal): Promise<CommentPage> {
  const params = new URLSearchParams({ limit: '20' });
  if (cursor) params.set('cursor', cursor);
  return getJson<CommentPage>(`${V1}/initiatives/${id(initiativeId)}/comments?${params.toString()}`, signal);
}

/** One's own comments on the initiative, hidden ones included (marked). */
export function getMyComments(initiativeId: number, signal?: AbortSignal): Promise<{ items: Comment[] }> {
  return getPersonal(`${V1}/me/comments?initiative=${id(initiativeId)}`, signal);
}

export function postComment(initiativeId: number, body: string): Promise<Comment> {
  return write('POST', `${V1}/initiatives/${id(initiativeId)}/comments`, { body });
}

export function editComment(commentId: number, version: number, body: string): Promise<Comment> {
  return write('PATCH', `${V1}/comments/${id(commentId)}`, { version, body });
}

export function deleteComment(commentId: number): Promise<null> {
  return write('DELETE', `${V1}/comments/${id(commentId)}`);
}

export function hideComment(commentId: number, reason?: string): Promise<Comment> {
  return write('POST', `${V1}/comments/${id(commentId)}/hide`, reason ? { reason } : {});
}

export function sendReport(target: ReportTarget, reason: string, email: string | null, website: string): Promise<{ message: string }> {
  const body: Record<string, unknown> = { target, reason, website };
  if (email) body.email = email;
  return write('POST', `${V1}/reports`, body);
}

export function getReports(status: Report['status'], cursor: string | null, signal?: AbortSignal): Promise<ReportPage> {
  const params = new URLSearchParams({ status, limit: '20' });
  if (cursor) params.set('cursor', cursor);
  return getPersonal(`${V1}/moderation/reports?${params.toString()}`, signal);
}

export function reviewReport(reportId: number, version: number, decision: 'dismiss' | 'resolve' | 'hide', reason?: string): Promise<Report> {
  const body: Record<string, unknown> = { version, decision };
  if (reason) body.reason = reason;
  return write('POST', `${V1}/reports/${id(reportId)}/review`, body);
}
