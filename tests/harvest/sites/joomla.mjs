// A Joomla directory built with the SOBI2 component (imitating Apriles): a table.sobi2Listing of rows,
// a "Suivante" link to the next page, detail pages reached through index.php query strings. Everything
// is ISO-8859-1: list pages say so in the Content-Type header only, detail pages in <meta charset> only.
import { esc, tagsOf, expectedRecord } from './common.mjs';
import { CARRIERS } from './data.mjs';

export const SITE = 'joomla';
export const PER_PAGE = 10;
export const VOCAB = {
  'Emploi et insertion': 'EMP', 'Environnement': 'ENV', 'Solidarité': 'SOL', 'Santé et médico-social': 'SAN',
  'Éducation': 'EDU', 'Territoire': 'TER', 'Numérique': 'NUM', 'Culture': 'ART', 'Consommation': 'CON',
  'Démocratie locale': 'DEM', 'Économie solidaire': 'FIN', 'Sport': 'SPO', 'Tourisme': 'TOU',
  'Patrimoine': 'PAT', 'Communication': 'COM',
};
// "Statut juridique" as the directory writes it → our actor_type codes.
export const STATUTS = {
  asso: 'Association loi 1901', collectif: 'Collectif', scic: 'SCIC', coop: 'Coopérative',
  ccas: 'CCAS', commune: 'Commune', entreprise: 'Entreprise solidaire',
};

const sid = (e) => 212 + e.n;
const detailQuery = (e) => `index.php?option=com_sobi2&sobi2Task=sobi2Details&sobi2Id=${sid(e)}&Itemid=95`;
const listQuery = (start) => `index.php?option=com_sobi2&Itemid=95&limit=${PER_PAGE}&limitstart=${start}`;
const place = (e) => `${e.commune.postcode} ${e.commune.name}`;

const page = (inner, head = '') =>
  `<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
<html xmlns="http://www.w3.org/1999/xhtml" xml:lang="fr-fr" lang="fr-fr">
<head>
${head}<title>Annuaire des initiatives locales</title>
</head>
<body>
<div id="wrapper"><div id="header"><h1 class="logo">Annuaire des initiatives locales</h1></div>
<div id="content">
${inner}
</div></div>
</body>
</html>
`;

function listPage(entries, start) {
  const items = entries.slice(start, start + PER_PAGE);
  const rows = items
    .map(
      (e) => `<tr>
<td class="sobi2Listing_field_logo"><img src="images/com_sobi2/clients/${sid(e)}_ico.png" alt="" /></td>
<td><span class="sobi2ItemTitle"><a href="${esc(detailQuery(e))}">${esc(e.title)}</a></span>
<br /><span class="sobi2Listing_field_ville">${e.commune ? esc(place(e)) : ''}</span></td>
</tr>`,
    )
    .join('\n');
  const nav = [];
  if (start > 0) nav.push(`<a href="${esc(listQuery(Math.max(0, start - PER_PAGE)))}" title="Précédente">Précédente</a>`);
  if (start + PER_PAGE < entries.length) nav.push(`<a href="${esc(listQuery(start + PER_PAGE))}" title="Suivante">Suivante</a>`);
  return page(`<h2 class="componentheading">Initiatives</h2>
<table class="sobi2Listing">
${rows}
</table>
<div class="sobi2Pagination">${nav.join(' ')}</div>`);
}

function detailPage(e) {
  const rows = [];
  const row = (cls, label, value) => rows.push(`<tr><th>${label}</th><td class="${cls}">${value}</td></tr>`);
  row('field_structure', 'Structure', esc(e.actorName));
  row('field_statut', 'Statut juridique', esc(STATUTS[e.carrier]));
  if (e.commune) row('field_localisation', 'Localisation', esc(place(e)));
  const tags = tagsOf(e, VOCAB);
  if (tags.length) row('field_thematiques', 'Thématiques', esc(tags.join(', ')));
  if (e.year) row('field_annee', 'Année de création', String(e.year));
  if (e.website) row('field_site', 'Site internet', `<a href="${esc(e.website)}" target="_blank">${esc(e.website)}</a>`);
  return page(
    `<div id="sobi2Details">
<h1 class="sobi2Details_title">${esc(e.title)}</h1>
<p class="sobi2Details_resume">${esc(e.summary)}</p>
<table class="sobi2Details">
${rows.join('\n')}
</table>
<div class="sobi2Description">${e.description.map((p) => `<p>${esc(p)}</p>`).join('\n')}</div>
</div>`,
    '<meta charset="iso-8859-1" />\n',
  );
}

export function handle(url, { entries }) {
  const p = url.pathname;
  const q = url.searchParams;
  if (p === '/joomla/' || p === '/joomla') {
    return latin1(page(`<p><a href="${esc(listQuery(0))}">Parcourir l'annuaire</a></p>`), true);
  }
  if (p !== '/joomla/index.php' || q.get('option') !== 'com_sobi2') return null;
  if (q.get('sobi2Task') === 'sobi2Details') {
    const e = entries.find((x) => String(sid(x)) === q.get('sobi2Id'));
    return e ? latin1(detailPage(e), false) : null;
  }
  const start = Number(q.get('limitstart') || 0);
  if (!Number.isInteger(start) || start < 0) return null;
  return latin1(listPage(entries, start), true);
}

// ISO-8859-1 bytes; the charset goes in the header for list pages, only in the page for detail pages.
function latin1(text, charsetInHeader) {
  for (const ch of text) if (ch.charCodeAt(0) > 0xff) throw new Error(`joomla: not ISO-8859-1: ${ch}`);
  return { type: charsetInHeader ? 'text/html; charset=ISO-8859-1' : 'text/html', body: Buffer.from(text, 'latin1') };
}

export const keyOf = (e) => String(sid(e));

export const expected = (entries) =>
  entries.map((e) =>
    expectedRecord(e, { externalId: sid(e), url: `/joomla/${detailQuery(e)}`, actorType: CARRIERS[e.carrier].type }),
  );

export const listPages = (entries) => Math.ceil(entries.length / PER_PAGE);
