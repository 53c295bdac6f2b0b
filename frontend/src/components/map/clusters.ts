// The points mode of the results map: the clusters and single initiatives of the search in the view,
// asked again a moment after the map stops moving, and the result of the list ringed among them.

import L from 'leaflet';
import { getMapClusters, isAbort } from '../../api';
import type { SearchState } from '../../searchState';
import type { InitiativeItem } from '../../types';
import type { MapRequests } from './controls';
import { clamp, viewBbox } from './geometry';
import { applyHighlight, type Drawn } from './interaction';
import { clusterBounds, clusterLayer, singleLayer, type SingleFeature } from './markers';

/** Wait after the map stops moving before asking for its clusters. */
const MOVE_DELAY_MS = 250;

export interface ClusterOptions {
  map: L.Map;
  requests: MapRequests;
  /** The search to show, or null when the points are not wanted (another mode, no search, map gone). */
  search: () => SearchState | null;
  /** The card of a single initiative's marker, built when it opens. */
  card: (marker: L.CircleMarker, single: SingleFeature) => HTMLElement;
  /** The marker of one initiative clicked. */
  onSelect?: (id: number) => void;
}

export class ClusterLayer {
  /** The markers, in their own group: off the map in the other modes. */
  readonly markers = L.featureGroup();
  /** The ring around the result highlighted (pane `highlight`, over the markers). */
  readonly ring = L.featureGroup();
  /** The clusters and single initiatives drawn, to find the one holding a result. */
  private drawn: Drawn[] = [];
  private highlighted: InitiativeItem | null = null;
  private timer = 0;

  constructor(private readonly options: ClusterOptions) {}

  /** Asks for the clusters after `delay` ms, the last call winning. */
  schedule(delay = MOVE_DELAY_MS): void {
    window.clearTimeout(this.timer);
    if (!this.options.search()) return;
    this.timer = window.setTimeout(() => void this.load(), delay);
  }

  cancel(): void {
    window.clearTimeout(this.timer);
  }

  clear(): void {
    this.markers.clearLayers();
    this.drawn = [];
  }

  /** Rings `item` (which has a point) or nothing; the same item again changes nothing. */
  highlight(item: InitiativeItem | null): void {
    if (item === this.highlighted) return;
    this.highlighted = item;
    applyHighlight(this.drawn, this.ring, item);
  }

  private async load(): Promise<void> {
    const { map, requests } = this.options;
    const search = this.options.search();
    if (!search) return;
    const controller = requests.start();
    const bbox = viewBbox(map.getBounds(), search.bbox);
    if (!bbox) {
      this.markers.clearLayers();
      requests.idle();
      return;
    }
    const zoom = clamp(Math.round(map.getZoom()), 0, 20);
    requests.loading();
    try {
      const data = await getMapClusters(search, bbox, zoom, controller.signal);
      if (!requests.isCurrent(controller) || !this.options.search()) return;
      this.draw(Array.isArray(data.features) ? data.features : []);
      requests.idle();
    } catch (err) {
      if (isAbort(err) || !requests.isCurrent(controller)) return;
      requests.failed("Les points de la carte n'ont pas pu être chargés.");
    } finally {
      requests.done(controller);
    }
  }

  private draw(features: GeoJSON.Feature[]): void {
    // The marker whose card is open stays, and its card with it, when the answer still holds it: the
    // map pans to show a card near its edge, and that move asks for the clusters again.
    const open = this.drawn.find((d) => d.id !== null && d.layer.isPopupOpen()) ?? null;
    let kept: Drawn | null = null;
    this.drawn = [];
    for (const feature of features) {
      if (feature.properties?.cluster === true) {
        const layer = clusterLayer(feature, (bounds) => this.zoomTo(bounds));
        if (layer) this.drawn.push({ layer, id: null, bounds: clusterBounds(feature) });
      } else {
        if (open && !kept && open.id === String(feature.properties?.id)) {
          kept = open;
          this.drawn.push(open);
          continue;
        }
        const layer = singleLayer(feature, this.options.card);
        if (!layer) continue;
        const id = String(feature.properties?.id);
        layer.on('click', () => {
          const n = Number(id);
          if (Number.isFinite(n)) this.options.onSelect?.(n);
        });
        this.drawn.push({ layer, id, bounds: null });
      }
    }
    const keep = kept?.layer ?? null;
    this.markers.eachLayer((layer) => {
      if (layer !== keep) this.markers.removeLayer(layer);
    });
    for (const entry of this.drawn) if (entry !== kept) this.markers.addLayer(entry.layer);
    applyHighlight(this.drawn, this.ring, this.highlighted);
  }

  /** Clicking a cluster: its members' bounds, or closer on its point when they share one. */
  private zoomTo(bounds: L.LatLngBounds): void {
    const map = this.options.map;
    const current = map.getZoom();
    const fitted = bounds.getNorthEast().equals(bounds.getSouthWest()) ? current + 2 : map.getBoundsZoom(bounds, false, L.point(48, 48));
    map.setView(bounds.getCenter(), Math.min(Math.max(fitted, current + 1), map.getMaxZoom()));
  }
}
