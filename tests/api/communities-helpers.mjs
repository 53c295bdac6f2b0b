// Communities in the end-to-end tests: people in every standing towards a community, made through
// the API as a person would (sign-up, create, join, approve, ban), and small readers.

import assert from 'node:assert/strict';

import { signUpAndLogIn } from './accounts-helpers.mjs';
import { brief, sql } from './helpers.mjs';

export const C = '/api/v1/communities';

/** Creates a community owned by owner; returns its COMMUNITY. */
export async function createCommunity(owner, fields = {}) {
  const res = await owner.post(C, { name: `Communauté ${Date.now().toString(36)}`, visibility: 'public', ...fields });
  assert.equal(res.status, 201, `create: ${brief(res)}`);
  return res.json;
}

/** A member of community id (joins, then is approved by moderator when asked to). */
export async function addMember(id, person, moderator) {
  const join = await person.post(`${C}/${id}/membership`, {});
  if (join.status === 202) {
    const ok = await moderator.patch(`${C}/${id}/members/${person.id}`, { status: 'member' });
    assert.equal(ok.status, 200, `approve: ${brief(ok)}`);
  } else {
    assert.equal(join.status, 201, `join: ${brief(join)}`);
  }
}

/** Makes a member of a private community directly (as an accepted invitation would). */
export async function addMemberSql(id, person, role = 'member', status = 'member') {
  await sql(
    `INSERT INTO community_member (community_id, account_id, role, status) VALUES (${Number(id)}, ${Number(person.id)}, '${role}', '${status}')
     ON CONFLICT (community_id, account_id) DO UPDATE SET role = EXCLUDED.role, status = EXCLUDED.status;
     SELECT community_recount(${Number(id)})`,
  );
}

/** People: the signed-in ones of the authorisation matrix. */
export async function people() {
  // One after the other: password hashing is limited to a few at once (503 beyond).
  const who = {};
  for (const [key, name, prefix, role] of [
    ['owner', 'Olga Owner', 'cm-owner'],
    ['moderator', 'Moe Moderator', 'cm-mod'],
    ['member', 'Mia Member', 'cm-member'],
    ['pending', 'Pat Pending', 'cm-pending'],
    ['banned', 'Ben Banned', 'cm-banned'],
    ['outsider', 'Otto Other', 'cm-other'],
    ['siteModerator', 'Sita Site', 'cm-site', 'moderator'],
  ]) {
    who[key] = await signUpAndLogIn({ name, prefix, role });
  }
  return who;
}
