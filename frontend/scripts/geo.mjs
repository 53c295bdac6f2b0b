// Writes the offline map background into dist/geo/ from the shared reference data (never copied into
// the repository): the départements' outlines with their names, each département's communes (outline,
// name, population, a point for the name) and the towns of 20,000 people or more for the wider views.
//
//   node scripts/geo.mjs [outDir]     (default: dist/geo)
//
// Reads SC_SHARED_DIR/geodata (default ../../shared/geodata from the project root) and the official
// commune list of @etalab/decoupage-administratif (sql/load/node_modules, installed with the loader;
// SC_GAZETTEER_DIR overrides) for populations. Without the geodata it writes nothing and says so: the
// map then keeps a plain background.
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '..', '..');
const SHARED = process.env.SC_SHARED_DIR ? path.resolve(process.env.SC_SHARED_DIR) : path.resolve(ROOT, '..', 'shared');
const GEODATA = path.join(SHARED, 'geodata');
const GAZETTEER =
  process.env.SC_GAZETTEER_DIR ?? path.join(ROOT, 'sql', 'load', 'node_modules', '@etalab', 'decoupage-administratif', 'data');
const OUT = path.resolve(process.argv[2] ?? path.join(HERE, '..', 'dist', 'geo'));
/** Towns named on the wider views (zoom 7–9). */
const TOWN_MIN_POPULATION = 20000;

if (!existsSync(path.join(GEODATA, 'departements.geojson'))) {
  console.warn(`geo: ${GEODATA}/departements.geojson not found; the map keeps a plain background`);
  process.exit(0);
}

/** Douglas–Peucker on one ring or line, tolerance in degrees; rings keep at least 4 points. */
function simplify(points, tolerance) {
  if (points.length <= 4) return points;
  const keep = new Uint8Array(points.length);
  keep[0] = keep[points.length - 1] = 1;
  const stack = [[0, points.length - 1]];
  const t2 = tolerance * tolerance;
  while (stack.length) {
    const [a, b] = stack.pop();
    const [ax, ay] = points[a];
    const [bx, by] = points[b];
    const dx = bx - ax;
    const dy = by - ay;
    const len2 = dx * dx + dy * dy;
    let worst = -1;
    let index = -1;
    for (let i = a + 1; i < b; i++) {
      const [px, py] = points[i];
      let d2;
      if (len2 === 0) d2 = (px - ax) ** 2 + (py - ay) ** 2;
      else {
        const t = Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / len2));
        d2 = (px - ax - t * dx) ** 2 + (py - ay - t * dy) ** 2;
      }
      if (d2 > worst) {
        worst = d2;
        index = i;
      }
    }
    if (worst > t2) {
      keep[index] = 1;
      stack.push([a, index], [index, b]);
    }
  }
  const out = points.filter((_, i) => keep[i]);
  return out.length >= 4 ? out : points.slice(0, 4);
}

function roundRing(ring, digits) {
  const f = 10 ** digits;
  const out = [];
  for (const [x, y] of ring) {
    const p = [Math.round(x * f) / f, Math.round(y * f) / f];
    const last = out[out.length - 1];
    if (!last || last[0] !== p[0] || last[1] !== p[1]) out.push(p);
  }
  return out;
}

function polygons(geometry) {
  if (!geometry) return [];
  if (geometry.type === 'Polygon') return [geometry.coordinates];
  if (geometry.type === 'MultiPolygon') return geometry.coordinates;
  return [];
}

/** The geometry simplified and rounded; rings too small to see at that tolerance are dropped. */
function simplifyGeometry(geometry, tolerance, digits) {
  const out = [];
  for (const polygon of polygons(geometry)) {
    const rings = [];
    polygon.forEach((ring, i) => {
      const r = roundRing(simplify(ring, tolerance), digits);
      if (r.length >= 4) rings.push(r);
      else if (i === 0) rings.length = 0;
    });
    if (rings.length) out.push(rings);
  }
  if (out.length === 0) return null;
  return out.length === 1 ? { type: 'Polygon', coordinates: out[0] } : { type: 'MultiPolygon', coordinates: out };
}

/** Area and centroid of a ring (planar, in degrees: enough to place a name). */
function ringCentroid(ring) {
  let a = 0;
  let cx = 0;
  let cy = 0;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [x0, y0] = ring[j];
    const [x1, y1] = ring[i];
    const f = x0 * y1 - x1 * y0;
    a += f;
    cx += (x0 + x1) * f;
    cy += (y0 + y1) * f;
  }
  if (a === 0) return { area: 0, point: ring[0] };
  return { area: Math.abs(a / 2), point: [cx / (3 * a), cy / (3 * a)] };
}

/** Where the name goes: the centroid of the largest outer ring. */
function labelPoint(geometry) {
  let best = null;
  for (const polygon of polygons(geometry)) {
    const c = ringCentroid(polygon[0]);
    if (!best || c.area > best.area) best = c;
  }
  return best ? best.point.map((v) => Math.round(v * 10000) / 10000) : null;
}

const population = new Map();
const gazetteerFile = path.join(GAZETTEER, 'communes.json');
if (existsSync(gazetteerFile)) {
  for (const c of JSON.parse(readFileSync(gazetteerFile, 'utf8'))) {
    if (c.type === 'commune-actuelle' && typeof c.population === 'number') population.set(c.code, c.population);
  }
} else {
  console.warn(`geo: ${gazetteerFile} not found; commune names are placed without populations`);
}

mkdirSync(path.join(OUT, 'communes'), { recursive: true });
let bytes = 0;
function write(name, data) {
  const text = JSON.stringify(data);
  writeFileSync(path.join(OUT, name), text);
  bytes += text.length;
}

const deps = JSON.parse(readFileSync(path.join(GEODATA, 'departements.geojson'), 'utf8'));
write('departements.json', {
  type: 'FeatureCollection',
  features: deps.features.map((f) => ({
    type: 'Feature',
    properties: { code: f.properties.code, name: f.properties.nom, label: labelPoint(f.geometry) },
    geometry: simplifyGeometry(f.geometry, 0.01, 3),
  })),
});

const towns = [];
const index = {};
const dir = path.join(GEODATA, 'communes');
for (const file of readdirSync(dir).filter((f) => f.endsWith('.geojson.gz')).sort()) {
  const dep = file.replace('.geojson.gz', '');
  const data = JSON.parse(gunzipSync(readFileSync(path.join(dir, file))).toString('utf8'));
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  const features = [];
  for (const f of data.features) {
    const geometry = simplifyGeometry(f.geometry, 0.0008, 4);
    if (!geometry) continue;
    for (const polygon of polygons(geometry)) {
      for (const [x, y] of polygon[0]) {
        minX = Math.min(minX, x);
        minY = Math.min(minY, y);
        maxX = Math.max(maxX, x);
        maxY = Math.max(maxY, y);
      }
    }
    const code = f.properties.code;
    const name = f.properties.nom;
    const pop = population.get(code) ?? 0;
    const label = labelPoint(geometry);
    features.push({ type: 'Feature', properties: { code, name, pop, label }, geometry });
    if (pop >= TOWN_MIN_POPULATION && label) towns.push({ code, name, pop, label });
  }
  // Biggest first: the map names the big towns before the villages around them.
  features.sort((a, b) => b.properties.pop - a.properties.pop);
  write(`communes/${dep}.json`, { type: 'FeatureCollection', features });
  index[dep] = [minX, minY, maxX, maxY].map((v) => Math.round(v * 1000) / 1000);
}
towns.sort((a, b) => b.pop - a.pop);
write('towns.json', towns);
write('index.json', { communes: index });
console.log(`geo: ${Object.keys(index).length} départements of communes, ${towns.length} towns, ${(bytes / 1e6).toFixed(1)} MB in ${OUT}`);
