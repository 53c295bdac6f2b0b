import { reverseGeocode } from '../api';
import { h } from '../dom';
import { formatNear, NEAR_DEFAULT_KM, NEAR_RADII, parseNear, type SearchState } from '../searchState';
import { knownTerritory } from '../territories';
import { territoryPicker } from './territoryPicker';

/** Names of the points searched around ("Lyon", "ma position"), by `near` value, for this page load. */
const names = new Map<string, string>();

function pointKey(near: string): string {
  return near.split(',').slice(0, 2).join(',');
}

export function rememberNearName(near: string, name: string): void {
  names.set(pointKey(near), name);
}

/** The name of the point of a `near` value, when known. */
export function nearName(near: string): string | null {
  return names.get(pointKey(near)) ?? null;
}

/** Names the point of a shared link by its commune (reverse geocoding); null when none contains it. */
export async function resolveNearName(near: string): Promise<string | null> {
  const known = nearName(near);
  if (known) return known;
  const point = parseNear(near);
  if (!point) return null;
  try {
    const answer = await reverseGeocode(point.lat, point.lon);
    const name = answer.match?.territory?.name;
    if (typeof name !== 'string' || !name) return null;
    rememberNearName(near, name);
    return name;
  } catch {
    return null;
  }
}

/** "Autour de Lyon (10 km)", "Autour de ma position (25 km)", "Autour du point choisi (5 km)". */
export function nearLabel(near: string): string {
  const point = parseNear(near);
  const name = nearName(near);
  const km = point ? ` (${point.km.toLocaleString('fr-FR')} km)` : '';
  return (name ? `Autour de ${name}` : 'Autour du point choisi') + km;
}

export interface NearSearch {
  element: HTMLElement;
  /** Shows the radius and the point of a search. */
  render(state: SearchState): void;
}

/** Messages for a geolocation failure (GeolocationPositionError codes). */
function geolocationMessage(code: number): string {
  switch (code) {
    case 1:
      return "Vous n'avez pas autorisé l'accès à votre position. Autorisez-le dans les réglages du navigateur, ou choisissez une commune.";
    case 3:
      return "Votre position n'a pas été trouvée à temps. Réessayez, ou choisissez une commune.";
    default:
      return "Votre position n'a pas pu être déterminée. Choisissez une commune.";
  }
}

/**
 * "Autour de moi ou d'une commune": a radius, then either the visitor's position (geolocation) or
 * a commune chosen in the autocomplete. onChange receives the `near` value (`lat,lon,km`) or null.
 */
export function nearSearch(onChange: (near: string | null) => void): NearSearch {
  const radius = h('select', { id: 'near-radius', class: 'near-search__select', name: 'near-radius' });
  radius.append(...NEAR_RADII.map((km) => h('option', { value: km }, `${km} km`)));
  radius.value = String(NEAR_DEFAULT_KM);
  const status = h('p', { class: 'near-search__status', id: 'near-search-status', role: 'status', 'aria-live': 'polite' });
  const meButton = h('button', { type: 'button', class: 'button button--secondary near-search__me', id: 'near-me' }, 'Autour de moi');
  let current: string | null = null;
  let locating = false;

  function km(): number {
    const value = Number(radius.value);
    return (NEAR_RADII as readonly number[]).includes(value) ? value : NEAR_DEFAULT_KM;
  }

  function say(text: string, error = false): void {
    status.textContent = text;
    status.classList.toggle('near-search__status--error', error);
  }

  const picker = territoryPicker(
    (refs) => {
      const ref = refs[refs.length - 1];
      picker.setSelected([]);
      if (!ref) return;
      const territory = knownTerritory(ref);
      const point = territory?.point;
      if (!territory || !point) {
        say("Cette commune n'a pas de point connu : choisissez-en une autre.", true);
        return;
      }
      const near = formatNear(point.lat, point.lon, km());
      rememberNearName(near, territory.name);
      say('');
      onChange(near);
    },
    {
      id: 'near',
      label: "Ou autour d'une commune",
      hint: 'Tapez un nom ou un code postal, puis choisissez dans la liste.',
      level: 'commune',
      chosenMessage: (territory) => `Recherche autour de ${territory.name}`,
    },
  );

  meButton.addEventListener('click', () => {
    if (locating) return;
    if (!window.isSecureContext || !('geolocation' in navigator)) {
      say("La géolocalisation n'est pas disponible dans ce navigateur ou sur cette connexion. Choisissez une commune.", true);
      return;
    }
    locating = true;
    meButton.disabled = true;
    meButton.setAttribute('aria-busy', 'true');
    say('Recherche de votre position…');
    const done = (): void => {
      locating = false;
      meButton.disabled = false;
      meButton.removeAttribute('aria-busy');
    };
    navigator.geolocation.getCurrentPosition(
      (position) => {
        done();
        const near = formatNear(position.coords.latitude, position.coords.longitude, km());
        rememberNearName(near, 'ma position');
        say('');
        onChange(near);
      },
      (error) => {
        done();
        say(geolocationMessage(error.code), true);
        meButton.focus();
      },
      { enableHighAccuracy: false, timeout: 15000, maximumAge: 300000 },
    );
  });

  // A new radius applies at once to the point already chosen.
  radius.addEventListener('change', () => {
    const point = parseNear(current);
    if (point) onChange(formatNear(point.lat, point.lon, km()));
  });

  const details = h(
    'details',
    { class: 'near-search', id: 'near-search' },
    h('summary', { class: 'near-search__summary' }, "Autour de moi ou d'une commune"),
    h(
      'div',
      { class: 'near-search__body' },
      h('p', { class: 'near-search__intro' }, 'Les initiatives situées à une distance choisie de vous ou d’une commune, les plus proches d’abord.'),
      h('div', { class: 'near-search__radius' }, h('label', { for: 'near-radius', class: 'near-search__label' }, 'Rayon'), radius),
      h('div', { class: 'near-search__me-row' }, meButton),
      picker.element,
      status,
    ),
  );
  let rendered = false;

  return {
    element: details,
    render(state: SearchState): void {
      current = state.near;
      const point = parseNear(state.near);
      if (point && (NEAR_RADII as readonly number[]).includes(point.km)) radius.value = String(point.km);
      // Open at first sight of a link that uses it; afterwards the visitor decides.
      if (!rendered && point) details.open = true;
      rendered = true;
    },
  };
}
