/// <reference types="vitest/config" />
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));

/** `vite dev` answers on localhost:5173, the origin a reader agent allows by default. */
const service = (port: number, name: string) => ({
  target: `http://127.0.0.1:${port}`,
  changeOrigin: true,
  rewrite: (path: string) => path.slice(`/api/${name}`.length) || '/',
});

export default defineConfig({
  root,
  base: '/',
  plugins: [react()],
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: true, target: 'es2022' },
  server: {
    port: 5173,
    strictPort: true,
    proxy: {
      '/api/issuance': service(8081, 'issuance'),
      '/api/gateway': service(8082, 'gateway'),
      '/api/clearing': service(8083, 'clearing'),
    },
  },
  test: { include: ['src/**/*.test.{ts,tsx}'], environment: 'node' },
});
