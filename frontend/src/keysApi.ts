// API keys of the personal space (docs/api.md, "API keys and quotas"): reads through getPersonal(),
// writes through write() in api.ts, which adds the CSRF token.
import { getPersonal, write } from './api';

const V1 = '/api/v1';

export interface ApiKeyUse {
  day: string;
  requests: number;
}

export interface ApiKey {
  id: number;
  name: string;
  prefix: string;
  quota_minute: number | null;
  quota_day: number | null;
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
  use: ApiKeyUse[];
  /** Only in the answer of its creation: never shown again. */
  secret?: string;
}

export function getApiKeys(signal?: AbortSignal): Promise<{ items: ApiKey[] }> {
  return getPersonal(`${V1}/me/keys`, signal);
}

export function createApiKey(name: string): Promise<ApiKey> {
  return write('POST', `${V1}/me/keys`, { name });
}

export function revokeApiKey(keyId: number): Promise<null> {
  return write('DELETE', `${V1}/me/keys/${encodeURIComponent(String(keyId))}`);
}
