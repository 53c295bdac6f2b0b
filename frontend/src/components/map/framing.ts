// Where the results map looks: the chosen territories, else the search's area or radius, else where
// the matches lie (from the search's answer, or from the results of the list), else metropolitan
// France; and the zones of the toolbar.

import L from 'leaflet';
import { METROPOLE, zoneOf, ZONES, type Zone } from '../../map';
import type { SearchExtent } from '../../types';
import { boxBounds } from './geometry';

/** Zoom on the point of a territory without contour (an arrondissement). */
const POINT_ZOOM = 12;

/** Runs a move of the map made by the page, not by the visitor. */
export type Fit = (move: () => void) => void;

/** What the map frames, in order of preference. */
export interface FrameTarget {
  /** Chosen territories whose outlines are still coming: nothing moves yet. */
  territoryPending: boolean;
  territoryBounds: L.LatLngBounds | null;
  /** The search's map area, `minLon,minLat,maxLon,maxLat`. */
  bbox: string | null;
  nearBounds: L.LatLngBounds | null;
  /** Where all the matches lie (from the search's answer); null: unknown. */
  extent: SearchExtent | null;
  /** The points of the results in the list, when the extent is unknown. */
  points: L.LatLng[];
}

/**
 * With chosen territories, fits their outlines (not before they are loaded); with a map area, that
 * area; with a radius, its circle; otherwise the metropolitan matches (all of metropolitan France when
 * they are spread out), else the first overseas zone with matches, else metropolitan France.
 */
export function frameSearch(map: L.Map, fit: Fit, target: FrameTarget): void {
  if (target.territoryPending) return;
  if (target.territoryBounds) {
    fitTerritories(map, fit, target.territoryBounds, false);
    return;
  }
  const area = target.bbox;
  if (area) {
    const [minLon, minLat, maxLon, maxLat] = area.split(',').map(Number);
    fit(() => map.fitBounds([[minLat, minLon], [maxLat, maxLon]], { animate: false }));
    return;
  }
  if (target.nearBounds) {
    const bounds = target.nearBounds;
    fit(() => map.fitBounds(bounds, { padding: [16, 16], animate: false }));
    return;
  }
  // The whole search: metropolitan France's matches when there are some, else the largest zone's.
  const zones = target.extent?.zones ?? [];
  if (zones.length > 0) {
    const zone = zones.find((z) => z.zone === 'metropole') ?? zones[0]!;
    const bounds = boxBounds(zone.bbox);
    if (bounds.getNorthEast().equals(bounds.getSouthWest())) {
      fit(() => map.setView(bounds.getCenter(), 11, { animate: false }));
    } else {
      fit(() => map.fitBounds(bounds, { padding: [24, 24], maxZoom: 11, animate: false }));
    }
    return;
  }
  if (target.extent) {
    fit(() => map.fitBounds(METROPOLE.bounds, { animate: false }));
    return;
  }
  const counts = countByZone(target.points);
  const metro = boundsIn(target.points, METROPOLE);
  if (metro) {
    // Results spread over the country: the whole of it, where the clusters of the search lie.
    const wide = metro.getEast() - metro.getWest() > 5 || metro.getNorth() - metro.getSouth() > 4;
    fit(() => map.fitBounds(wide ? METROPOLE.bounds : metro.pad(0.15), { maxZoom: 10, animate: false }));
    return;
  }
  const overseas = ZONES.find((zone) => zone !== METROPOLE && (counts.get(zone.id) ?? 0) > 0);
  fit(() => map.fitBounds(overseas ? overseas.bounds : METROPOLE.bounds, { animate: false }));
}

/** The outlines of the chosen territories; a ring (one point) at POINT_ZOOM. */
export function fitTerritories(map: L.Map, fit: Fit, bounds: L.LatLngBounds, animate: boolean): void {
  fit(() => {
    if (bounds.getNorthEast().equals(bounds.getSouthWest())) {
      map.setView(bounds.getCenter(), POINT_ZOOM, { animate });
    } else {
      map.fitBounds(bounds, { padding: [32, 32], maxZoom: POINT_ZOOM, animate });
    }
  });
}

/** A zone of the toolbar: its matches when the server located them (extent), else the whole zone. */
export function fitZone(map: L.Map, zone: Zone, extent: SearchExtent | null): void {
  const mine = extent?.zones.find((z) => z.zone === zone.id);
  if (!mine) {
    map.fitBounds(zone.bounds);
    return;
  }
  map.fitBounds(boxBounds(mine.bbox).pad(0.1), { maxZoom: 11 });
}

/** How many of the points lie in each zone (by zone id). */
export function countByZone(points: readonly L.LatLng[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const latlng of points) {
    const zone = zoneOf(latlng);
    if (zone) counts.set(zone.id, (counts.get(zone.id) ?? 0) + 1);
  }
  return counts;
}

function boundsIn(points: readonly L.LatLng[], zone: Zone): L.LatLngBounds | null {
  let bounds: L.LatLngBounds | null = null;
  for (const latlng of points) {
    if (zoneOf(latlng) !== zone) continue;
    bounds = bounds ? bounds.extend(latlng) : L.latLngBounds(latlng, latlng);
  }
  return bounds;
}
