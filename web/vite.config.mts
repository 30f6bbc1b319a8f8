import { resolve } from 'node:path';
import { defineConfig } from 'vite';

/** Two pages, hashed assets under /assets/, no inline script (the gateway's CSP forbids them). */
export default defineConfig({
  root: import.meta.dirname,
  esbuild: { jsx: 'automatic', jsxImportSource: 'preact' },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    rollupOptions: {
      input: { chat: resolve(import.meta.dirname, 'index.html'), admin: resolve(import.meta.dirname, 'admin/index.html') },
    },
  },
  // `npm run dev -w web`: the page against a gateway started by `npm start`.
  server: { proxy: { '/api': { target: 'http://127.0.0.1:8080', ws: true }, '/docs': 'http://127.0.0.1:8080' } },
});
