// The place of an initiative: an address or a commune typed freely and located by our geocoder, a pin
// on a map that can be dragged, and for keyboard users four buttons that move it and the coordinates
// themselves, editable. The commune under the pin is named after each move.
import L from 'leaflet';
import { getTerritoryContour, isAbort, reverseGeocode } from '../../api';
import { geocode, type PlaceFields } from '../../contribApi';
import { h } from '../../dom';
import { createBaseMap, METROPOLE, removeMap } from '../../map';
import type { Field } from '../form';

export interface PlacePicker {
  /** The field for error display: `place`, `place.lon`, `place.lat` land here. */
  field: Field<HTMLInputElement>;
  value(): PlaceFields | null;
  setValue(place: PlaceFields | null): void;
  destroy(): void;
}

const STEP_PX = 12;
const ZOOM_PLACED = 11;
const coordinate = new Intl.NumberFormat('en-US', { maximumFractionDigits: 6, useGrouping: false });

/** A decimal typed with a comma or a point; null when it is not one. */
function parseCoordinate(raw: string): number | null {
  const text = raw.trim().replace(',', '.');
  if (!/^-?[0-9]{1,3}(\.[0-9]+)?$/.test(text)) return null;
  return Number(text);
}

export function placePicker(prefix: string): PlacePicker {
  const ids = { address: `${prefix}-address`, lat: `${prefix}-lat`, lon: `${prefix}-lon`, status: `${prefix}-place-status` };
  const address = h('input', {
    id: ids.address,
    name: 'place',
    type: 'text',
    class: 'field__input',
    autocomplete: 'street-address',
    maxlength: 300,
    'aria-describedby': `${ids.address}-hint ${ids.address}-error`,
  });
  const locate = h('button', { type: 'button', class: 'button button--secondary place__locate' }, "Localiser l'adresse");
  const error = h('p', { class: 'field__error', id: `${ids.address}-error`, 'aria-live': 'polite' });
  const status = h('p', { class: 'place__status', id: ids.status, role: 'status' });
  const lat = h('input', { id: ids.lat, type: 'text', inputmode: 'decimal', class: 'field__input place__coord', autocomplete: 'off', 'aria-describedby': ids.status });
  const lon = h('input', { id: ids.lon, type: 'text', inputmode: 'decimal', class: 'field__input place__coord', autocomplete: 'off', 'aria-describedby': ids.status });
  const mapBox = h('div', { class: 'place__map', id: `${prefix}-place-map` });
  const move = (label: string, dx: number, dy: number, arrow: string): HTMLButtonElement => {
    const button = h('button', { type: 'button', class: 'button button--small button--secondary place__move', 'data-dx': dx, 'data-dy': dy }, h('span', { 'aria-hidden': 'true' }, arrow + ' '), label);
    button.addEventListener('click', () => nudge(dx, dy));
    return button;
  };
  const clear = h('button', { type: 'button', class: 'button button--small button--tertiary place__clear' }, 'Retirer le lieu');
  const moves = h(
    'div',
    { class: 'place__moves', role: 'group', 'aria-label': 'Déplacer le repère' },
    move('Nord', 0, -STEP_PX, '↑'),
    move('Ouest', -STEP_PX, 0, '←'),
    move('Est', STEP_PX, 0, '→'),
    move('Sud', 0, STEP_PX, '↓'),
  );
  const element = h(
    'fieldset',
    { class: 'field form__field place' },
    h('legend', { class: 'field__label' }, 'Lieu (facultatif)'),
    h('label', { class: 'field__label place__sublabel', for: ids.address }, 'Adresse ou commune'),
    h('p', { class: 'field__hint', id: `${ids.address}-hint` }, 'Par exemple « 12 rue de la Paix, 35000 Rennes » ou « Rennes ». Ensuite, déplacez le repère sur la carte pour préciser.'),
    h('div', { class: 'place__search' }, address, locate),
    error,
    status,
    mapBox,
    h('p', { class: 'field__hint place__keyboard-hint' }, 'Au clavier : les boutons ci-dessous déplacent le repère, ou saisissez ses coordonnées.'),
    moves,
    h(
      'div',
      { class: 'place__coords' },
      h('div', { class: 'place__coord-field' }, h('label', { class: 'field__label', for: ids.lat }, 'Latitude'), lat),
      h('div', { class: 'place__coord-field' }, h('label', { class: 'field__label', for: ids.lon }, 'Longitude'), lon),
    ),
    clear,
  );

  let point: L.LatLng | null = null;
  let marker: L.Marker | null = null;
  let map: L.Map | null = null;
  let pending: AbortController | null = null;
  let reverseTimer = 0;
  let outline: L.GeoJSON | null = null;
  let outlined = '';

  /** The commune around the pin, outlined: without tiles the map would show a blank land. */
  function outlineCommune(ref: string): void {
    if (ref === outlined || !map) return;
    outlined = ref;
    getTerritoryContour(ref, ZOOM_PLACED).then(
      (feature) => {
        if (!map || outlined !== ref) return;
        outline?.remove();
        outline = L.geoJSON(feature, { interactive: false, style: () => ({ className: 'sc-territory', color: '#8a2c0d', weight: 2, fillOpacity: 0.04 }) }).addTo(map);
      },
      () => undefined,
    );
  }

  function ensureMap(): L.Map {
    if (!map) {
      map = createBaseMap(mapBox, { label: 'Carte du lieu : le repère peut être déplacé' });
      map.fitBounds(METROPOLE.bounds);
    }
    return map;
  }
  // The map needs its box in the page to measure itself.
  requestAnimationFrame(() => {
    if (!element.isConnected) return;
    const m = ensureMap();
    m.invalidateSize();
    if (point) m.setView(point, Math.max(m.getZoom(), ZOOM_PLACED));
  });

  function showCoordinates(): void {
    lat.value = point ? coordinate.format(point.lat) : '';
    lon.value = point ? coordinate.format(point.lng) : '';
    for (const b of moves.querySelectorAll('button')) b.disabled = !point;
    clear.hidden = !point && !address.value;
  }

  function place(latlng: L.LatLng | null, options: { pan?: boolean; zoom?: number; name?: boolean } = {}): void {
    point = latlng;
    const m = ensureMap();
    if (!latlng) {
      marker?.remove();
      marker = null;
      showCoordinates();
      return;
    }
    if (!marker) {
      marker = L.marker(latlng, {
        draggable: true,
        keyboard: false,
        title: 'Repère du lieu',
        alt: 'Repère du lieu',
        icon: L.divIcon({ className: 'sc-pin', html: '', iconSize: [26, 26], iconAnchor: [13, 26] }),
      }).addTo(m);
      marker.on('dragend', () => {
        place(marker!.getLatLng(), { name: true });
      });
    } else {
      marker.setLatLng(latlng);
    }
    if (options.zoom !== undefined) m.setView(latlng, options.zoom);
    else if (options.pan) m.panTo(latlng);
    showCoordinates();
    if (options.name) nameCommune();
  }

  /** Names the commune under the pin, once the moves stop for a moment. */
  function nameCommune(): void {
    window.clearTimeout(reverseTimer);
    reverseTimer = window.setTimeout(() => {
      if (!point) return;
      const at = point;
      pending?.abort();
      pending = new AbortController();
      reverseGeocode(at.lat, at.lng, pending.signal).then(
        (answer) => {
          if (point !== at) return;
          const t = answer.match?.territory;
          if (t) outlineCommune(t.ref);
          status.textContent = t
            ? `Repère placé à ${t.name}${t.departement ? ` (${t.departement.name})` : ''}.`
            : 'Le repère est hors des communes connues : vérifiez sa position.';
        },
        (err: unknown) => {
          if (!isAbort(err)) status.textContent = 'Repère déplacé.';
        },
      );
    }, 300);
  }

  function nudge(dx: number, dy: number): void {
    if (!point) return;
    const m = ensureMap();
    const zoom = m.getZoom();
    const next = m.unproject(m.project(point, zoom).add([dx, dy]), zoom);
    place(next, { pan: true, name: true });
  }

  function setError(message: string | null): void {
    error.textContent = message ?? '';
    if (message) address.setAttribute('aria-invalid', 'true');
    else address.removeAttribute('aria-invalid');
  }

  function locateTyped(): void {
    const q = address.value.trim();
    setError(null);
    if (!q) {
      setError('Saisissez une adresse ou une commune.');
      address.focus();
      return;
    }
    pending?.abort();
    pending = new AbortController();
    status.textContent = 'Recherche du lieu…';
    locate.disabled = true;
    geocode(q, pending.signal)
      .then(
        (answer) => {
          const t = answer.match?.territory;
          const p = answer.point ?? t?.point ?? null;
          if (!t || !p) {
            status.textContent = '';
            setError('Lieu introuvable : vérifiez la commune ou le code postal, ou placez le repère sur la carte.');
            return;
          }
          place(L.latLng(p.lat, p.lon), { zoom: ZOOM_PLACED });
          outlineCommune(t.ref);
          status.textContent = `Lieu trouvé : ${t.name}${t.departement ? ` (${t.departement.name})` : ''}. Déplacez le repère pour préciser.`;
        },
        (err: unknown) => {
          if (isAbort(err)) return;
          status.textContent = '';
          setError(err instanceof Error ? err.message : 'La recherche du lieu a échoué.');
        },
      )
      .finally(() => {
        locate.disabled = false;
      });
  }

  locate.addEventListener('click', locateTyped);
  address.addEventListener('keydown', (event) => {
    // Enter locates the address instead of sending the whole form.
    if (event.key === 'Enter') {
      event.preventDefault();
      locateTyped();
    }
  });
  address.addEventListener('input', () => {
    clear.hidden = !point && !address.value;
  });
  const typed = (): void => {
    const la = parseCoordinate(lat.value);
    const lo = parseCoordinate(lon.value);
    if (la === null || lo === null || la < -90 || la > 90 || lo < -180 || lo > 180) {
      status.textContent = 'Coordonnées invalides : latitude entre -90 et 90, longitude entre -180 et 180 (par exemple 48.1113 et -1.6800).';
      return;
    }
    place(L.latLng(la, lo), { pan: true, name: true });
  };
  lat.addEventListener('change', typed);
  lon.addEventListener('change', typed);
  clear.addEventListener('click', () => {
    address.value = '';
    place(null);
    status.textContent = 'Lieu retiré.';
    address.focus();
  });
  showCoordinates();

  const field: Field<HTMLInputElement> = { name: 'place', element, control: address, error };

  return {
    field,
    value(): PlaceFields | null {
      if (!point) return null;
      const text = address.value.trim();
      return { address: text || null, lon: Math.round(point.lng * 1e6) / 1e6, lat: Math.round(point.lat * 1e6) / 1e6 };
    },
    setValue(value: PlaceFields | null): void {
      address.value = value?.address ?? '';
      status.textContent = '';
      setError(null);
      if (value && typeof value.lat === 'number' && typeof value.lon === 'number') place(L.latLng(value.lat, value.lon), { zoom: ZOOM_PLACED, name: true });
      else place(null);
    },
    destroy(): void {
      pending?.abort();
      window.clearTimeout(reverseTimer);
      if (map) removeMap(map);
      map = null;
    },
  };
}
