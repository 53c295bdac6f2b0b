import { resolve } from 'node:path';
import { defineConfig } from 'vite';

// The widget partner sites frame (embed.html, src/embed/): a second build into the same dist/, after
// the application's (npm run build), so that its page loads only what it uses — the API layer, the
// map and the list — instead of the application's first-page bundle (vite.config.ts groups all of that
// page's code in one file, which a second entry of the same build would share whole).
export default defineConfig({
  build: {
    outDir: 'dist',
    emptyOutDir: false,
    // Same rules as the application: no data: URIs (img-src 'self'), the same browsers.
    assetsInlineLimit: 0,
    target: 'es2020',
    rolldownOptions: {
      input: { embed: resolve(import.meta.dirname, 'embed.html') },
    },
  },
});
