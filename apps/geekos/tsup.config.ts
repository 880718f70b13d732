import { defineConfig } from 'tsup';
import { debugDefines } from '../../tooling/debug-flags.mjs';

// The unified build: one runnable bundle with the host, the VMM, the devices (all bundled from
// their TypeScript sources through the "source" export condition) and the default guest.
// DEBUG_<COMP>=1 in the build environment compiles that component's debug output in.
export default defineConfig({
  entry: { geekos: 'src/main.ts' },
  format: ['esm'],
  platform: 'node',
  target: 'node20',
  outDir: 'dist',
  clean: true,
  sourcemap: true,
  splitting: false,
  treeshake: true,
  dts: false,
  noExternal: [/^@v3\//],
  loader: { '.bin': 'binary' },
  define: debugDefines(),
  banner: { js: '#!/usr/bin/env node' },
  esbuildOptions(o) {
    o.conditions = ['source'];
  },
});
