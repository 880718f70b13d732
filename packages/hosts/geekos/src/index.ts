/**
 * os_hooks for a GeekOS-style host kernel: one CPU, cooperative kernel threads, a page allocator
 * over one pool of host memory, a kernel heap, a console, a keyboard and a timer. Boot one with
 * {@link createGeekosHost} and hand its `hooks` and `streams` to `v3_init`.
 * @packageDocumentation
 */
export { createGeekosHost, DEFAULT_CPU_KHZ } from './host.js';
export type { GeekosHost, GeekosHostOptions } from './host.js';
export { PageAllocator, PAGE_SIZE } from './page-allocator.js';
export type { PageAllocatorStats } from './page-allocator.js';
export { KernelHeap } from './heap.js';
export { Scheduler, BOOT_CONTEXT } from './scheduler.js';
export type { GeekosThread, GeekosThreadState } from './scheduler.js';
export { Mutexes } from './mutex.js';
export { StreamTable } from './streams.js';
export type { GeekosStreamSink } from './streams.js';
export { HOST } from './errors.js';
