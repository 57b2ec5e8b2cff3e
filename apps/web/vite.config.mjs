// The web console's build: `npm run build:web` writes it to dist/web, which the gateway serves
// at `/`. `npx vite --config apps/web/vite.config.mjs` serves it for development, with /api sent
// to a running gateway (GATEWAY_URL, default http://127.0.0.1:8080).
/* global process */
import { resolve } from 'node:path';
import { defineConfig } from 'vite';

const here = import.meta.dirname;

export default defineConfig({
  root: here,
  base: '/',
  publicDir: resolve(here, 'public'),
  // The console imports pure libraries from their sources: the domain (the provisioning state
  // table) and the contracts' CSV writer.
  resolve: {
    alias: {
      '@prov/domain': resolve(here, '..', '..', 'libs', 'domain', 'src', 'index.ts'),
      '@prov/contracts/csv': resolve(here, '..', '..', 'libs', 'contracts', 'src', 'csv', 'index.ts'),
    },
  },
  build: {
    outDir: resolve(here, '..', '..', 'dist', 'web'),
    emptyOutDir: true,
    sourcemap: true,
    target: 'es2022',
    chunkSizeWarningLimit: 600,
  },
  server: {
    proxy: { '/api': { target: process.env.GATEWAY_URL ?? 'http://127.0.0.1:8080' } },
  },
});
