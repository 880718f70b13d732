import { defineConfig } from 'tsup';
import { debugDefines } from '../../tooling/debug-flags.mjs';

// Builds the benchmark program (not part of the published package).
export default defineConfig({
  entry: { bench: 'bench/bench.ts' },
  outDir: 'bench/dist',
  format: ['esm'],
  target: 'node20',
  platform: 'node',
  clean: true,
  silent: true,
  define: debugDefines(),
});
