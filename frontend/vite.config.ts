import { defineConfig } from 'vite';

// During development the API and the contour files come from a running local stack
// (make run serves both on 127.0.0.1:8080); SC_API_URL points elsewhere if needed.
const backend = process.env.SC_API_URL ?? 'http://127.0.0.1:8080';

export default defineConfig({
  server: {
    proxy: {
      '/api': backend,
      '/geo': backend,
    },
  },
  build: {
    outDir: 'dist',
    // No data: URIs, so that a strict Content-Security-Policy (img-src 'self') holds.
    assetsInlineLimit: 0,
    target: 'es2020',
    rolldownOptions: {
      output: {
        codeSplitting: {
          // What the first page needs, in one file: the pages fetched later (main.ts) share it
          // instead of splitting it into many small files that the first page would fetch one by one.
          groups: [{ name: 'app', tags: ['$initial'] }],
        },
      },
    },
  },
});
