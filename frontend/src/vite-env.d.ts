/// <reference types="vite/client" />

interface ImportMetaEnv {
  /** A raster tile URL template (`https://tile.example.org/{z}/{x}/{y}.png`); unset: our own contours. */
  readonly VITE_TILE_URL?: string;
  /** The credit of those tiles, as plain text. */
  readonly VITE_TILE_ATTRIBUTION?: string;
  /** Where that credit links to (optional). */
  readonly VITE_TILE_ATTRIBUTION_URL?: string;
}

interface ImportMeta {
  readonly env: ImportMetaEnv;
}
