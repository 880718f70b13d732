import type { Options } from 'tsup';
export function libraryConfig(opts?: { entry?: string[] | Record<string, string> }): Options;
