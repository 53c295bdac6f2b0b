// Rows first..last of the synthetic corpus for seed SEED, written to stdout in COPY text form for
// the staging table of generate.sql. Every value of row i comes from a generator seeded by (SEED, i)
// alone, so neither batch boundaries, batch order nor a second run change a row.
//   node generate.mjs SEED FIRST LAST COMMUNES_TSV VOCABULARY_TSV [WORDS_FILE]
// COMMUNES_TSV: code, population, x, y, width, height, name (the gazetteer, generate.sh writes it).
// VOCABULARY_TSV: kind, code, parent. WORDS_FILE: a word list, one a line (default
// /usr/share/dict/french, Debian's wfrench); it gives the long tail of the vocabulary.
//
// How the text is made to read like real records (sql/demo/initiatives-*.json): titles name an
// activity, a place or a coined name; descriptions mix sentences of the field (with its frequent
// words: jardin, insertion, emploi, friperie, accorderie…) and sentences of ordinary words drawn
// with a Zipf law (rank r drawn with probability ∝ 1/r) over the shuffled word list, so that a
// few words are very common and most are rare; their length follows a log-normal law (median 60
// words, from about 15 to several hundred). Points: a commune drawn with probability ∝ its
// population, then a point near its centre, within its extent (generate.sql keeps it only when
// it falls inside the commune's outline).
import { readFileSync } from 'node:fs';

const [seedArg, firstArg, lastArg, communesFile, vocabFile, wordsFile = '/usr/share/dict/french'] =
  process.argv.slice(2);
const seed = Number(seedArg);
const first = Number(firstArg);
const last = Number(lastArg);
if (![seed, first, last].every(Number.isInteger) || first < 1 || last < first || !vocabFile) {
  process.stderr.write('usage: node generate.mjs SEED FIRST LAST COMMUNES_TSV VOCABULARY_TSV [WORDS]\n');
  process.exit(2);
}

// --- deterministic randomness ---------------------------------------------------------------
function mix32(h) {
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}
function fnv(s) {
  let h = 0x811c9dc5;
  for (let k = 0; k < s.length; k++) h = Math.imul(h ^ s.charCodeAt(k), 0x01000193);
  return h >>> 0;
}
// mulberry32, seeded per row.
function rowRandom(i) {
  let a = mix32(mix32(seed + 0x9e3779b9) ^ mix32(i * 0x2545f491 + 1));
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const pick = (rnd, arr) => arr[Math.floor(rnd() * arr.length)];
// Rank in 0..n-1 with probability ∝ 1/(rank+1) (Zipf, exponent 1).
const zipf = (rnd, n) => Math.min(n - 1, Math.floor(Math.exp(rnd() * Math.log(n + 1))) - 1);
const zipfPick = (rnd, arr) => arr[zipf(rnd, arr.length)];
function gauss(rnd) {
  const u = rnd() || 1e-12;
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rnd());
}
const cap = (s) => s.charAt(0).toUpperCase() + s.slice(1);
// "de" before a place name, elided and contracted as French writes it (du Mans, des Sables…, d'Agen).
function de(place) {
  if (place.startsWith('Le ')) return 'du ' + place.slice(3);
  if (place.startsWith('Les ')) return 'des ' + place.slice(4);
  if (/^[AEIOUYÉÈÂÎH]/.test(place)) return "d'" + place;
  return 'de ' + place;
}

// --- reference data ---------------------------------------------------------------------------
// The long tail: every plain word of the list (no abbreviation, no proper noun), in an order that
// depends on the word only, so that a word's frequency is the same for every seed and every run.
const tail = readFileSync(wordsFile, 'utf8')
  .split('\n')
  .filter((w) => w.length >= 3 && /^[a-zàâäçéèêëîïôöùûüÿœæ-]+$/.test(w) && !w.startsWith('-') && !w.endsWith('-'))
  .map((w) => [mix32(fnv(w)), w])
  .sort((x, y) => x[0] - y[0] || (x[1] < y[1] ? -1 : 1))
  .map((x) => x[1]);

const communes = [];
let totalPop = 0;
for (const line of readFileSync(communesFile, 'utf8').split('\n')) {
  if (!line) continue;
  const [code, pop, x, y, w, h, name] = line.split('\t');
  totalPop += Math.max(1, Number(pop));
  communes.push({ code, cum: totalPop, x: Number(x), y: Number(y), w: Number(w), h: Number(h), name });
}
if (communes.length === 0) throw new Error('no commune in ' + communesFile);
function drawCommune(rnd) {
  const target = rnd() * totalPop;
  let lo = 0;
  let hi = communes.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (communes[mid].cum > target) hi = mid;
    else lo = mid + 1;
  }
  return communes[lo];
}

const vocab = { theme: [], subtheme: [], actor_type: [], public: [], scale: [], stage: [] };
const subthemesOf = new Map();
for (const line of readFileSync(vocabFile, 'utf8').split('\n')) {
  if (!line) continue;
  const [kind, code, parent] = line.split('\t');
  if (!vocab[kind]) continue;
  vocab[kind].push(code);
  if (kind === 'subtheme' && parent && parent !== '\\N') {
    if (!subthemesOf.has(parent)) subthemesOf.set(parent, []);
    subthemesOf.get(parent).push(code);
  }
}
// Uneven popularity, as in reality: each list in an order fixed by its codes, drawn with Zipf.
for (const k of Object.keys(vocab)) vocab[k].sort((a, b) => mix32(fnv(a)) - mix32(fnv(b)) || (a < b ? -1 : 1));
for (const k of ['theme', 'actor_type', 'public', 'scale', 'stage']) {
  if (vocab[k].length === 0) throw new Error('no ' + k + ' in ' + vocabFile);
}

// --- the field's words ---------------------------------------------------------------------------
const KINDS = [
  'Jardin partagé', 'Épicerie solidaire', 'Recyclerie', 'Tiers-lieu', 'Repair café', 'Atelier vélo',
  'Garage solidaire', 'Café des aidants', 'Plateforme de mobilité', 'Accorderie', 'Ressourcerie',
  'Conciergerie solidaire', 'Habitat inclusif', 'Cantine solidaire', 'Fab lab', 'Maison de santé',
  "Chantier d'insertion", 'Monnaie locale', 'AMAP', 'Bus de la médiation numérique', 'Régie de quartier',
  'Banque alimentaire', 'École de production', "Coopérative d'habitants", 'Orchestre des quartiers',
  'Club sportif inclusif', 'Friperie solidaire', 'Ferme pédagogique', 'Centre social itinérant',
  'Halte-répit', 'Jardin de cocagne', 'Boutique solidaire', 'Atelier couture', 'Café associatif',
  'Laverie solidaire', 'Auto-école sociale', 'Légumerie', 'Bricothèque', 'Ludothèque', 'Recyclerie sportive',
  'Pépinière d\'entreprises', 'Couveuse d\'activités', 'Groupement d\'employeurs', 'Entreprise adaptée',
  'Épicerie vrac', 'Jardin familial', 'Compostage de quartier', 'Maison des familles', 'Point conseil budget',
  'Microcrédit personnel', 'Colocation solidaire', 'Pension de famille', 'Résidence intergénérationnelle',
  'Cuisine partagée', 'Traiteur d\'insertion', 'Atelier informatique', 'Espace de coworking rural',
  'Radio associative', 'Théâtre forum', 'Chorale inclusive', 'Atelier d\'écriture', 'Bibliothèque de rue',
  'Soutien scolaire', 'Parrainage vers l\'emploi', 'Boxe éducative', 'Vélo-école', 'Transport solidaire',
  'Covoiturage rural', 'Maraîchage bio', 'Circuit court', 'Marché de producteurs', 'Potager urbain',
  'Forêt comestible', 'Atelier de réparation', 'Donnerie', 'Matériauthèque', 'Outilthèque',
];
const PLACES = [
  'des Lilas', 'du Centre', 'de la Vallée', 'des Deux Rives', 'du Plateau', 'de la Gare', 'des Tilleuls',
  'du Vieux Port', 'des Coteaux', 'de la Source', 'du Bocage', 'des Quatre Vents', "de l'Estuaire",
  'du Marais', 'des Forges', 'de la Colline', 'du Canal', 'des Remparts', 'du Faubourg', 'des Peupliers',
];
const ACTORS = ['Association', 'Collectif', 'Coopérative', 'Fondation', 'Régie', 'Réseau', 'SCIC', 'Entreprise',
  'Fédération', 'Comité', 'Union', 'Amicale', 'Centre communal', 'Mission locale', 'Groupement'];
const PUBLICS = ['les jeunes', 'les familles', 'les seniors', 'les habitants du quartier', 'les demandeurs d\'emploi',
  'les personnes isolées', 'les enfants', 'les femmes', 'les personnes handicapées', 'les réfugiés',
  'les bénéficiaires du RSA', 'les étudiants', 'les aidants', 'les agriculteurs', 'les salariés en insertion'];
const ACTIVITIES = ['le jardinage', "l'insertion par l'emploi", "l'aide alimentaire", 'la réparation de vélos',
  'le réemploi des objets', 'la médiation numérique', 'le soutien scolaire', 'la mobilité solidaire',
  "l'accès aux droits", 'la culture pour tous', "l'alimentation durable", 'le logement', 'la santé',
  'le lien social', 'la transition écologique', "l'échange de services", 'la formation', 'le sport',
  'la friperie', 'la couture', 'la cuisine', 'le compostage', "l'économie circulaire", 'la parentalité'];
const DOMAIN = ['jardin', 'insertion', 'emploi', 'friperie', 'accorderie', 'solidaire', 'quartier', 'jeunes',
  'habitants', 'association', 'bénévoles', 'atelier', 'partagé', 'recyclerie', 'vélo', 'réparation',
  'alimentation', 'épicerie', 'formation', 'accompagnement', 'numérique', 'mobilité', 'logement', 'santé',
  'culture', 'social', 'économie', 'circulaire', 'réemploi', 'environnement', 'transition', 'coopérative',
  'commune', 'territoire', 'rural', 'urbain', 'familles', 'seniors', 'enfants', 'citoyens', 'collectif',
  'projet', 'lien', 'accueil', 'entraide', 'échange', 'services', 'produits', 'locaux', 'circuits', 'courts',
  'compost', 'potager', 'légumes', 'cuisine', 'repas', 'vêtements', 'textile', 'déchets', 'recyclage',
  'énergie', 'climat', 'biodiversité', 'éducation', 'scolaire', 'parentalité', 'handicap', 'inclusion',
  'précarité', 'pauvreté', 'droits', 'médiation', 'sport', 'musique', 'théâtre', 'lecture', 'bibliothèque',
  'café', 'tiers-lieu', 'ressourcerie', 'chantier', 'salariés', 'parcours', 'qualifiante', 'stage',
  'apprentissage', 'mission', 'locale', 'partenaires', 'bailleurs', 'mairie', 'département', 'région',
  'subventions', 'mécénat', 'financement', 'gouvernance', 'participation', 'démocratie', 'égalité', 'femmes'];
const FUNCTION_WORDS = ['le', 'la', 'les', 'des', 'du', 'de', 'et', 'pour', 'avec', 'dans', 'sur', 'par', 'en',
  'au', 'aux', 'un', 'une', 'qui', 'que', 'entre', 'chaque', 'plus', 'leur', 'ses', 'sans', 'vers'];
const TEMPLATES = [
  "Le projet réunit des habitants, des associations et la commune {D} autour {B}.",
  'Chaque semaine, {N} bénévoles accueillent {P} et les orientent vers les bons interlocuteurs.',
  "L'initiative s'appuie sur un réseau de partenaires locaux : centre social, mission locale et bailleurs.",
  "Des ateliers gratuits permettent d'apprendre {A}, la cuisine ou le numérique.",
  "Le modèle économique combine ventes solidaires, subventions publiques et mécénat d'entreprises.",
  "Une évaluation menée avec l'université {D} montre des effets durables sur le lien social.",
  'Les personnes accompagnées participent à la gouvernance et aux choix du collectif.',
  "L'équipe salariée compte {N} personnes en parcours d'insertion.",
  'Les produits proviennent de producteurs situés à moins de {N} kilomètres.',
  "Le lieu est accessible aux personnes à mobilité réduite et propose une garde d'enfants.",
  "Après {T} ans d'expérimentation, le dispositif essaime dans les communes voisines {D}.",
  'Les jeunes du quartier y trouvent un premier emploi, un stage ou une formation qualifiante.',
  'Depuis {Y}, {N} familles ont bénéficié {B}.',
  "Né à {L} en {Y}, le collectif s'est donné pour but de rendre {A} accessible à tous.",
  'La {K} ouvre ses portes du lundi au samedi et accueille {P}.',
  'Un jardin partagé de {N} parcelles complète le dispositif.',
  'La friperie solidaire revend à petit prix des vêtements collectés auprès des habitants.',
  "L'accorderie {D} permet d'échanger des services sans argent : une heure donnée vaut une heure reçue.",
  'Les salariés en insertion sont accompagnés vers un emploi durable par une conseillère dédiée.',
  'Le {W} et le {W} y sont abordés lors de rencontres mensuelles ouvertes à {P}.',
  "Le projet a reçu le soutien de la fondation {W} et de la région.",
  "Des permanences d'accès aux droits ont lieu chaque {J} à la maison de quartier.",
  'En {Y}, la structure a détourné {N} tonnes de déchets grâce au réemploi.',
  'Les ateliers de réparation de vélos attirent surtout {P}.',
  "Une épicerie solidaire propose des produits frais à {N} % du prix habituel.",
  'Les bénévoles animent aussi un café associatif où {P} se retrouvent.',
];
const DAYS = ['lundi', 'mardi', 'mercredi', 'jeudi', 'vendredi', 'samedi'];
const SOURCES = ['bench', 'bench', 'bench', 'bench', 'bench-avise', 'bench-avise', 'bench-rtes', 'bench-labo',
  'bench-solidarum'];

function tailWord(rnd) {
  return tail[zipf(rnd, tail.length)];
}
function fill(rnd, t, place, kind) {
  return t.replace(/\{(\w)\}/g, (_, s) => {
    switch (s) {
      case 'L': return place;
      case 'D': return de(place);
      case 'B': {
        const a = pick(rnd, ACTIVITIES);
        return a.startsWith('le ') ? 'du ' + a.slice(3) : 'de ' + a;
      }
      case 'A': return pick(rnd, ACTIVITIES);
      case 'P': return pick(rnd, PUBLICS);
      case 'N': return String(2 + Math.floor(Math.exp(rnd() * 6)));
      case 'T': return String(2 + Math.floor(rnd() * 12));
      case 'Y': return String(1995 + Math.floor(rnd() * 31));
      case 'K': return kind.toLowerCase();
      case 'J': return pick(rnd, DAYS);
      default: return tailWord(rnd);
    }
  });
}
// A sentence of ordinary words: function words between words drawn from the long tail (three in
// four) and from the field's words (one in four), as a real description runs.
function freeSentence(rnd, n) {
  const out = [];
  for (let k = 0; k < n; k++) {
    if (k % 2 === 0) out.push(pick(rnd, FUNCTION_WORDS));
    else out.push(rnd() < 0.25 ? zipfPick(rnd, DOMAIN) : tailWord(rnd));
  }
  return cap(out.join(' ')) + '.';
}
function paragraphs(rnd, words, place, kind) {
  const paras = [];
  let cur = [];
  let count = 0;
  while (count < words) {
    let s;
    if (rnd() < 0.4) s = fill(rnd, pick(rnd, TEMPLATES), place, kind);
    else s = freeSentence(rnd, 6 + Math.floor(rnd() * 18));
    cur.push(s);
    count += s.split(' ').length;
    if (cur.length >= 2 + Math.floor(rnd() * 3)) {
      paras.push(cur.join(' '));
      cur = [];
    }
  }
  if (cur.length) paras.push(cur.join(' '));
  return paras.join('\n\n');
}

function title(rnd, kind, place) {
  switch (Math.floor(rnd() * 6)) {
    case 0: return `${kind} ${de(place)}`;
    case 1: return `${kind} ${pick(rnd, PLACES)}`;
    case 2: return `${kind} « ${cap(tailWord(rnd))} »`;
    case 3: return `${cap(tailWord(rnd))} : ${kind.toLowerCase()} pour ${pick(rnd, PUBLICS)}`;
    case 4: return `${kind} ${cap(tailWord(rnd))} ${pick(rnd, PLACES)}`;
    default: return `${cap(zipfPick(rnd, DOMAIN))} et ${zipfPick(rnd, DOMAIN)} à ${place}`;
  }
}

// COPY text form: backslash, tab and line breaks escaped.
const esc = (s) => s.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r');
const arr = (xs) => '{' + xs.join(',') + '}';
function distinct(rnd, list, n, zipfed) {
  const out = [];
  for (let t = 0; t < 8 && out.length < n; t++) {
    const v = zipfed ? zipfPick(rnd, list) : pick(rnd, list);
    if (!out.includes(v)) out.push(v);
  }
  return out;
}

const chunks = [];
let size = 0;
function emit(line) {
  chunks.push(line);
  size += line.length;
  if (size > 1 << 20) {
    process.stdout.write(chunks.join(''));
    chunks.length = 0;
    size = 0;
  }
}

for (let i = first; i <= last; i++) {
  const rnd = rowRandom(i);
  const c = drawCommune(rnd);
  const kind = zipfPick(rnd, KINDS);
  const place = c.name;
  const t = title(rnd, kind, place);
  const summary = fill(rnd, pick(rnd, TEMPLATES), place, kind) + (rnd() < 0.5 ? ' ' + freeSentence(rnd, 8 + Math.floor(rnd() * 12)) : '');
  const words = Math.max(15, Math.min(700, Math.round(Math.exp(Math.log(60) + 0.75 * gauss(rnd)))));
  const description = paragraphs(rnd, words, place, kind);
  const actor = rnd() < 0.5 ? `${pick(rnd, ACTORS)} ${cap(tailWord(rnd))}` : `${pick(rnd, ACTORS)} ${kind.toLowerCase()} ${de(place)}`;
  const themes = distinct(rnd, vocab.theme, 1 + Math.floor(rnd() * rnd() * 3), true);
  const subs = [];
  for (const th of themes) {
    const children = subthemesOf.get(th) || [];
    if (children.length && rnd() < 0.6) subs.push(pick(rnd, children));
  }
  const publics = distinct(rnd, vocab.public, Math.floor(rnd() * 3), true);
  const year = 2025 - Math.min(40, Math.floor(Math.exp(rnd() * Math.log(41))) - 1);
  // Around the commune's centre, within its extent; generate.sql keeps the point only inside.
  const x = c.x + gauss(rnd) * c.w * 0.15;
  const y = c.y + gauss(rnd) * c.h * 0.15;
  const created = Math.floor(rnd() * 315360000);
  emit(
    [
      i, esc(t), esc(summary), esc(description), esc(actor), zipfPick(rnd, vocab.actor_type), arr(themes),
      arr(subs), arr(publics), zipfPick(rnd, vocab.scale), zipfPick(rnd, vocab.stage), year, c.code,
      x.toFixed(6), y.toFixed(6), pick(rnd, SOURCES), created,
    ].join('\t') + '\n',
  );
}
process.stdout.write(chunks.join(''));
