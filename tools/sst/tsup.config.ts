import { defineConfig } from 'tsup';
import { debugDefines } from '../../tooling/debug-flags.mjs';

// The runner bundles @v3/x86 from source (relative import), so it needs no workspace link.
export default defineConfig({
  entry: { sst: 'src/sst.ts' },
  format: ['esm'],
  target: 'node20',
  platform: 'node',
  clean: true,
  sourcemap: true,
  define: debugDefines(),
});
