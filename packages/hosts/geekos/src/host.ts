import type { V3OsHooks, V3Thread, V3ThreadFn, V3VmInfo } from '@v3/vmm';
import { hostFail } from './errors.js';
import { KernelHeap } from './heap.js';
import { Mutexes } from './mutex.js';
import { PAGE_SIZE, PageAllocator, type PageAllocatorStats } from './page-allocator.js';
import { Scheduler, type GeekosThread } from './scheduler.js';
import { StreamTable, type GeekosStreamSink } from './streams.js';

/** The clock rate `get_cpu_khz` reports unless told otherwise: a nominal 1 GHz. */
export const DEFAULT_CPU_KHZ = 1_000_000;

/** How the GeekOS host is built: the machine it pretends to be. */
export interface GeekosHostOptions {
  /** Bytes of host memory for the page pool (guest RAM comes from here). Whole pages. */
  memoryBytes: number;
  /** Host-physical address of the pool (default 1 MiB). */
  memoryBase?: number;
  /** Limit of the kernel heap behind malloc, in bytes (default 64 MiB). */
  heapBytes?: number;
  /** The console: where `print` goes (the VMM's messages, debug output, the guest's debug console). */
  console: { write(text: string): void };
  /** What `get_cpu_khz` reports (default {@link DEFAULT_CPU_KHZ}). */
  cpuKhz?: number;
  /** The host's streams by name (`com1` to stdout, to a file...). More can be attached later. */
  streams?: Record<string, GeekosStreamSink>;
  /** The stream keyboard input goes to (default `com1`): GeekOS' console is the guest's serial line. */
  keyboardStream?: string;
  /** Called when a kernel thread dies of an exception; by default the host prints it. */
  onThreadError?(thread: GeekosThread, error: unknown): void;
}

/** A GeekOS host kernel: the os_hooks it gives the VMM and the devices of the machine. */
export interface GeekosHost {
  /** The `struct v3_os_hooks` to pass to `v3_init`. */
  readonly hooks: V3OsHooks;
  /** The stream hooks to pass to `v3_init` (`opts.streams`); attach sinks by name. */
  readonly streams: StreamTable;
  /** The keyboard: bytes typed go to the keyboard stream's device. */
  readonly keyboard: { press(bytes: Uint8Array): void };
  /** The timer: wall-clock microseconds since the host booted, and scheduler ticks. */
  readonly timer: { nowUsec(): number; readonly ticks: number };
  /** The scheduler (threads, run queue). */
  readonly scheduler: Scheduler;
  /** Memory and heap occupancy, mutexes and threads alive: a leak check after `v3_free_vm`. */
  stats(): { pages: PageAllocatorStats; heap: ReturnType<KernelHeap['stats']>; mutexes: number; threads: number };
  /** Stop the host: cancel timers so the process can end. Threads never resume after this. */
  dispose(): void;
}

function oneCpu(hook: string, cpu: number): void {
  if (cpu !== 0) hostFail(`${hook}: CPU ${cpu} does not exist; the GeekOS host has one CPU (0)`);
}

/**
 * Boot a GeekOS host: one CPU, cooperative kernel threads, a page allocator over a pool of
 * host memory, a kernel heap, a console, a keyboard and a timer. The returned `hooks` are the
 * `struct v3_os_hooks` of this kernel. `hook_interrupt`/`ack_irq` are absent: this host has no
 * hardware IRQs to pass through, and the VMM says so if a configuration needs them.
 */
export function createGeekosHost(opts: GeekosHostOptions): GeekosHost {
  const pages = new PageAllocator(Math.ceil(opts.memoryBytes / PAGE_SIZE) * PAGE_SIZE, opts.memoryBase);
  const heap = new KernelHeap(opts.heapBytes ?? 64 * 1024 * 1024);
  const scheduler = new Scheduler();
  const mutexes = new Mutexes(scheduler);
  const streams = new StreamTable(opts.streams);
  const keyboardStream = opts.keyboardStream ?? 'com1';
  const cpuKhz = opts.cpuKhz ?? DEFAULT_CPU_KHZ;
  const t0 = performance.now();
  scheduler.onThreadError =
    opts.onThreadError ??
    ((thread, error) => opts.console.write(`geekos: kernel thread ${thread.id} '${thread.name}' died: ${error instanceof Error ? error.message : String(error)}\n`));

  const hooks: V3OsHooks = {
    print: (message) => opts.console.write(message),

    allocate_pages: (numPages, alignment) => pages.allocate(numPages, alignment),
    free_pages: (paddr, numPages) => pages.release(paddr, numPages),

    malloc: (size) => heap.malloc(size),
    free: (block) => heap.free(block),

    // GeekOS maps physical memory one to one into the kernel's address space.
    paddr_to_vaddr: (paddr) => paddr,
    vaddr_to_paddr: (vaddr) => vaddr,

    get_cpu_khz: () => cpuKhz,

    yield_cpu: () => scheduler.yield(),
    sleep_cpu: (usec) => scheduler.sleep(usec),
    wakeup_cpu: (cpu) => {
      oneCpu('wakeup_cpu', cpu);
      scheduler.wakeup();
    },

    mutex_alloc: () => mutexes.alloc(),
    mutex_free: (m) => mutexes.free(m),
    mutex_lock: (m) => mutexes.lock(m),
    mutex_unlock: (m) => mutexes.unlock(m),

    get_cpu: () => 0,

    start_kernel_thread: (fn: V3ThreadFn, arg, name) => {
      const thread = scheduler.create(fn, arg, name);
      scheduler.start(thread);
      return thread;
    },
    // The only CPU is the caller's, so the target core is not in the guest now; what an IPI
    // would achieve (the core noticing work) is a wakeup.
    interrupt_cpu: (_vm: V3VmInfo, cpu) => {
      oneCpu('interrupt_cpu', cpu);
      scheduler.wakeup();
    },
    call_on_cpu: (cpu, fn, arg) => {
      oneCpu('call_on_cpu', cpu);
      fn(arg);
    },
    create_thread_on_cpu: (cpu, fn, arg, name) => {
      oneCpu('create_thread_on_cpu', cpu);
      return scheduler.create(fn, arg, name);
    },
    start_thread: (thread: V3Thread) => scheduler.start(scheduler.own(thread, 'start_thread')),
    move_thread_to_cpu: (cpu, thread) => {
      scheduler.own(thread, 'move_thread_to_cpu');
      oneCpu('move_thread_to_cpu', cpu);
      return 0;
    },
  };

  return {
    hooks,
    streams,
    keyboard: { press: (bytes) => streams.input(keyboardStream, bytes) },
    timer: {
      nowUsec: () => Math.round((performance.now() - t0) * 1000),
      get ticks() {
        return scheduler.turns;
      },
    },
    scheduler,
    stats: () => ({ pages: pages.stats(), heap: heap.stats(), mutexes: mutexes.live, threads: scheduler.live.length }),
    dispose: () => scheduler.dispose(),
  };
}
