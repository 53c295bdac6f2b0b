import type { Coded, Territory } from './types';

const numberFormat = new Intl.NumberFormat('fr-FR');
const dateTimeFormat = new Intl.DateTimeFormat('fr-FR', {
  day: 'numeric',
  month: 'long',
  year: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  timeZone: 'Europe/Paris',
});
const relativeFormat = new Intl.RelativeTimeFormat('fr', { numeric: 'auto' });
const dateFormat = new Intl.DateTimeFormat('fr-FR', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'Europe/Paris' });

export function formatNumber(n: number): string {
  return numberFormat.format(n);
}

/** "1 initiative", "12 initiatives", "environ 120 000 initiatives" (an estimate), "plus de 10 000 initiatives". */
export function formatCount(total: number, exact: boolean, estimate = false): string {
  const noun = total > 1 ? 'initiatives' : 'initiative';
  if (estimate) return `environ ${formatNumber(total)} ${noun}`;
  return exact ? `${formatNumber(total)} ${noun}` : `plus de ${formatNumber(total)} ${noun}`;
}

/** "800 m", "12,5 km", "120 km". */
export function formatDistance(metres: number): string {
  if (metres < 1000) return `${formatNumber(Math.round(metres / 10) * 10)} m`;
  const km = metres / 1000;
  return `${new Intl.NumberFormat('fr-FR', { maximumFractionDigits: km < 10 ? 1 : 0 }).format(km)} km`;
}

/** "1 mars 2024"; the raw text when it is not a date. */
export function formatDate(iso: string | null | undefined): string | null {
  if (!iso) return null;
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : dateFormat.format(date);
}

/** "Commune (Département)", or the most precise level known. */
export function formatPlace(territory: Territory | null | undefined): string | null {
  if (!territory) return null;
  const { commune, departement, region } = territory;
  if (commune && departement) return `${commune.name} (${departement.name})`;
  if (commune) return commune.name;
  if (departement) return departement.name;
  return region ? region.name : null;
}

export function joinLabels(items: Coded[]): string {
  return items.map((item) => item.label).join(', ');
}

/** "1 juillet 2025 à 04:04"; null when it is not a date. */
export function formatDateTime(iso: string | null | undefined): string | null {
  if (!iso) return null;
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? null : dateTimeFormat.format(date);
}

const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ['year', 365 * 24 * 3600],
  ['month', 30 * 24 * 3600],
  ['day', 24 * 3600],
  ['hour', 3600],
  ['minute', 60],
];

/** "il y a 3 heures", "hier", "dans 2 jours", "à l'instant"; null when it is not a date. */
export function formatRelative(iso: string | null | undefined, now: number = Date.now()): string | null {
  if (!iso) return null;
  const time = new Date(iso).getTime();
  if (Number.isNaN(time)) return null;
  const seconds = (time - now) / 1000;
  if (Math.abs(seconds) < 60) return "à l'instant";
  for (const [unit, size] of UNITS) {
    if (Math.abs(seconds) >= size) return relativeFormat.format(Math.round(seconds / size), unit);
  }
  return "à l'instant";
}
