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
  const [owner, moderator, member, pending, banned, outsider, siteModerator] = await Promise.all([
    signUpAndLogIn({ name: 'Olga Owner', prefix: 'cm-owner' }),
    signUpAndLogIn({ name: 'Moe Moderator', prefix: 'cm-mod' }),
    signUpAndLogIn({ name: 'Mia Member', prefix: 'cm-member' }),
    signUpAndLogIn({ name: 'Pat Pending', prefix: 'cm-pending' }),
    signUpAndLogIn({ name: 'Ben Banned', prefix: 'cm-banned' }),
    signUpAndLogIn({ name: 'Otto Other', prefix: 'cm-other' }),
    signUpAndLogIn({ name: 'Sita Site', prefix: 'cm-site', role: 'moderator' }),
  ]);
  return { owner, moderator, member, pending, banned, outsider, siteModerator };
}
