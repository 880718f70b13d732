/**
 * Wall time in milliseconds from the platform's monotonic clock. `performance` exists in Node
 * and in browsers alike; it is typed here so the VMM needs neither DOM nor Node typings.
 */
const perf = (globalThis as unknown as { performance: { now(): number } }).performance;

export function wallMs(): number {
  return perf.now();
}
