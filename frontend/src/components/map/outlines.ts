// The search's own area drawn on the results map (pane `territories`, over the choropleth and under
// the markers): the outlines of the chosen territories, and the circle of a radius search.

import L from 'leaflet';
import { parseNear } from '../../searchState';
import { territoryContour, territoryDetail } from '../../territories';
import { approximateBounds, circleBounds } from './geometry';

export class TerritoryOutlines {
  readonly group = L.featureGroup();
  /** The outlines' bounds once they are drawn (null: none chosen, or not drawn yet). */
  bounds: L.LatLngBounds | null = null;
  /** Territories chosen whose outlines are still coming: the map waits for them to frame. */
  pending = false;
  /** How many territories are chosen. */
  count = 0;
  private key = '';
  private run = 0;

  /**
   * @param map where the outlines go (its zoom picks how simplified the contours are)
   * @param changed called when the outlines change: at once, then once drawn
   * @param alive false once the map is gone
   */
  constructor(
    private readonly map: L.Map,
    private readonly changed: () => void,
    private readonly alive: () => boolean,
  ) {}

  /** Outlines `refs` (an empty list removes them); the same list again changes nothing. */
  set(refs: readonly string[]): void {
    const key = refs.join(',');
    if (key === this.key) return;
    this.key = key;
    this.count = refs.length;
    const run = ++this.run;
    this.group.clearLayers();
    this.bounds = null;
    this.pending = refs.length > 0;
    this.changed();
    if (refs.length > 0) void this.load(refs, run);
  }

  /** Forgets the outlines on their way. */
  cancel(): void {
    this.run++;
  }

  private async load(refs: readonly string[], run: number): Promise<void> {
    const details = await Promise.all(refs.map((ref) => territoryDetail(ref).catch(() => null)));
    if (run !== this.run || !this.alive()) return;
    // Contours simplified for the zoom they will be seen at.
    let target: L.LatLngBounds | null = null;
    for (const detail of details) {
      const bounds = detail ? approximateBounds(detail) : null;
      if (bounds) target = target ? target.extend(bounds) : bounds;
    }
    const zoom = target && target.isValid() ? Math.floor(this.map.getBoundsZoom(target)) : 8;
    const features = await Promise.all(
      details.map((detail) =>
        detail && detail.has_contour !== false ? territoryContour(detail.ref, zoom).catch(() => null) : Promise.resolve(null),
      ),
    );
    if (run !== this.run || !this.alive()) return;

    let bounds: L.LatLngBounds | null = null;
    details.forEach((detail, index) => {
      const feature = features[index];
      let layer: L.CircleMarker | L.GeoJSON | null = null;
      if (feature && feature.geometry) {
        layer = L.geoJSON(feature, {
          pane: 'territories',
          interactive: false,
          style: () => ({
            className: 'sc-territory',
            color: '#8a2c0d',
            weight: 3,
            fillColor: '#c2410c',
            fillOpacity: 0.06,
          }),
        });
      } else if (detail?.point) {
        // No contour of its own (an arrondissement): a ring around its point.
        layer = L.circleMarker([detail.point.lat, detail.point.lon], {
          pane: 'territories',
          interactive: false,
          className: 'sc-territory sc-territory--point',
          radius: 18,
          color: '#8a2c0d',
          weight: 3,
          fillColor: '#c2410c',
          fillOpacity: 0.06,
        });
      }
      if (!layer) return;
      this.group.addLayer(layer);
      const layerBounds = layer instanceof L.CircleMarker ? L.latLngBounds(layer.getLatLng(), layer.getLatLng()) : layer.getBounds();
      if (layerBounds.isValid()) bounds = bounds ? bounds.extend(layerBounds) : layerBounds;
    });
    this.bounds = bounds;
    this.pending = false;
    this.changed();
  }
}

/** The circle of a radius search (`near`) and its centre. */
export class NearCircle {
  readonly group = L.featureGroup();
  /** The circle's bounds, to frame it (null: no radius search). */
  bounds: L.LatLngBounds | null = null;

  /** Draws the circle of `near` (`lat,lon,km`; none for null). */
  draw(near: string | null): void {
    this.group.clearLayers();
    const point = parseNear(near);
    this.bounds = null;
    if (!point) return;
    const centre = L.latLng(point.lat, point.lon);
    this.group.addLayer(
      L.circle(centre, {
        radius: point.km * 1000,
        pane: 'territories',
        interactive: false,
        className: 'sc-near',
        color: '#8a2c0d',
        weight: 2,
        dashArray: '6 4',
        fillColor: '#c2410c',
        fillOpacity: 0.05,
      }),
    );
    this.group.addLayer(
      L.circleMarker(centre, {
        pane: 'territories',
        interactive: false,
        className: 'sc-near-centre',
        radius: 5,
        color: '#ffffff',
        weight: 2,
        fillColor: '#8a2c0d',
        fillOpacity: 1,
      }),
    );
    this.bounds = circleBounds(point.lat, point.lon, point.km);
  }
}
