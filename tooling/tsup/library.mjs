// The one tsup configuration every published package uses: ESM + .d.ts, tree-shakeable,
// debug switches from the build environment (tooling/debug-flags.mjs).
import { debugDefines } from '../debug-flags.mjs';

/** @param {{ entry?: string[] | Record<string,string> }} [opts] */
export function libraryConfig(opts = {}) {
  return {
    entry: opts.entry ?? ['src/index.ts'],
    format: ['esm'],
    target: 'es2022',
    platform: 'neutral',
    dts: true,
    sourcemap: true,
    clean: true,
    treeshake: true,
    splitting: false,
    define: debugDefines(),
    // Maps point at the sources instead of embedding them, so compiled-out debug strings stay out of dist/.
    esbuildOptions(options) {
      options.sourcesContent = false;
    },
  };
}
