// Where the demo records are, from their commune code and postcode (sql/demo/initiatives-*.json), for the
// search tests: département, région, arrondissement municipal, and whether a territory reference holds them.

// Régions by code and their départements (INSEE, since 2016).
export const REGIONS = {
  '01': ['971'],
  '02': ['972'],
  '03': ['973'],
  '04': ['974'],
  '06': ['976'],
  11: ['75', '77', '78', '91', '92', '93', '94', '95'],
  24: ['18', '28', '36', '37', '41', '45'],
  27: ['21', '25', '39', '58', '70', '71', '89', '90'],
  28: ['14', '27', '50', '61', '76'],
  32: ['02', '59', '60', '62', '80'],
  44: ['08', '10', '51', '52', '54', '55', '57', '67', '68', '88'],
  52: ['44', '49', '53', '72', '85'],
  53: ['22', '29', '35', '56'],
  75: ['16', '17', '19', '23', '24', '33', '40', '47', '64', '79', '86', '87'],
  76: ['09', '11', '12', '30', '31', '32', '34', '46', '48', '65', '66', '81', '82'],
  84: ['01', '03', '07', '15', '26', '38', '42', '43', '63', '69', '73', '74'],
  93: ['04', '05', '06', '13', '83', '84'],
  94: ['2A', '2B'],
};
export const REGION_OF_DEP = new Map(Object.entries(REGIONS).flatMap(([reg, deps]) => deps.map((d) => [d, reg])));

/** The département of a record, from its commune code (overseas: three characters). */
export const depOf = (r) => (r.commune_code.startsWith('97') ? r.commune_code.slice(0, 3) : r.commune_code.slice(0, 2));
export const regionOf = (r) => REGION_OF_DEP.get(depOf(r));

/** The arrondissement municipal of a record in Paris, Lyon or Marseille, from its postcode. */
export function arrondissementOf(r) {
  const pc = String(r.postcode || '');
  if (r.commune_code === '75056' && /^750\d\d$/.test(pc)) return `751${pc.slice(3)}`;
  if (r.commune_code === '69123' && /^6900\d$/.test(pc)) return `6938${pc.slice(4)}`;
  if (r.commune_code === '13055' && /^130\d\d$/.test(pc)) return `132${pc.slice(3)}`;
  return null;
}

/**
 * Whether a record lies in a territory reference LEVEL:CODE. A bare code is the most local level that has
 * it (docs/api.md): five characters a commune, otherwise a département.
 */
export function inTerritory(r, ref) {
  const [level, code] = ref.includes(':') ? ref.split(':') : [ref.length === 5 ? 'commune' : 'departement', ref];
  switch (level) {
    case 'region':
      return regionOf(r) === code;
    case 'departement':
      return depOf(r) === code;
    case 'commune':
      return r.commune_code === code;
    case 'arrondissement':
      return arrondissementOf(r) === code;
    default:
      throw new Error(`territory reference ${ref}: unknown level`);
  }
}
