import L from 'leaflet';
import { getStaticJson } from './api';
import { h } from './dom';

/**
 * The map's background without a tile server: département outlines (always), their names at the
 * regional zooms, the towns' names as one zooms in (biggest first, never overlapping), then each
 * commune's outline and name at the zooms of a town. The files are generated from the shared
 * reference data at build time (frontend/scripts/geo.mjs) and served under /geo/.
 */

type Box = [number, number, number, number];

interface Place {
  name: string;
  pop: number;
  label: [number, number] | null;
}

interface Index {
  communes: Record<string, Box>;
}

const DEPARTEMENTS_URL = '/geo/departements.json';
const REGIONS_URL = '/geo/regions.geojson';

/** Names of départements between these zooms. */
const DEP_NAMES_MIN = 6.5;
const DEP_NAMES_MAX = 9.5;
/** From this zoom the towns of the national list are named, the biggest first. */
const TOWNS_MIN = 7.5;
/** From this zoom each commune of the départements in view: its outline and its name. */
const COMMUNES_MIN = 9.5;
/** At most this many names at once, and this many départements of communes loaded for one view. */
const MAX_LABELS = 140;
const MAX_DEPS = 8;

const cache = new Map<string, Promise<unknown>>();

/** A JSON file of /geo/, fetched once per page load; null when it cannot be had (tried again later). */
function loadJson<T>(url: string): Promise<T | null> {
  let promise = cache.get(url) as Promise<T | null> | undefined;
  if (!promise) {
    promise = getStaticJson<T>(url).then((data) => {
      if (data === null) cache.delete(url);
      return data;
    });
    cache.set(url, promise);
  }
  return promise;
}

/** The smallest population named at a zoom: the map fills in as one comes closer. */
function minPopulation(zoom: number): number {
  if (zoom < 8) return 100000;
  if (zoom < 8.75) return 40000;
  if (zoom < COMMUNES_MIN) return 20000;
  if (zoom < 10.5) return 3000;
  if (zoom < 11.5) return 800;
  return 0;
}

function intersects(a: Box, b: L.LatLngBounds): boolean {
  return a[0] <= b.getEast() && a[2] >= b.getWest() && a[1] <= b.getNorth() && a[3] >= b.getSouth();
}

const boxes = new WeakMap<GeoJSON.Feature, Box>();

/** The box of a commune's outline, computed once. */
function boxOf(feature: GeoJSON.Feature): Box {
  let box = boxes.get(feature);
  if (!box) {
    box = [Infinity, Infinity, -Infinity, -Infinity];
    for (const polygon of polygonsOf(feature.geometry)) {
      for (const [x, y] of polygon[0] ?? []) {
        box = [Math.min(box[0], x), Math.min(box[1], y), Math.max(box[2], x), Math.max(box[3], y)];
      }
    }
    boxes.set(feature, box);
  }
  return box;
}

function polygonsOf(geometry: GeoJSON.Geometry | null): GeoJSON.Position[][][] {
  if (!geometry) return [];
  if (geometry.type === 'Polygon') return [geometry.coordinates];
  if (geometry.type === 'MultiPolygon') return geometry.coordinates;
  return [];
}

/** Whether a point [lon, lat] lies inside the outline (even-odd rule over every ring). */
function inside(geometry: GeoJSON.Geometry | null, [x, y]: [number, number]): boolean {
  let odd = false;
  for (const polygon of polygonsOf(geometry)) {
    for (const ring of polygon) {
      for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
        const [xi, yi] = ring[i] as [number, number];
        const [xj, yj] = ring[j] as [number, number];
        if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) odd = !odd;
      }
    }
  }
  return odd;
}

export function drawOfflineBackground(map: L.Map, removed: () => boolean): void {
  const labelPane = map.createPane('place-labels');
  labelPane.style.zIndex = '390';
  labelPane.style.pointerEvents = 'none';
  const communePane = map.createPane('commune-outlines');
  communePane.style.zIndex = '352';
  communePane.style.pointerEvents = 'none';

  const labels = L.layerGroup().addTo(map);
  const communeOutlines = L.layerGroup().addTo(map);
  const outlined = new Map<string, L.GeoJSON>();
  let departements: GeoJSON.FeatureCollection | null = null;
  let towns: (Place & { code: string })[] = [];
  let index: Index | null = null;
  const communes = new Map<string, GeoJSON.FeatureCollection>();
  let frame = 0;

  void loadJson<GeoJSON.FeatureCollection>(DEPARTEMENTS_URL).then(async (data) => {
    if (removed()) return;
    // Without the generated files (a build without the reference data): the régions, as before.
    const outline = data ?? (await loadJson<GeoJSON.FeatureCollection>(REGIONS_URL));
    if (!outline || removed()) return;
    departements = data;
    L.geoJSON(outline, {
      pane: 'contours',
      interactive: false,
      style: () => ({ className: data ? 'sc-region sc-departement' : 'sc-region', color: '#8f9eab', weight: 1, fillColor: '#fbfaf6', fillOpacity: 1 }),
    }).addTo(map);
    schedule();
  });
  void loadJson<(Place & { code: string })[]>('/geo/towns.json').then((data) => {
    towns = Array.isArray(data) ? data : [];
    schedule();
  });
  void loadJson<Index>('/geo/index.json').then((data) => {
    index = data;
    schedule();
  });

  function schedule(): void {
    if (removed() || frame) return;
    frame = window.requestAnimationFrame(() => {
      frame = 0;
      if (!removed()) render();
    });
  }
  map.on('zoomend moveend resize', schedule);

  function loadCommunes(view: L.LatLngBounds): void {
    if (!index) return;
    const wanted = Object.entries(index.communes)
      .filter(([, box]) => intersects(box, view))
      .slice(0, MAX_DEPS);
    for (const [dep] of wanted) {
      if (communes.has(dep)) continue;
      void loadJson<GeoJSON.FeatureCollection>(`/geo/communes/${encodeURIComponent(dep)}.json`).then((data) => {
        if (!data || removed() || communes.has(dep)) return;
        communes.set(dep, data);
        schedule();
      });
    }
  }

  function render(): void {
    const zoom = map.getZoom();
    const view = map.getBounds().pad(0.1);
    const size = map.getSize();
    const placed: { x0: number; y0: number; x1: number; y1: number }[] = [];
    const markers: L.Marker[] = [];

    // Commune outlines at the zooms of a town only: everywhere else they would be a grey mesh.
    const showCommunes = zoom >= COMMUNES_MIN;
    if (showCommunes) loadCommunes(view);
    for (const [dep, data] of communes) {
      const visible = showCommunes && index && intersects(index.communes[dep] ?? [0, 0, 0, 0], view);
      const layer = outlined.get(dep);
      if (visible && !layer) {
        const created = L.geoJSON(data, {
          pane: 'commune-outlines',
          interactive: false,
          style: () => ({ className: 'sc-commune', color: '#c3ccd5', weight: 0.8, fill: false }),
        });
        outlined.set(dep, created);
        communeOutlines.addLayer(created);
      } else if (!visible && layer) {
        communeOutlines.removeLayer(layer);
        outlined.delete(dep);
      }
    }

    /** Places a name unless it would cover another one already placed. */
    const place = (name: string, latlng: L.LatLngExpression, kind: string, rank: number): void => {
      if (markers.length >= MAX_LABELS) return;
      const p = map.latLngToContainerPoint(latlng);
      const big = kind === 'departement' || rank >= 100000;
      const w = name.length * (big ? 7.5 : 6.5) + 8;
      const hgt = big ? 18 : 15;
      const box = { x0: p.x - w / 2, y0: p.y - hgt / 2, x1: p.x + w / 2, y1: p.y + hgt / 2 };
      if (box.x1 < 0 || box.y1 < 0 || box.x0 > size.x || box.y0 > size.y) return;
      if (placed.some((b) => b.x0 < box.x1 && b.x1 > box.x0 && b.y0 < box.y1 && b.y1 > box.y0)) return;
      placed.push(box);
      const marker = L.marker(latlng, {
        pane: 'place-labels',
        interactive: false,
        keyboard: false,
        icon: L.divIcon({
          className: `sc-place sc-place--${kind}${big && kind !== 'departement' ? ' sc-place--big' : ''}`,
          html: h('span', { class: 'sc-place__name' }, name),
          iconSize: [w, hgt],
        }),
      });
      // The names are the background's: the results are what a screen reader is told about.
      marker.on('add', () => marker.getElement()?.setAttribute('aria-hidden', 'true'));
      markers.push(marker);
    };

    const minPop = minPopulation(zoom);
    if (zoom >= TOWNS_MIN) {
      if (showCommunes) {
        const candidates: { place: Place; at: [number, number] }[] = [];
        const inner = map.getBounds();
        for (const [dep, data] of communes) {
          if (index && !intersects(index.communes[dep] ?? [0, 0, 0, 0], view)) continue;
          for (const f of data.features) {
            const props = f.properties as Place;
            if (!props.label || props.pop < minPop) continue;
            const [lon, lat] = props.label;
            if (inner.contains([lat, lon])) {
              candidates.push({ place: props, at: [lat, lon] });
              continue;
            }
            // Close in, a big commune's own point may be off the screen while the screen is inside
            // it: its name then goes in the middle of the part that is shown, when that is in it.
            const box = boxOf(f);
            const x0 = Math.max(box[0], inner.getWest());
            const y0 = Math.max(box[1], inner.getSouth());
            const x1 = Math.min(box[2], inner.getEast());
            const y1 = Math.min(box[3], inner.getNorth());
            if (x0 >= x1 || y0 >= y1) continue;
            const mid: [number, number] = [(x0 + x1) / 2, (y0 + y1) / 2];
            if (inside(f.geometry, mid)) candidates.push({ place: props, at: [mid[1], mid[0]] });
          }
        }
        candidates.sort((a, b) => b.place.pop - a.place.pop);
        for (const c of candidates) place(c.place.name, c.at, 'commune', c.place.pop);
      } else {
        for (const town of towns) {
          if (town.pop < minPop || !town.label) continue;
          const [lon, lat] = town.label;
          if (view.contains([lat, lon])) place(town.name, [lat, lon], 'commune', town.pop);
        }
      }
    }
    if (departements && zoom >= DEP_NAMES_MIN && zoom < DEP_NAMES_MAX) {
      for (const f of departements.features) {
        const props = f.properties as { name?: string; label?: [number, number] | null };
        if (!props.name || !props.label) continue;
        const [lon, lat] = props.label;
        if (view.contains([lat, lon])) place(props.name, [lat, lon], 'departement', 0);
      }
    }
    labels.clearLayers();
    for (const marker of markers) labels.addLayer(marker);
  }
}
