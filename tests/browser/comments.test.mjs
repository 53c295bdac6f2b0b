// Comments and reports in the interface, against the real stack: a member comments on an initiative
// (a link becomes a link, markup stays text), a visitor who is not signed in reports the comment, a
// moderator hides it from /moderation/signalements, and the comment is gone from the page of the
// initiative (its author still sees it, marked hidden). « Signaler une erreur » on the page of an
// initiative. axe-core checks the comments section, the report dialog and the moderators' page, the
// latter also on a 390 px phone.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';

import { assertAccessible, BASE_URL, useBrowser, withPage } from './browser.mjs';
import { publishedIds, resetRateLimits, signUpAndLogIn } from '../api/accounts-helpers.mjs';
import { sql, sqlLiteral as lit } from '../api/helpers.mjs';

useBrowser();

const TAG = crypto.randomBytes(4).toString('hex');
const COMMENT = `Atelier ouvert le samedi <b>gratuit</b> : https://exemple.org/atelier-${TAG}`;
const REASON = `Publicité déguisée ${TAG}`;
// axe is injected as a script: the site's CSP (script-src 'self') would refuse it.
const AXE_CONTEXT = { bypassCSP: true };
const DESKTOP = { width: 1280, height: 900 };
const PHONE = { width: 390, height: 844 };

const probe = await fetch(`${BASE_URL}/api/v1/moderation/reports`).catch(() => null);
const SKIP = !probe || probe.status === 404 ? 'GET /api/v1/moderation/reports does not answer: the comments endpoints are missing' : false;


/** The browser context signed in as client (its session cookie). */
function signedIn(client) {
  const [name, value] = client.cookie.split('=');
  return async (page) => {
    await page.context().addCookies([{ name, value, url: BASE_URL }]);
  };
}

describe('commentaires et signalements', { skip: SKIP }, () => {
  let member;
  let moderator;
  let initiativeId;

  before(async () => {
    await resetRateLimits();
    member = await signUpAndLogIn({ name: `Dominique ${TAG}`, prefix: 'ui-comment' });
    moderator = await signUpAndLogIn({ name: `Modération ${TAG}`, prefix: 'ui-moderator', role: 'moderator' });
    [initiativeId] = (await publishedIds(3)).slice(2);
  });

  after(async () => {
    await sql(`DELETE FROM report WHERE reason LIKE ${lit(`%${TAG}%`)}`).catch(() => {});
    for (const c of [member, moderator]) await c?.remove().catch(() => {});
    await resetRateLimits();
  });

  test('un membre commente, un visiteur signale, la modération masque : le commentaire disparaît de la fiche', async (t) => {
    // 1. The member writes a comment.
    await withPage(
      t,
      async (page) => {
        await signedIn(member)(page);
        await page.goto(`${BASE_URL}/initiatives/${initiativeId}`);
        const section = page.locator('section#commentaires');
        await section.getByRole('heading', { name: 'Commentaires' }).waitFor();
        await section.getByLabel('Votre commentaire').fill(COMMENT);
        await assertAccessible(page, 'the comments section, signed in');
        await section.getByRole('button', { name: 'Publier le commentaire' }).click();
        const item = section.locator('li.comment', { hasText: `atelier-${TAG}` });
        await item.waitFor();
        // Markup is text; the address is a link with the rel of members' links.
        assert.match(await item.locator('.comment__body').innerText(), /<b>gratuit<\/b>/);
        assert.equal(await item.locator('.comment__body b').count(), 0);
        const link = item.locator('.comment__body a');
        assert.equal(await link.getAttribute('href'), `https://exemple.org/atelier-${TAG}`);
        assert.equal(await link.getAttribute('rel'), 'nofollow ugc noopener');
        assert.equal(await section.getByLabel('Votre commentaire').inputValue(), '', 'the form is emptied');
        // Within its 15 minutes the author may change it; nobody reports their own comment.
        await item.getByRole('button', { name: /^Modifier/ }).waitFor();
        assert.equal(await item.getByRole('button', { name: /^Signaler/ }).count(), 0);
        // A member's menu has no link to the moderators' pages.
        await page.locator('.account-nav__toggle').click();
        await page.getByRole('link', { name: 'Mon espace' }).waitFor();
        assert.equal(await page.getByRole('link', { name: 'Modération' }).count(), 0);
      },
      DESKTOP,
      AXE_CONTEXT,
    );
    const commentId = Number(await sql(`SELECT id FROM comment WHERE author_id = ${member.id} AND body LIKE ${lit(`%atelier-${TAG}`)}`));
    assert.ok(commentId > 0, 'the comment is stored');

    // 2. A visitor who is not signed in reports it, with the keyboard.
    await withPage(
      t,
      async (page) => {
        await page.goto(`${BASE_URL}/initiatives/${initiativeId}`);
        const item = page.locator(`#commentaire-${commentId}`);
        await item.waitFor();
        assert.match(await page.locator('section#commentaires').innerText(), /connectez-vous/);
        await page.getByRole('button', { name: 'Signaler une erreur' }).waitFor();
        const report = item.getByRole('button', { name: /^Signaler/ });
        await report.focus();
        await page.keyboard.press('Enter');
        const dialog = page.getByRole('dialog', { name: 'Signaler ce commentaire' });
        await dialog.waitFor();
        await assertAccessible(page, 'the report dialog');
        // Sending nothing: the error sits next to the field.
        await dialog.getByRole('button', { name: 'Envoyer le signalement' }).click();
        await dialog.locator('.field__error', { hasText: /ce qui ne va pas/ }).waitFor();
        await dialog.getByLabel('Pourquoi signalez-vous ce commentaire ?').fill(REASON);
        await dialog.getByLabel(/Votre adresse e-mail/).fill(`visiteur-${TAG}@example.org`);
        await dialog.getByRole('button', { name: 'Envoyer le signalement' }).click();
        await dialog.getByText(/Merci/).waitFor();
      },
      DESKTOP,
      AXE_CONTEXT,
    );
    assert.equal(await sql(`SELECT status || ' ' || target_id FROM report WHERE reason = ${lit(REASON)}`), `open ${commentId}`);

    // 3. A moderator hides it from the list of reports, on a phone.
    await withPage(
      t,
      async (page) => {
        await signedIn(moderator)(page);
        // Moderators reach the page from their account menu, then the moderation's tab.
        await page.goto(`${BASE_URL}/`);
        await page.locator('.account-nav__toggle').click();
        await page.getByRole('link', { name: 'Modération' }).click();
        await page.getByRole('link', { name: 'Signalements' }).click();
        await page.waitForURL((url) => url.pathname === '/moderation/signalements');
        await page.getByRole('heading', { name: 'Signalements', level: 1 }).waitFor();
        const card = page.locator('li.report-card', { hasText: REASON });
        await card.waitFor();
        assert.match(await card.innerText(), new RegExp(`atelier-${TAG}`));
        assert.match(await card.innerText(), /<b>gratuit<\/b>/);
        await assertAccessible(page, '/moderation/signalements');
        const width = await page.evaluate(() => document.documentElement.scrollWidth);
        assert.ok(width <= 390, `no sideways scrolling on a phone (${width} px)`);
        await card.getByRole('button', { name: 'Masquer le commentaire' }).click();
        await card.waitFor({ state: 'detached' });
        await page.getByText('Commentaire masqué.').waitFor();
      },
      PHONE,
      AXE_CONTEXT,
    );
    assert.equal(await sql(`SELECT status FROM comment WHERE id = ${commentId}`), 'hidden');

    // 4. Gone from the page for everyone else; its author sees it marked hidden.
    await withPage(t, async (page) => {
      await page.goto(`${BASE_URL}/initiatives/${initiativeId}`);
      await page.locator('section#commentaires').getByRole('heading', { name: 'Commentaires' }).waitFor();
      await page.locator('.comments__list, .comments__empty').first().waitFor();
      assert.equal(await page.locator(`#commentaire-${commentId}`).count(), 0, 'the hidden comment is not shown');
      assert.ok(!(await page.locator('section#commentaires').innerText()).includes(`atelier-${TAG}`));
    });
    await withPage(t, async (page) => {
      await signedIn(member)(page);
      await page.goto(`${BASE_URL}/initiatives/${initiativeId}`);
      const item = page.locator(`#commentaire-${commentId}`);
      await item.waitFor();
      assert.match(await item.innerText(), /Masqué par la modération/);
    });
  });

  test('« Signaler une erreur » sur une fiche, signé·e ou non', async (t) => {
    await withPage(
      t,
      async (page) => {
        await signedIn(member)(page);
        await page.goto(`${BASE_URL}/initiatives/${initiativeId}`);
        await page.getByRole('button', { name: 'Signaler une erreur' }).click();
        const dialog = page.getByRole('dialog', { name: 'Signaler une erreur' });
        await dialog.waitFor();
        // Signed in, the address is known: no field for it.
        assert.equal(await dialog.getByLabel(/Votre adresse e-mail/).count(), 0);
        await dialog.getByLabel("Qu'est-ce qui est inexact ou manque ?").fill(`Le site a changé ${TAG}`);
        await dialog.getByRole('button', { name: 'Envoyer le signalement' }).click();
        await dialog.getByText(/Merci/).waitFor();
        await dialog.getByRole('button', { name: 'Fermer' }).first().click();
        await dialog.waitFor({ state: 'detached' });
      },
      PHONE,
    );
    assert.equal(
      await sql(`SELECT target_kind || ' ' || reporter_id FROM report WHERE reason = ${lit(`Le site a changé ${TAG}`)}`),
      `initiative ${member.id}`,
    );
  });
});
