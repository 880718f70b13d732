// Shared vitest configuration: tests run on TypeScript sources (the "source" export condition)
// with the same debug defines a build would get.
import { defineConfig } from 'vitest/config';
import { debugDefines } from '../debug-flags.mjs';

export default defineConfig({
  define: debugDefines(),
  resolve: { conditions: ['source'] },
  ssr: { resolve: { conditions: ['source'] } },
  test: { include: ['src/**/*.test.ts', 'test/**/*.test.ts'], testTimeout: 60_000 },
});
