import type { V3VmInfo } from './vm.js';

/** Pages a host handed to the VMM: their host-physical address and a view of their bytes. */
export interface V3HostPages {
  /** Host-physical address of the first page (what Palacios' allocate_pages returns). */
  paddr: number;
  /** The pages' memory, `numPages * 4096` bytes. */
  bytes: Uint8Array;
}

/** An opaque host mutex. */
export type V3Mutex = object;
/** An opaque host thread. */
export type V3Thread = object;
/** A thread body: a kernel thread in a cooperative host is an async function. */
export type V3ThreadFn = (arg: unknown) => void | Promise<void>;

/**
 * The services a host kernel gives the VMM: Palacios' `struct v3_os_hooks`, member for member.
 * A host provides what it can; the VMM checks at use that a hook it needs is there and fails
 * with a message naming the hook otherwise. `docs/host-porting.md` maps each member to its
 * Palacios field.
 *
 * TypeScript departures, each forced by the language: memory comes back as a byte view as well
 * as an address (a JS program cannot dereference an address), and hooks that block in a C host
 * (`yield_cpu`, `sleep_cpu`, `mutex_lock`) return promises.
 */
export interface V3OsHooks {
  /** Print a line (or fragment) on the host console. Required. */
  print(message: string): void;

  /** Allocate `numPages` contiguous 4 KiB pages aligned to `alignment` bytes; null when out of memory. */
  allocate_pages?(numPages: number, alignment: number, nodeId: number, constraints: number): V3HostPages | null;
  /** Give pages back. */
  free_pages?(paddr: number, numPages: number): void;

  /** Allocate `size` bytes of host heap; null when out of memory. */
  malloc?(size: number): Uint8Array | null;
  /** Free what malloc returned. */
  free?(block: Uint8Array): void;

  /** Host-physical to host-virtual address. */
  paddr_to_vaddr?(paddr: number): number;
  /** Host-virtual to host-physical address. */
  vaddr_to_paddr?(vaddr: number): number;

  /** Route host IRQ `irq` to `vm` (passthrough devices). Returns 0 on success. */
  hook_interrupt?(vm: V3VmInfo, irq: number): number;
  /** Acknowledge a host IRQ the VMM handled. */
  ack_irq?(irq: number): number;

  /** The host CPU's clock rate in kHz. */
  get_cpu_khz?(): number;

  /** Let other host threads run; resolves when this thread is scheduled again. */
  yield_cpu?(): Promise<void>;
  /** Sleep for about `usec` microseconds, or until `wakeup_cpu`. */
  sleep_cpu?(usec: number): Promise<void>;
  /** Wake a sleeping CPU. */
  wakeup_cpu?(cpu: number): void;

  mutex_alloc?(): V3Mutex;
  mutex_free?(mutex: V3Mutex): void;
  mutex_lock?(mutex: V3Mutex, flags: number): void;
  mutex_unlock?(mutex: V3Mutex, flags: number): void;

  /** The host CPU the caller runs on. */
  get_cpu?(): number;

  /** Start a kernel thread on any CPU. */
  start_kernel_thread?(fn: V3ThreadFn, arg: unknown, name: string): V3Thread | null;
  /** Interrupt a host CPU (IPI) so a core running there notices work. */
  interrupt_cpu?(vm: V3VmInfo, cpu: number, vector: number): void;
  /** Run `fn(arg)` on a host CPU. */
  call_on_cpu?(cpu: number, fn: (arg: unknown) => void, arg: unknown): void;
  /** Create (not start) a thread bound to a host CPU. */
  create_thread_on_cpu?(cpu: number, fn: V3ThreadFn, arg: unknown, name: string): V3Thread | null;
  /** Start a created thread. */
  start_thread?(thread: V3Thread): void;
  /** Move a thread to another CPU. Returns 0 on success. */
  move_thread_to_cpu?(cpu: number, thread: V3Thread): number;
}

/** A host stream a device writes to (a terminal, a file), after Palacios' `v3_stream_hooks`. */
export interface V3HostStream {
  /** Bytes from the guest's device to the host. */
  write(bytes: Uint8Array): void;
  /** The device let go of the stream. */
  close(): void;
}

/**
 * Optional host interface: named byte streams (Palacios' `V3_Init_Stream`). The host maps a
 * name from the VM configuration (`com1`) to something real and calls `input` with bytes for
 * the guest.
 */
export interface V3StreamHooks {
  open(vm: V3VmInfo, name: string, input: (bytes: Uint8Array) => void): V3HostStream;
}
