// A CSV export of a network's directory: ";" between fields, UTF-8 with a byte-order mark, CRLF between
// rows, quoted fields holding line breaks, ";" and doubled quotes.
import { tagsOf, expectedRecord, dayMonth } from './common.mjs';
import { CARRIERS } from './data.mjs';

export const SITE = 'csv';
export const FILE = '/csv/export-fabriques-solidaires.csv';
export const VOCAB = {
  'Environnement': 'ENV', 'Emploi': 'EMP', 'Solidarité': 'SOL', 'Santé': 'SAN', 'Éducation': 'EDU',
  'Territoire': 'TER', 'Numérique': 'NUM', 'Culture': 'ART', 'Consommation': 'CON', 'Citoyenneté': 'DEM',
  'Finance': 'FIN', 'Sport': 'SPO', 'Tourisme': 'TOU', 'Patrimoine': 'PAT', 'Médias': 'COM',
};
export const STATUTS = {
  asso: 'Association', collectif: 'Collectif', scic: 'SCIC', coop: 'Coopérative', ccas: 'CCAS',
  commune: 'Collectivité', entreprise: 'Entreprise ESUS',
};
export const COLUMNS = ['Identifiant', 'Nom du projet', 'Structure porteuse', 'Statut juridique', 'Résumé', 'Description',
  'Thématiques', 'Code postal', 'Commune', 'Site web', 'Date de création', 'Fiche'];

const ident = (e) => `FS-${String(17 + e.n * 2).padStart(4, '0')}`;
const fiche = (e) => `https://www.fabriques-solidaires.example/annuaire/${ident(e).toLowerCase()}`;

function quote(v) {
  const s = v == null ? '' : String(v);
  return /[";\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

function row(e) {
  const { day, month } = dayMonth(e);
  return [
    ident(e),
    e.title,
    e.actorName,
    STATUTS[e.carrier],
    e.summary,
    // Paragraphs separated by line breaks, and a quoted name: both must survive the CSV reader.
    [...e.description, `Le nom "${e.project.name}" a été choisi par les habitants.`].join('\n'),
    tagsOf(e, VOCAB).join(', '),
    e.commune ? e.commune.postcode : '',
    e.commune ? e.commune.name : '',
    e.website || '',
    e.year ? `${String(day).padStart(2, '0')}/${String(month + 1).padStart(2, '0')}/${e.year}` : '',
    fiche(e),
  ].map(quote).join(';');
}

export function handle(url, { entries }) {
  if (url.pathname !== FILE) return null;
  const text = `\uFEFF${[COLUMNS.map(quote).join(';'), ...entries.map(row)].join('\r\n')}\r\n`;
  return { type: 'text/csv; charset=utf-8', body: text, headers: { 'content-disposition': 'attachment; filename="export-fabriques-solidaires.csv"' } };
}

export const keyOf = (e) => ident(e);

export const expected = (entries) =>
  entries.map((e) => expectedRecord(e, { externalId: ident(e), url: fiche(e), actorType: CARRIERS[e.carrier].type }));

export const listPages = () => 1;
