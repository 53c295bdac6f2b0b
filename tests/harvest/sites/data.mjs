// The fixture catalogue: every project shown by the fixture sites, built deterministically (a seeded
// generator, no clock, no randomness from outside) so that the pages and the expected records agree.
//
// All text is ISO-8859-1-safe (no œ, no typographic apostrophes or dashes): the Joomla-like site
// serves it in that encoding.

// Communes: [name, INSEE code, a postcode, département, lon, lat (a point inside the commune, from the
// 2018 IGN contours), homonym]. Names are unique among current communes unless `homonym` is set; a
// homonym is always shown with its département or postcode.
export const COMMUNES = [
  ["Lyon", '69123', '69001', '69', 4.8276, 45.7633],
  ["Marseille", '13055', '13001', '13', 5.403, 43.2983],
  ["Toulouse", '31555', '31000', '31', 1.4282, 43.6041],
  ["Nantes", '44109', '44000', '44', -1.5453, 47.2367],
  ["Montpellier", '34172', '34000', '34', 3.8658, 43.6191],
  ["Strasbourg", '67482', '67000', '67', 7.7593, 48.5743],
  ["Bordeaux", '33063', '33000', '33', -0.5882, 44.8587],
  ["Lille", '59350', '59000', '59', 3.051, 50.6343],
  ["Rennes", '35238', '35000', '35', -1.6841, 48.1108],
  ["Grenoble", '38185', '38000', '38', 5.7232, 45.184],
  ["Dijon", '21231', '21000', '21', 5.0387, 47.3253],
  ["Angers", '49007', '49000', '49', -0.5615, 47.4766],
  ["Villeurbanne", '69266', '69100', '69', 4.8936, 45.7698],
  ["Brest", '29019', '29200', '29', -4.5025, 48.405],
  ["Tours", '37261', '37000', '37', 0.6965, 47.3943],
  ["Amiens", '80021', '80000', '80', 2.2901, 49.8946],
  ["Limoges", '87085', '87000', '87', 1.1548, 45.8654],
  ["Perpignan", '66136', '66000', '66', 2.8965, 42.6984],
  ["Metz", '57463', '57000', '57', 6.1942, 49.1084],
  ["Besançon", '25056', '25000', '25', 6.0211, 47.2596],
  ["Orléans", '45234', '45000', '45', 1.9174, 47.8797],
  ["Rouen", '76540', '76000', '76', 1.0998, 49.4419],
  ["Mulhouse", '68224', '68100', '68', 7.3257, 47.7498],
  ["Caen", '14118', '14000', '14', -0.3704, 49.1829],
  ["Nancy", '54395', '54000', '54', 6.1727, 48.6891],
  ["Saint-Étienne", '42218', '42000', '42', 4.423, 45.4236],
  ["Roubaix", '59512', '59100', '59', 3.1802, 50.688],
  ["Tourcoing", '59599', '59200', '59', 3.1593, 50.7222],
  ["Poitiers", '86194', '86000', '86', 0.3641, 46.5822],
  ["Pau", '64445', '64000', '64', -0.3492, 43.3175],
  ["Bayonne", '64102', '64100', '64', -1.4673, 43.4854],
  ["Niort", '79191', '79000', '79', -0.4685, 46.3281],
  ["Quimper", '29232', '29000', '29', -4.0954, 47.9946],
  ["Lorient", '56121', '56100', '56', -3.3791, 47.7516],
  ["Vannes", '56260', '56000', '56', -2.7532, 47.6569],
  ["Saint-Brieuc", '22278', '22000', '22', -2.7634, 48.5171],
  ["Le Mans", '72181', '72000', '72', 0.1981, 47.9912],
  ["Laval", '53130', '53000', '53', -0.768, 48.064],
  ["Cholet", '49099', '49300', '49', -0.8803, 47.0385],
  ["Clermont-Ferrand", '63113', '63000', '63', 3.1122, 45.7835],
  ["Aurillac", '15014', '15000', '15', 2.4438, 44.9251],
  ["Le Puy-en-Velay", '43157', '43000', '43', 3.8911, 45.0299],
  ["Chambéry", '73065', '73000', '73', 5.9083, 45.5817],
  ["Die", '26113', '26150', '26', 5.3796, 44.7491],
  ["Gap", '05061', '05000', '05', 6.0603, 44.5808],
  ["Digne-les-Bains", '04070', '04000', '04', 6.2423, 44.0942],
  ["Arles", '13004', '13104', '13', 4.6484, 43.5491],
  ["Avignon", '84007', '84000', '84', 4.8437, 43.9449],
  ["Nîmes", '30189', '30000', '30', 4.353, 43.8441],
  ["Alès", '30007', '30100', '30', 4.0893, 44.1249],
  ["Béziers", '34032', '34500', '34', 3.2337, 43.3534],
  ["Sète", '34301', '34200', '34', 3.5618, 43.3314],
  ["Carcassonne", '11069', '11000', '11', 2.3497, 43.2077],
  ["Albi", '81004', '81000', '81', 2.1371, 43.9196],
  ["Rodez", '12202', '12000', '12', 2.5689, 44.3583],
  ["Cahors", '46042', '46000', '46', 1.436, 44.4482],
  ["Montauban", '82121', '82000', '82', 1.3661, 44.0222],
  ["Tarbes", '65440', '65000', '65', 0.0661, 43.2359],
  ["Auch", '32013', '32000', '32', 0.5729, 43.6593],
  ["Agen", '47001', '47000', '47', 0.632, 44.2059],
  ["Périgueux", '24322', '24000', '24', 0.7086, 45.194],
  ["Brive-la-Gaillarde", '19031', '19100', '19', 1.5189, 45.1397],
  ["Tulle", '19272', '19000', '19', 1.7618, 45.2723],
  ["Guéret", '23096', '23000', '23', 1.8707, 46.1623],
  ["Châteauroux", '36044', '36000', '36', 1.6931, 46.8048],
  ["Bourges", '18033', '18000', '18', 2.3986, 47.0774],
  ["Nevers", '58194', '58000', '58', 3.158, 46.9875],
  ["Auxerre", '89024', '89000', '89', 3.589, 47.7967],
  ["Troyes", '10387', '10000', '10', 4.078, 48.2956],
  ["Reims", '51454', '51100', '51', 4.0408, 49.2525],
  ["Charleville-Mézières", '08105', '08000', '08', 4.7206, 49.7773],
  ["Épinal", '88160', '88000', '88', 6.4763, 48.1638],
  ["Colmar", '68066', '68000', '68', 7.3923, 48.1162],
  ["Belfort", '90010', '90000', '90', 6.8425, 47.6476],
  ["Dole", '39198', '39100', '39', 5.4915, 47.0759],
  ["Lons-le-Saunier", '39300', '39000', '39', 5.5567, 46.6745],
  ["Mâcon", '71270', '71000', '71', 4.7626, 46.2767],
  ["Chalon-sur-Saône", '71076', '71100', '71', 4.8478, 46.7905],
  ["Roanne", '42187', '42300', '42', 4.0797, 46.0434],
  ["Vichy", '03310', '03200', '03', 3.4254, 46.1311],
  ["Montluçon", '03185', '03100', '03', 2.603, 46.3421],
  ["Évreux", '27229', '27000', '27', 1.1354, 49.0206],
  ["Saint-Lô", '50502', '50000', '50', -1.0847, 49.1071],
  ["Alençon", '61001', '61000', '61', 0.0922, 48.4303],
  ["Dieppe", '76217', '76200', '76', 1.0852, 49.9194],
  ["Le Havre", '76351', '76600', '76', 0.1283, 49.5115],
  ["Beauvais", '60057', '60000', '60', 2.0864, 49.4392],
  ["Compiègne", '60159', '60200', '60', 2.8633, 49.4129],
  ["Arras", '62041', '62000', '62', 2.7657, 50.2893],
  ["Lens", '62498', '62300', '62', 2.8189, 50.4364],
  ["Dunkerque", '59183', '59140', '59', 2.3566, 51.0296],
  ["Calais", '62193', '62100', '62', 1.8687, 50.9531],
  ["Boulogne-sur-Mer", '62160', '62200', '62', 1.6078, 50.7278],
  ["Valenciennes", '59606', '59300', '59', 3.5135, 50.3597],
  ["Aubervilliers", '93001', '93300', '93', 2.3874, 48.9156],
  ["Créteil", '94028', '94000', '94', 2.4552, 48.7808],
  ["Nanterre", '92050', '92000', '92', 2.2107, 48.8967],
  ["Ivry-sur-Seine", '94041', '94200', '94', 2.388, 48.8092],
  ["Vitry-sur-Seine", '94081', '94400', '94', 2.3891, 48.7894],
  ["Bobigny", '93008', '93000', '93', 2.4411, 48.9098],
  ["Sevran", '93071', '93270', '93', 2.5316, 48.9367],
  ["Clichy-sous-Bois", '93014', '93390', '93', 2.5446, 48.909],
  ["Forcalquier", '04088', '04300', '04', 5.7915, 43.9594],
  ["Millau", '12145', '12100', '12', 3.109, 44.103],
  ["Figeac", '46102', '46100', '46', 2.0208, 44.6043],
  ["Crest", '26108', '26400', '26', 5.0234, 44.7325],
  ["Loos-en-Gohelle", '62528', '62750', '62', 2.7834, 50.4555],
  ["Mouans-Sartoux", '06084', '06370', '06', 6.9672, 43.6209],
  ["Ungersheim", '68343', '68190', '68', 7.3011, 47.8703],
  ["Kingersheim", '68166', '68260', '68', 7.3158, 47.7901],
  ["Tarnac", '19265', '19170', '19', 1.9519, 45.674],
  ["Lannion", '22113', '22300', '22', -3.4645, 48.7426],
  ["Morlaix", '29151', '29600', '29', -3.8183, 48.5947],
  ["Redon", '35236', '35600', '35', -2.0837, 47.6558],
  ["Fougères", '35115', '35300', '35', -1.196, 48.3481],
  ["Vitré", '35360', '35500', '35', -1.1949, 48.1127],
  ["Dinan", '22050', '22100', '22', -2.0496, 48.4481],
  ["Douarnenez", '29046', '29100', '29', -4.3306, 48.0816],
  ["Concarneau", '29039', '29900', '29', -3.9085, 47.8959],
  ["Pontivy", '56178', '56300', '56', -2.9716, 48.072],
  ["Bastia", '2B033', '20200', '2B', 9.4266, 42.6889],
  ["Saint-Denis", '93066', '93200', '93', 2.3631, 48.9328, true],
  ["Montreuil", '93048', '93100', '93', 2.4481, 48.8641, true],
  ["Valence", '26362', '26000', '26', 4.9234, 44.9286, true],
  ["La Rochelle", '17300', '17000', '17', -1.1703, 46.1598, true],
  ["Saillans", '26289', '26340', '26', 5.1849, 44.6946, true],
  ["Moulins", '03190', '03000', '03', 3.3275, 46.564, true],
];

// Project kinds: a title noun, our theme codes (top-level only), the kinds of carrier, and the words
// of a summary. `act` is what the project does, `pub` whom it is for.
const KINDS = [
  { noun: 'Recyclerie', themes: ['ENV', 'EMP'], carriers: ['asso', 'scic'], act: 'collecte, répare et revend des objets du quotidien en employant des salariés en insertion', pub: 'les habitants et les personnes éloignées de l\'emploi' },
  { noun: 'Jardin partagé', themes: ['ENV', 'SOL'], carriers: ['asso', 'collectif'], act: 'cultive des parcelles collectives au pied des immeubles', pub: 'les familles du quartier' },
  { noun: 'Épicerie solidaire', themes: ['SOL', 'CON'], carriers: ['asso', 'ccas'], act: 'propose des produits frais à petit prix et un accompagnement budgétaire', pub: 'les ménages aux revenus modestes' },
  { noun: 'Garage solidaire', themes: ['EMP', 'TER'], carriers: ['asso', 'scic'], act: 'répare et loue des véhicules à prix réduit pour aller travailler', pub: 'les demandeurs d\'emploi sans solution de transport' },
  { noun: 'Tiers-lieu', themes: ['TER', 'NUM'], carriers: ['scic', 'asso'], act: 'réunit un espace de travail partagé, un atelier et un café associatif', pub: 'les indépendants, les associations et les habitants' },
  { noun: 'Repair café', themes: ['ENV', 'CON'], carriers: ['collectif', 'asso'], act: 'organise chaque mois des ateliers de réparation animés par des bénévoles', pub: 'tous les publics' },
  { noun: 'Atelier vélo participatif', themes: ['ENV', 'TER'], carriers: ['asso'], act: 'apprend à chacun à entretenir et réparer son vélo', pub: 'les cyclistes du quotidien' },
  { noun: 'Café des aidants', themes: ['SAN', 'SOL'], carriers: ['asso', 'ccas'], act: 'offre un lieu d\'écoute et d\'échange animé par un psychologue', pub: 'les proches aidants' },
  { noun: 'Habitat intergénérationnel', themes: ['SOL', 'TER'], carriers: ['asso', 'coop'], act: 'loge sous le même toit des étudiants et des personnes âgées', pub: 'les seniors isolés et les jeunes' },
  { noun: 'Cantine solidaire', themes: ['SOL', 'CON'], carriers: ['asso'], act: 'sert des repas cuisinés avec des produits locaux à prix libre', pub: 'les habitants et les personnes isolées' },
  { noun: 'Chantier d\'insertion maraîcher', themes: ['EMP', 'ENV'], carriers: ['asso'], act: 'produit des légumes biologiques vendus en paniers tout en formant des salariés en parcours d\'insertion', pub: 'les personnes éloignées de l\'emploi' },
  { noun: 'Auto-école sociale', themes: ['EMP', 'TER'], carriers: ['asso'], act: 'prépare au permis de conduire avec une pédagogie adaptée', pub: 'les jeunes et les demandeurs d\'emploi' },
  { noun: 'Conciergerie solidaire', themes: ['EMP', 'CON'], carriers: ['scic', 'asso'], act: 'rend des services de proximité aux salariés d\'une zone d\'activités', pub: 'les salariés et les entreprises' },
  { noun: 'Médiation numérique', themes: ['NUM', 'SOL'], carriers: ['asso', 'ccas'], act: 'accompagne les démarches en ligne et forme aux outils numériques', pub: 'les personnes éloignées du numérique' },
  { noun: 'Fablab', themes: ['NUM', 'EDU'], carriers: ['asso'], act: 'met des machines de fabrication numérique à la disposition des habitants et des écoles', pub: 'les jeunes et les makers' },
  { noun: 'Centrale villageoise', themes: ['ENV', 'DEM'], carriers: ['coop'], act: 'installe des panneaux photovoltaïques financés par les habitants', pub: 'les habitants du territoire' },
  { noun: 'Monnaie locale', themes: ['FIN', 'CON'], carriers: ['asso'], act: 'fait circuler une monnaie complémentaire entre commerçants et producteurs locaux', pub: 'les commerçants et les consommateurs' },
  { noun: 'Accorderie', themes: ['SOL', 'CON'], carriers: ['asso'], act: 'organise l\'échange de services entre habitants, une heure donnée valant une heure reçue', pub: 'tous les habitants' },
  { noun: 'Micro-crèche à vocation d\'insertion', themes: ['EDU', 'EMP'], carriers: ['asso', 'entreprise'], act: 'accueille les jeunes enfants de parents en recherche d\'emploi', pub: 'les familles monoparentales' },
  { noun: 'Maison de santé participative', themes: ['SAN', 'TER'], carriers: ['asso', 'commune'], act: 'rassemble médecins, infirmiers et habitants autour d\'un projet de santé commun', pub: 'les habitants d\'un territoire peu doté en médecins' },
  { noun: 'Cinéma itinérant', themes: ['ART', 'TER'], carriers: ['asso'], act: 'projette des films dans les salles des fêtes des villages', pub: 'les habitants des communes rurales' },
  { noun: 'Résidence d\'artistes', themes: ['ART', 'SOL'], carriers: ['asso', 'commune'], act: 'invite des artistes à créer avec les habitants d\'un quartier', pub: 'les habitants des quartiers prioritaires' },
  { noun: 'Club sportif inclusif', themes: ['SPO', 'SOL'], carriers: ['asso'], act: 'fait pratiquer ensemble des sportifs valides et en situation de handicap', pub: 'les personnes en situation de handicap' },
  { noun: 'Budget participatif des jeunes', themes: ['DEM', 'EDU'], carriers: ['commune'], act: 'confie aux jeunes le choix et la conduite de projets pour leur ville', pub: 'les 11-25 ans' },
  { noun: 'Covoiturage rural', themes: ['TER', 'ENV'], carriers: ['asso', 'commune'], act: 'met en relation conducteurs et passagers pour les trajets du quotidien', pub: 'les habitants sans voiture' },
  { noun: 'Chantier patrimoine', themes: ['PAT', 'EMP'], carriers: ['asso'], act: 'restaure un bâtiment ancien avec des salariés en insertion', pub: 'les personnes éloignées de l\'emploi' },
  { noun: 'Gîte solidaire', themes: ['TOU', 'SOL'], carriers: ['asso'], act: 'offre des séjours de vacances à prix réduit', pub: 'les familles qui ne partent pas en vacances' },
  { noun: 'Fonds de prêts d\'honneur', themes: ['FIN', 'EMP'], carriers: ['asso'], act: 'prête sans intérêt à des créateurs d\'entreprise sans apport', pub: 'les créateurs d\'entreprise' },
  { noun: 'Parcours de remobilisation', themes: ['EDU', 'EMP'], carriers: ['asso'], act: 'accompagne des jeunes sortis du système scolaire vers une formation', pub: 'les jeunes de 16 à 25 ans' },
  { noun: 'Halte répit', themes: ['SAN', 'SOL'], carriers: ['asso', 'ccas'], act: 'accueille pour quelques heures des personnes atteintes de troubles de la mémoire', pub: 'les malades et leurs aidants' },
  { noun: 'Ressourcerie textile', themes: ['ENV', 'EMP'], carriers: ['asso', 'entreprise'], act: 'trie, répare et revend des vêtements de seconde main', pub: 'les habitants et les salariés en insertion' },
  { noun: 'Coopérative d\'habitants', themes: ['TER', 'DEM'], carriers: ['coop'], act: 'construit et gère collectivement un immeuble de logements', pub: 'les familles du projet' },
  { noun: 'Épicerie vrac itinérante', themes: ['CON', 'ENV'], carriers: ['entreprise', 'asso'], act: 'vend des produits sans emballage de village en village', pub: 'les habitants des communes rurales' },
  { noun: 'Radio associative', themes: ['COM', 'DEM'], carriers: ['asso'], act: 'donne la parole aux habitants dans des émissions préparées avec eux', pub: 'les habitants du quartier' },
];

// Proper names that make titles distinct.
const NAMES = [
  'La Coursive', 'Les Tilleuls', 'Le Chaudron', 'La Ruche', 'L\'Arbre à pain', 'Les Cabanes', 'La Fabrique',
  'Le Relais', 'La Passerelle', 'Les Communs', 'La Cordée', 'Le Phare', 'La Boussole', 'Les Glaneurs',
  'La Bricole', 'Le Grain de sel', 'La Marmite', 'Les Tisserands', 'La Source', 'Le Quai', 'La Clairière',
  'L\'Escale', 'La Friche', 'Le Moulin', 'La Forge', 'Les Alizés', 'La Canopée', 'Le Bocal', 'La Navette',
  'Le Trait d\'union', 'La Pépinière', 'Les Lucioles', 'La Main verte', 'Le Cercle', 'L\'Atelier', 'La Grange',
  'Les Possibles', 'Le Fil rouge', 'La Traverse', 'Les Semeurs', 'La Rencontre', 'Le Petit Pont', 'La Gare',
  'L\'Îlot', 'La Maison bleue', 'Les Hirondelles', 'Le Préau', 'La Bobine', 'Le Quartier libre', 'La Tribu',
  'Les Mains tendues', 'La Halle', 'L\'Écluse', 'Le Carrefour', 'La Belle Ouvrage', 'Les Rives',
  'Le Jardin d\'hiver', 'La Solive', 'Le Kiosque', 'Les Tournesols', 'La Cabane à outils', 'Le Vivier',
];

// Carriers: how the actor's name starts, and its type (our actor_type code).
export const CARRIERS = {
  asso: { prefix: 'Association', type: 'association' },
  collectif: { prefix: 'Collectif', type: 'collectif' },
  scic: { prefix: 'SCIC', type: 'cooperative' },
  coop: { prefix: 'Coopérative', type: 'cooperative' },
  ccas: { prefix: 'CCAS de', type: 'public' },
  commune: { prefix: 'Ville de', type: 'collectivite' },
  entreprise: { prefix: 'Entreprise solidaire', type: 'entreprise_ess' },
};

// Sites and how many records each shows (the hostile site is separate: see hostile.mjs).
export const SITE_SIZES = { drupal: 100, joomla: 60, spip: 70, api: 70, rss: 50, csv: 50 };

// Projects shown on two sites: [site A, site B, how they are recognised as one]. Title pairs share the
// exact title and commune; website pairs share the website (written differently) under other titles.
const PAIRS = [
  ...rep(3, ['drupal', 'spip', 'title']), ...rep(3, ['drupal', 'rss', 'title']), ...rep(2, ['joomla', 'api', 'title']),
  ...rep(2, ['spip', 'csv', 'title']), ...rep(2, ['api', 'rss', 'title']), ...rep(1, ['joomla', 'rss', 'title']),
  ...rep(2, ['csv', 'drupal', 'title']),
  ...rep(3, ['drupal', 'joomla', 'website']), ...rep(3, ['drupal', 'api', 'website']), ...rep(2, ['joomla', 'csv', 'website']),
  ...rep(3, ['spip', 'api', 'website']), ...rep(2, ['api', 'csv', 'website']), ...rep(2, ['spip', 'joomla', 'website']),
];

function rep(n, v) {
  return Array.from({ length: n }, () => v);
}

/** mulberry32: a small seeded generator, the same numbers on every machine. */
export function rng(seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  next.int = (lo, hi) => lo + Math.floor(next() * (hi - lo + 1));
  next.pick = (arr) => arr[Math.floor(next() * arr.length)];
  next.chance = (p) => next() < p;
  return next;
}

export const fold = (s) => s.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase();
export const slugify = (s) => fold(s).replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
const titleKey = (s) => fold(s).replace(/[^a-z0-9]+/g, ' ').trim();

/** The commune as an object. */
export function commune(row) {
  const [name, code, postcode, dep, lon, lat, homonym] = row;
  return { name, code, postcode, dep, lon, lat, homonym: !!homonym };
}

function sentences(k, p) {
  // p: { title, commune, year, carrierName, staff } as one site shows them.
  const where = p.commune ? ` à ${p.commune.name}` : '';
  const summary = `${p.carrierName} ${k.act}${where}, pour ${k.pub}.`;
  const since = p.year ? `Lancé en ${p.year}, le projet` : 'Le projet';
  const description = [
    `${since} est né d'un constat partagé par les habitants et les partenaires locaux : ${k.pub} manquaient d'une réponse de proximité.`,
    `${p.title} ${k.act}. L'équipe compte ${p.staff} salariés et une trentaine de bénévoles ; elle travaille avec la mairie, les bailleurs sociaux et les associations voisines.`,
    `Les prochaines étapes : consolider le modèle économique, former de nouveaux bénévoles et partager la démarche avec d'autres territoires.`,
  ];
  return { summary, description };
}

function websiteFor(name, communeName, taken) {
  const base = slugify(name.replace(/^(Les|La|Le|L')\s*/i, '')).replace(/-/g, '');
  const city = slugify(communeName || 'france').replace(/-/g, '');
  for (const cand of [`${base}.fr`, `${base}-${city}.fr`, `${base}-${city}.org`, `${base}${city}.fr`]) {
    if (!taken.has(cand)) {
      taken.add(cand);
      return `https://www.${cand}/`;
    }
  }
  throw new Error(`no website left for ${name}`);
}

/** Writes a website differently without changing what it designates (host and path). */
export function websiteVariant(url) {
  return url.replace('https://www.', 'http://').replace(/\/$/, '');
}

let cached;

/**
 * The whole catalogue: { projects, sites: { drupal: [entry…], … }, pairs: [{a, b, kind}] }. An entry is a
 * project as one site shows it: { site, n (0-based position), project, title, commune, year, website,
 * themes (our codes), extraTags (tags no map knows), actorName, carrier, summary, description }.
 */
export function catalogue() {
  if (cached) return cached;
  const r = rng(20180614);
  const communes = COMMUNES.map(commune);
  const titles = new Set();
  const domains = new Set();
  const projects = [];
  const newProject = (forPair) => {
    for (;;) {
      const k = r.pick(KINDS);
      const name = r.pick(NAMES);
      const title = `${k.noun} ${name}`;
      if (titles.has(titleKey(title))) continue;
      titles.add(titleKey(title));
      const c = forPair || r.chance(0.92) ? r.pick(communes) : null;
      const carrier = r.pick(k.carriers);
      const carrierName = carrier === 'ccas' || carrier === 'commune'
        ? `${CARRIERS[carrier].prefix} ${c ? c.name : 'Saint-Malo'}` : `${CARRIERS[carrier].prefix} ${name}`;
      const themes = [...k.themes];
      if (r.chance(0.2)) {
        const extra = r.pick(['DEM', 'EDU', 'NUM', 'SAN', 'SOL']);
        if (!themes.includes(extra)) themes.push(extra);
      }
      const p = {
        key: projects.length,
        kind: k,
        name,
        title,
        commune: c,
        year: forPair || r.chance(0.88) ? r.int(2005, 2022) : null,
        website: forPair === 'website' || r.chance(0.65) ? websiteFor(name, c && c.name, domains) : null,
        carrier,
        carrierName,
        themes: themes.sort(),
        staff: r.int(2, 25),
      };
      projects.push(p);
      return p;
    }
  };

  const sites = Object.fromEntries(Object.keys(SITE_SIZES).map((s) => [s, []]));
  const entry = (site, p, over = {}) => {
    const e = {
      site,
      project: p,
      title: p.title,
      commune: p.commune,
      year: p.year,
      website: p.website,
      themes: p.themes,
      extraTags: [],
      actorName: p.carrierName,
      carrier: p.carrier,
      ...over,
    };
    Object.assign(e, sentences(p.kind, { title: e.title, commune: e.commune, year: e.year, carrierName: e.actorName, staff: p.staff }));
    sites[site].push(e);
    return e;
  };

  const pairs = [];
  for (const [a, b, kind] of PAIRS) {
    const p = newProject(kind);
    const ea = entry(a, p, kind === 'title' ? {} : {});
    let over;
    if (kind === 'title') {
      // The second site does not give the website: the title and commune are what match.
      over = { website: null };
    } else {
      // Another title (the name first), the same website written differently.
      const t2 = `${p.name} (${p.kind.noun.toLowerCase()})`;
      if (titles.has(titleKey(t2))) throw new Error(`title clash: ${t2}`);
      titles.add(titleKey(t2));
      over = { title: t2, website: websiteVariant(p.website) };
    }
    const eb = entry(b, p, over);
    pairs.push({ a: ea, b: eb, kind });
  }
  for (const [site, size] of Object.entries(SITE_SIZES)) {
    while (sites[site].length < size) {
      const p = newProject(null);
      // Per-site gaps: some sites know less about a project than others.
      entry(site, p, {
        year: r.chance(0.9) ? p.year : null,
        themes: r.chance(0.95) ? p.themes : [],
      });
    }
  }
  // A stable, interleaved order on each site so that pairs are not all on the first page.
  for (const site of Object.keys(sites)) {
    const rs = rng(site.length * 7919 + site.charCodeAt(0));
    const list = sites[site].map((e) => [rs(), e]).sort((x, y) => x[0] - y[0]).map((x) => x[1]);
    list.forEach((e, i) => {
      e.n = i;
      e.extraTags = rs() < 0.15 ? [rs() < 0.5 ? 'Coup de coeur' : 'Lauréat de l\'appel à projets'] : [];
    });
    sites[site] = list;
  }
  for (const e of Object.values(sites).flat()) {
    for (const s of [e.title, e.summary, ...e.description, e.actorName]) {
      for (const ch of s) if (ch.charCodeAt(0) > 0xff) throw new Error(`not ISO-8859-1: ${JSON.stringify(ch)} in ${s}`);
    }
  }
  cached = { projects, sites, pairs };
  return cached;
}

/**
 * An entry as shown after a POST /__change: a sentence added to the summary and the start year moved
 * (or set). Everything else, and every other entry, is unchanged.
 */
export function changedEntry(e) {
  const year = e.year ? e.year + 1 : 2023;
  const s = sentences(e.project.kind, { title: e.title, commune: e.commune, year, carrierName: e.actorName, staff: e.project.staff });
  return { ...e, year, summary: `${s.summary} Nouveau : un second lieu a ouvert ses portes.`, description: s.description };
}
