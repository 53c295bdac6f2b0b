// The results map's arithmetic, without any state: the view as a search area, and the bounds of a
// radius, a territory, a `minLon,minLat,maxLon,maxLat` box.

import L from 'leaflet';
import type { TerritoryDetail } from '../../types';

/** About a metre: server and list coordinates may be rounded differently. */
const EPSILON = 0.00002;

export function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}

function round(value: number): string {
  return String(Math.round(value * 10000) / 10000);
}

/** The view's bounds clamped to ±180/±90, cut to the search's own area; null when they do not meet. */
export function viewBbox(bounds: L.LatLngBounds, within: string | null): string | null {
  let minLon = clamp(bounds.getWest(), -180, 180);
  let minLat = clamp(bounds.getSouth(), -90, 90);
  let maxLon = clamp(bounds.getEast(), -180, 180);
  let maxLat = clamp(bounds.getNorth(), -90, 90);
  if (within) {
    const [a, b, c, d] = within.split(',').map(Number);
    minLon = Math.max(minLon, a);
    minLat = Math.max(minLat, b);
    maxLon = Math.min(maxLon, c);
    maxLat = Math.min(maxLat, d);
  }
  if (!(minLon < maxLon && minLat < maxLat)) return null;
  return [minLon, minLat, maxLon, maxLat].map(round).join(',');
}

/** `[minLon, minLat, maxLon, maxLat]` (the API's order) as Leaflet bounds. */
export function boxBounds(box: readonly number[]): L.LatLngBounds {
  const [minLon, minLat, maxLon, maxLat] = box;
  return L.latLngBounds([minLat, minLon], [maxLat, maxLon]);
}

/** Whether bounds hold a point, give or take EPSILON. */
export function holds(bounds: L.LatLngBounds, point: L.LatLng): boolean {
  return (
    point.lat >= bounds.getSouth() - EPSILON &&
    point.lat <= bounds.getNorth() + EPSILON &&
    point.lng >= bounds.getWest() - EPSILON &&
    point.lng <= bounds.getEast() + EPSILON
  );
}

/** The bounds of a circle of km around a point (in degrees, close enough for framing). */
export function circleBounds(lat: number, lon: number, km: number): L.LatLngBounds {
  const dLat = km / 111.32;
  const dLon = km / (111.32 * Math.max(0.01, Math.cos((lat * Math.PI) / 180)));
  return L.latLngBounds([lat - dLat, lon - dLon], [lat + dLat, lon + dLon]);
}

/** The bounding box of a territory, or its point; null when it has neither. */
export function approximateBounds(detail: TerritoryDetail): L.LatLngBounds | null {
  const box = detail.bbox;
  if (Array.isArray(box) && box.length === 4 && box.every((n) => typeof n === 'number' && Number.isFinite(n))) {
    return L.latLngBounds([box[1], box[0]], [box[3], box[2]]);
  }
  const point = detail.point;
  if (point && Number.isFinite(point.lat) && Number.isFinite(point.lon)) {
    return L.latLngBounds([point.lat, point.lon], [point.lat, point.lon]);
  }
  return null;
}
