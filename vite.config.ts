import { defineConfig } from 'vite'
import react from '@vitejs/plugin-react'

// The app is served on loopback only; the chain, its services and the signaling server are separate processes.
export default defineConfig({
  root: 'app',
  publicDir: '../public',
  plugins: [react()],
  // Each dev server its own dependency cache when asked (e2e runs on several ports at once would
  // otherwise re-optimize one shared cache under each other's pages: "Failed to fetch dynamically
  // imported module" for viem's lazily loaded chunks).
  ...(process.env.VITE_CACHE_DIR ? { cacheDir: process.env.VITE_CACHE_DIR } : {}),
  // VITE_FROZEN=1 (the e2e dev servers): no file watching, no HMR. Several people edit this tree
  // while tests run; a hot update in the middle of a test swaps modules under the page (seen: a
  // channel that opened on the contract stayed "not opened" on the trader's page).
  server: { host: '127.0.0.1', port: Number(process.env.APP_PORT ?? 5173), strictPort: true, ...(process.env.VITE_FROZEN === '1' ? { hmr: false, watch: null } : {}) },
  preview: { host: '127.0.0.1', port: Number(process.env.APP_PORT ?? 5173), strictPort: true },
  // Terser (two compress passes) instead of esbuild's minifier: 14 KiB less gzipped JS (354.2 -> 339.9
  // KiB, app.bundle_gzip_kib's goal is < 350) for about 20 s more per build.
  build: { outDir: '../dist', emptyOutDir: true, target: 'es2022', minify: 'terser', terserOptions: { compress: { passes: 2 } } },
})
