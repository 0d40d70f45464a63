/// <reference types="vitest/config" />
// Vite builds the window into dist/, which Go embeds (all:frontend/dist).
// dist/.gitkeep is written back after every build so that a fresh checkout,
// and a build that emptied dist/, still leave Go something to embed.
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { defineConfig, type Plugin } from 'vite';

function keepDist(): Plugin {
  let outDir = '';
  return {
    name: 'concordia-keep-dist',
    apply: 'build',
    configResolved(config) {
      outDir = resolve(config.root, config.build.outDir);
    },
    closeBundle() {
      writeFileSync(resolve(outDir, '.gitkeep'), '');
    },
  };
}

export default defineConfig({
  base: './',
  plugins: [keepDist()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    chunkSizeWarningLimit: 600,
  },
  test: {
    environment: 'node',
    include: ['src/**/*.test.ts'],
  },
});
