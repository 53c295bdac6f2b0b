// The fixture sites, their entries (with the changes asked through POST /__change applied), and the
// expected records of a correct harvest.
import { catalogue, changedEntry } from './data.mjs';
import * as drupal from './drupal.mjs';
import * as joomla from './joomla.mjs';
import * as spip from './spip.mjs';
import * as api from './api.mjs';
import * as rss from './rss.mjs';
import * as csv from './csv.mjs';
import * as hostile from './hostile.mjs';
import * as labels from './labels.mjs';

export const SITES = { drupal, joomla, spip, api, rss, csv, hostile };

// Source slugs (sources/fixtures/<slug>.json) by site.
export const SLUGS = {
  drupal: 'fixture-drupal', joomla: 'fixture-joomla', spip: 'fixture-spip', api: 'fixture-api',
  rss: 'fixture-rss', csv: 'fixture-csv', hostile: 'fixture-hostile',
};

/** The entries of one site as currently served: changed is a Set of "site:key" strings (a record
 * in its changed version) and "hide:site:key" strings (a record taken off the site). */
export function entriesOf(site, changed = new Set()) {
  const list = catalogue().sites[site] || [];
  const mod = SITES[site];
  return list
    .filter((e) => !changed.has(`hide:${site}:${mod.keyOf(e)}`))
    .map((e) => (changed.has(`${site}:${mod.keyOf(e)}`) ? changedEntry(e) : e));
}

/** The entry of site whose external id (keyOf) is key, or undefined. */
export function findEntry(site, key) {
  const mod = SITES[site];
  if (!mod || !mod.keyOf) return undefined;
  return (catalogue().sites[site] || []).find((e) => mod.keyOf(e) === key);
}

/** Routes a request URL to its site: a response description or null (404). */
export function route(url, { changed, origin }) {
  const site = url.pathname.split('/')[1];
  // The label directory is served beside the fixture sites but is none of them (no expected records).
  if (site === labels.SITE) return labels.handle(url);
  const mod = SITES[site];
  if (!mod) return null;
  return mod.handle(url, { entries: entriesOf(site, changed), origin });
}

/** Expected records per site, and the pairs that must become one initiative. */
export function expectedAll() {
  const out = {};
  for (const [site, mod] of Object.entries(SITES)) {
    out[site] = {
      source: SLUGS[site],
      site,
      list_pages: mod.listPages(entriesOf(site)),
      count: 0,
      records: mod.expected(entriesOf(site)),
    };
    out[site].count = out[site].records.length;
  }
  const { pairs } = catalogue();
  const extId = (e) => SITES[e.site].keyOf(e);
  out.duplicates = pairs.map(({ a, b, kind }) => ({
    match: kind,
    a: { source: SLUGS[a.site], external_id: extId(a), title: a.title },
    b: { source: SLUGS[b.site], external_id: extId(b), title: b.title },
    commune_code: a.commune ? a.commune.code : null,
    website: kind === 'website' ? a.website : undefined,
  }));
  return out;
}
