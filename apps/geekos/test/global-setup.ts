import { rmSync } from 'node:fs';
import type { TestProject } from 'vitest/node';
import { buildBundle, buildDir } from './helpers.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The unified image built for this test run (a normal build: no DEBUG_ switch). */
    bundle: string;
  }
}

/**
 * Build the unified image once for all test files, into a temporary directory so a concurrent
 * `turbo build` writing dist/ is never disturbed. The DEBUG_ switches of the test environment
 * are not passed on: the tests need to know what the build contains.
 */
export default async function setup(project: TestProject): Promise<() => void> {
  const dir = buildDir('bundle-');
  project.provide('bundle', await buildBundle(dir));
  return () => rmSync(dir, { recursive: true, force: true });
}
