import { defineConfig, mergeConfig } from 'vitest/config';
import shared from '../../tooling/vitest/package.mjs';

export default mergeConfig(
  shared,
  defineConfig({
    test: {
      // The end-to-end tests run the built bundle: build it once, before any test file.
      globalSetup: ['./test/global-setup.ts'],
      testTimeout: 120_000,
      hookTimeout: 180_000,
    },
  }),
);
