// A JSON API (imitating ATLAAS): /api/actions?p=1… answers
// {"data": {"actions": [...]}, "page": N, "pages": M}, ten actions a page, an empty list past the end.
// Actions nest their place (/lieu/commune, /lieu/code_postal, /lieu/lat, /lieu/lon), carrier and contact.
import { tagsOf, expectedRecord } from './common.mjs';
import { CARRIERS } from './data.mjs';

export const SITE = 'api';
export const PER_PAGE = 10;
export const VOCAB = {
  'Environnement et énergie': 'ENV', 'Emploi et formation': 'EMP', 'Solidarité et lien social': 'SOL',
  'Santé': 'SAN', 'Éducation et jeunesse': 'EDU', 'Aménagement du territoire': 'TER',
  'Inclusion numérique': 'NUM', 'Culture': 'ART', 'Consommation': 'CON', 'Démocratie participative': 'DEM',
  'Financement': 'FIN', 'Sport': 'SPO', 'Tourisme': 'TOU', 'Patrimoine': 'PAT', 'Médias et communication': 'COM',
};

const id = (e) => 5011 + e.n;
const actionUrl = (e) => `https://atlas.villes-reseaux.example/action/${id(e)}`;

function action(e) {
  const a = { id: id(e), titre: e.title, resume: e.summary, description: e.description.map((p) => `<p>${p}</p>`).join('') };
  if (e.year) a.annee = e.year;
  else if (e.n % 2) a.annee = null;
  a.categories = tagsOf(e, VOCAB);
  if (e.commune) {
    a.lieu = { commune: e.commune.name, code_postal: e.commune.postcode };
    // Most actions are placed on the map; some only name their commune.
    if (e.n % 5 !== 4) Object.assign(a.lieu, { lat: e.commune.lat, lon: e.commune.lon });
  } else if (e.n % 2) {
    a.lieu = null;
  }
  a.porteur = { nom: e.actorName, type: CARRIERS[e.carrier].type };
  a.contact = e.website ? { site: e.website } : {};
  a.url = actionUrl(e);
  return a;
}

export function handle(url, { entries }) {
  if (url.pathname !== '/api/actions') return null;
  const p = Number(url.searchParams.get('p') || 1);
  if (!Number.isInteger(p) || p < 1) {
    return { status: 400, type: 'application/json; charset=utf-8', body: JSON.stringify({ error: 'p doit être un entier positif' }) };
  }
  const pages = Math.ceil(entries.length / PER_PAGE);
  const actions = entries.slice((p - 1) * PER_PAGE, p * PER_PAGE).map(action);
  return {
    type: 'application/json; charset=utf-8',
    body: JSON.stringify({ data: { actions }, page: p, pages, total: entries.length }, null, 1),
  };
}

export const keyOf = (e) => String(id(e));

export const expected = (entries) => entries.map((e) => expectedRecord(e, { externalId: id(e), url: actionUrl(e) }));

export const listPages = (entries) => Math.ceil(entries.length / PER_PAGE) + 1; // the last one is empty
