// The dashboard's build: `vite build web` (npm run build:web) writes dist/web/, which the API server serves
// at /ui/ (src/api/dashboard.ts). Everything is bundled: the built pages fetch nothing but the API.
import { defineConfig } from 'vite';

export default defineConfig({
  root: import.meta.dirname,
  base: '/ui/',
  esbuild: { jsx: 'automatic' },
  build: {
    outDir: '../dist/web',
    emptyOutDir: true,
    target: 'es2022',
    chunkSizeWarningLimit: 800,
  },
  logLevel: 'warn',
});
