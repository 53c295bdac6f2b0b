// The options of the embeddable widget (`/embed?…`), shared by the widget itself (embed/main.ts) and
// by its configurator (views/widget.ts): the search is the search page's own query string
// (searchState.ts); the widget's presentation rides beside it in a few more parameters.

import { parseSearchState, stateUrl, type SearchState } from '../searchState';

export const EMBED_PATH = '/embed';

export type EmbedLayout = 'carte-liste' | 'carte' | 'liste';

export const LAYOUTS: { value: EmbedLayout; label: string }[] = [
  { value: 'carte-liste', label: 'Carte et liste' },
  { value: 'carte', label: 'Carte seule' },
  { value: 'liste', label: 'Liste seule' },
];

/**
 * The accent colours a partner may choose: each at least 4.5:1 against white (contrast ratios
 * computed from the WCAG relative luminance), so that links and buttons drawn in it, and white text
 * on it, stay readable.
 */
export const ACCENTS: { value: string; label: string; hex: string; contrast: number }[] = [
  { value: 'vert', label: 'Vert (SocialConnect)', hex: '#0b5d5a', contrast: 7.7 },
  { value: 'bleu', label: 'Bleu', hex: '#1d4ed8', contrast: 6.7 },
  { value: 'violet', label: 'Violet', hex: '#6d28d9', contrast: 7.1 },
  { value: 'rouge', label: 'Rouge', hex: '#b3261e', contrast: 6.5 },
  { value: 'ardoise', label: 'Ardoise', hex: '#334155', contrast: 10.3 },
];

export const HEIGHT_MIN = 200;
export const HEIGHT_MAX = 900;
export const HEIGHT_DEFAULT = 360;
export const COUNT_MIN = 1;
export const COUNT_MAX = 20;
export const COUNT_DEFAULT = 8;
export const TITLE_MAX = 80;
export const DEFAULT_TITLE = 'Initiatives sociales';

export interface EmbedOptions {
  layout: EmbedLayout;
  /** The map's height, in CSS pixels. */
  height: number;
  /** One of ACCENTS' values. */
  color: string;
  /** How many initiatives the list shows (and the API is asked for). */
  count: number;
  /** The heading of the widget; empty: DEFAULT_TITLE. */
  title: string;
}

export function defaultOptions(): EmbedOptions {
  return { layout: 'carte-liste', height: HEIGHT_DEFAULT, color: ACCENTS[0].value, count: COUNT_DEFAULT, title: '' };
}

/** An integer within [min, max] from a URL parameter; anything else is the default. */
function boundedInt(raw: string | null, min: number, max: number, fallback: number): number {
  if (!raw || !/^\d{1,4}$/.test(raw.trim())) return fallback;
  const n = Number(raw.trim());
  return Math.min(max, Math.max(min, n));
}

/** A title from the address: control characters removed, spaces collapsed, at most TITLE_MAX characters. */
export function cleanTitle(raw: string | null | undefined): string {
  // eslint-disable-next-line no-control-regex
  const text = (raw ?? '').replace(/[\u0000-\u001f\u007f]/g, ' ').replace(/\s+/g, ' ').trim();
  return Array.from(text).slice(0, TITLE_MAX).join('').trim();
}

export function parseEmbedOptions(search: string): EmbedOptions {
  const params = new URLSearchParams(search);
  const layout = LAYOUTS.find((l) => l.value === params.get('layout'))?.value ?? 'carte-liste';
  const color = ACCENTS.find((a) => a.value === params.get('color'))?.value ?? ACCENTS[0].value;
  return {
    layout,
    height: boundedInt(params.get('height'), HEIGHT_MIN, HEIGHT_MAX, HEIGHT_DEFAULT),
    color,
    count: boundedInt(params.get('limit'), COUNT_MIN, COUNT_MAX, COUNT_DEFAULT),
    title: cleanTitle(params.get('title')),
  };
}

export function parseEmbed(search: string): { state: SearchState; options: EmbedOptions } {
  return { state: parseSearchState(search), options: parseEmbedOptions(search) };
}

export function accentHex(color: string): string {
  return (ACCENTS.find((a) => a.value === color) ?? ACCENTS[0]).hex;
}

/** `/embed?theme=ENV&territory=region:84&layout=liste&limit=5…`: the search first, then the options. */
export function embedPath(state: SearchState, options: EmbedOptions): string {
  const search = stateUrl(state).slice(2);
  const parts = search ? [search] : [];
  const extra = new URLSearchParams();
  extra.set('layout', options.layout);
  extra.set('height', String(options.height));
  extra.set('color', options.color);
  extra.set('limit', String(options.count));
  const title = cleanTitle(options.title);
  if (title) extra.set('title', title);
  parts.push(extra.toString());
  return `${EMBED_PATH}?${parts.join('&')}`;
}

/**
 * The height to give a frame without the auto-sizing script: the heading and the footer, the map
 * when shown, and room for the list (about 5.5 rem a result, the list scrolling within the frame when
 * longer). The script replaces it with the real height.
 */
export function frameHeight(options: EmbedOptions): number {
  const chrome = 130;
  const list = Math.min(options.count, 6) * 88;
  if (options.layout === 'carte') return options.height + chrome;
  if (options.layout === 'liste') return list + chrome;
  return options.height + list + chrome;
}

function attr(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** The accessible name of the frame (the iframe's title attribute). */
export function frameTitle(options: EmbedOptions): string {
  return `${cleanTitle(options.title) || DEFAULT_TITLE} — SocialConnect`;
}

/** The plain `<iframe>` for sites that cannot add a script: a fixed height. */
export function iframeSnippet(origin: string, state: SearchState, options: EmbedOptions): string {
  const src = origin + embedPath(state, options);
  return (
    `<iframe src="${attr(src)}" title="${attr(frameTitle(options))}" width="100%" height="${frameHeight(options)}" ` +
    `style="border:0;max-width:100%" loading="lazy"></iframe>`
  );
}

/** The element and the script (public/embed.js) that makes the frame and sizes it to its content. */
export function scriptSnippet(origin: string, state: SearchState, options: EmbedOptions): string {
  return (
    `<div data-socialconnect-embed="${attr(embedPath(state, options))}"></div>\n` +
    `<script src="${attr(origin + '/embed.js')}" async></script>`
  );
}

/** The message the widget sends its parent page with its height (read by public/embed.js). */
export const HEIGHT_MESSAGE = 'socialconnect:embed-height';
