import type { V3ThreadFn } from '@v3/vmm';
import { hostFail } from './errors.js';

/** Where a kernel thread is in its life. */
export type GeekosThreadState = 'created' | 'ready' | 'running' | 'sleeping' | 'exited';

/** A kernel thread of the GeekOS host (what `create_thread_on_cpu` returns). */
export interface GeekosThread {
  /** Thread id, from 1 (0 is the boot context, the code that is not in any thread). */
  readonly id: number;
  /** The name it was created with (Palacios names core threads after the VM and core). */
  readonly name: string;
  /** Its CPU: always 0, GeekOS runs on one. */
  readonly cpu: 0;
  /** Its state now. */
  readonly state: GeekosThreadState;
  /** Settles when the thread's function has returned (or thrown: see `error`). */
  readonly done: Promise<void>;
  /** What the thread threw, if it died of an exception. */
  readonly error: unknown;
}

interface Thread extends GeekosThread {
  state: GeekosThreadState;
  error: unknown;
  fn: V3ThreadFn;
  arg: unknown;
  finish(): void;
}

/** A context waiting for the CPU: a thread (or the boot context, null) and how to resume it. */
interface Waiter {
  thread: Thread | null;
  resume(): void;
  timer?: ReturnType<typeof setTimeout>;
}

/** The boot context: code that runs outside any kernel thread (the app's main, I/O callbacks). */
export const BOOT_CONTEXT = Object.freeze({ id: 0, name: 'boot' });

/** Schedules a callback for the next turn of the event loop, after pending I/O has been seen. */
const nextTurn: (fn: () => void) => void =
  typeof setImmediate === 'function' ? (fn) => setImmediate(fn) : (fn) => setTimeout(fn, 0);

/**
 * The GeekOS scheduler, cooperative, on one CPU. Kernel threads are async functions; a thread
 * runs until it gives the CPU back through the host (`yield_cpu`, `sleep_cpu`) or returns.
 * Each scheduler turn runs one ready thread, FIFO, and each turn is its own event-loop
 * iteration (`setImmediate`), so Node sees terminal and file I/O between any two turns: that
 * is how keyboard input and timers reach a VM whose core thread only ever yields.
 *
 * A thread that waits on a promise the host does not own (a file read, say) is off the CPU
 * until that promise settles; the scheduler cannot see it and runs the other threads meanwhile.
 */
export class Scheduler {
  private readonly ready: Waiter[] = [];
  private readonly sleepers = new Set<Waiter>();
  private readonly threads = new Set<Thread>();
  private readonly ever = new WeakSet<Thread>();
  private current: Thread | null = null;
  private turnPending = false;
  private nextId = 1;
  private disposed = false;
  /** Scheduler turns so far: the host's tick count. */
  turns = 0;

  /** Called when a thread dies of an exception (after `error` is set). */
  onThreadError: (thread: GeekosThread, error: unknown) => void = () => {};

  /** The thread on the CPU now, or null for the boot context. */
  get running(): GeekosThread | null {
    return this.current;
  }

  /** Threads created and not yet exited. */
  get live(): GeekosThread[] {
    return [...this.threads];
  }

  /** `create_thread_on_cpu` (cpu checked by the caller): a thread that runs once started. */
  create(fn: V3ThreadFn, arg: unknown, name: string): GeekosThread {
    if (typeof fn !== 'function') hostFail(`create_thread('${name}'): expected a function`);
    let finish!: () => void;
    const done = new Promise<void>((resolve) => (finish = resolve));
    const thread: Thread = { id: this.nextId++, name, cpu: 0, state: 'created', done, error: undefined, fn, arg, finish };
    this.threads.add(thread);
    this.ever.add(thread);
    return thread;
  }

  /** `start_thread`: put a created thread on the run queue. */
  start(handle: GeekosThread): void {
    const thread = this.ours(handle, 'start_thread');
    if (thread.state !== 'created') hostFail(`start_thread('${thread.name}'): thread already started (state ${thread.state})`);
    this.enqueue({ thread, resume: () => this.enter(thread) });
  }

  /** `yield_cpu`: back of the run queue; resolves when this context's turn comes again. */
  yield(): Promise<void> {
    const thread = this.leave('ready');
    return new Promise<void>((resolve) => this.enqueue({ thread, resume: resolve }));
  }

  /**
   * `sleep_cpu`: off the run queue for about `usec` microseconds, or until `wakeup()`. A
   * sleeper must recheck why it slept when it wakes: a wakeup is a hint, as on the hardware.
   */
  sleep(usec: number): Promise<void> {
    if (!(usec >= 0)) hostFail(`sleep_cpu: expected microseconds ≥ 0, got ${usec}`);
    const thread = this.leave('sleeping');
    return new Promise<void>((resolve) => {
      const waiter: Waiter = { thread, resume: resolve };
      this.sleepers.add(waiter);
      // setTimeout takes at most 2^31-1 ms; longer sleeps end early, which a wakeup may do anyway.
      waiter.timer = setTimeout(() => this.wake(waiter), Math.min(usec / 1000, 0x7fffffff));
    });
  }

  /** `wakeup_cpu(0)`: every sleeper on the CPU goes back to the run queue now. */
  wakeup(): void {
    for (const waiter of [...this.sleepers]) this.wake(waiter);
  }

  /** Whether any context is sleeping. */
  get sleeping(): number {
    return this.sleepers.size;
  }

  /** Stop scheduling: cancel sleep timers and forget queued contexts (they never resume). */
  dispose(): void {
    this.disposed = true;
    for (const waiter of this.sleepers) clearTimeout(waiter.timer);
    this.sleepers.clear();
    this.ready.length = 0;
  }

  /** Check that `handle` is a thread of this scheduler (`hook` names the caller in the error). */
  own(handle: unknown, hook: string): GeekosThread {
    return this.ours(handle, hook);
  }

  private ours(handle: unknown, hook: string): Thread {
    if (typeof handle !== 'object' || handle === null || !this.ever.has(handle as Thread)) {
      hostFail(`${hook}: not a thread of this GeekOS host`);
    }
    // because: membership in `ever` proves it is one of ours.
    return handle as Thread;
  }

  private leave(state: GeekosThreadState): Thread | null {
    const thread = this.current;
    if (thread) thread.state = state;
    this.current = null;
    return thread;
  }

  private wake(waiter: Waiter): void {
    if (!this.sleepers.delete(waiter)) return;
    clearTimeout(waiter.timer);
    if (waiter.thread) waiter.thread.state = 'ready';
    this.enqueue(waiter);
  }

  private enqueue(waiter: Waiter): void {
    if (this.disposed) return;
    if (waiter.thread) waiter.thread.state = 'ready';
    this.ready.push(waiter);
    if (!this.turnPending) {
      this.turnPending = true;
      nextTurn(() => this.turn());
    }
  }

  /** One scheduler turn: the head of the run queue gets the CPU. */
  private turn(): void {
    this.turnPending = false;
    const waiter = this.ready.shift();
    if (!waiter) return;
    this.turns++;
    this.current = waiter.thread;
    if (waiter.thread) waiter.thread.state = 'running';
    // A resolved promise runs its thread in this turn's microtasks; the next turn is a later
    // event-loop iteration.
    waiter.resume();
    if (this.ready.length > 0 && !this.turnPending) {
      this.turnPending = true;
      nextTurn(() => this.turn());
    }
  }

  /** First run of a thread: call its function; its settling ends the thread. */
  private enter(thread: Thread): void {
    let result: void | Promise<void>;
    try {
      result = thread.fn(thread.arg);
    } catch (err) {
      this.exit(thread, err, true);
      return;
    }
    Promise.resolve(result).then(
      () => this.exit(thread, undefined, false),
      (err: unknown) => this.exit(thread, err, true),
    );
  }

  private exit(thread: Thread, error: unknown, failed: boolean): void {
    thread.state = 'exited';
    thread.error = error;
    this.threads.delete(thread);
    if (this.current === thread) this.current = null;
    if (failed) this.onThreadError(thread, error);
    thread.finish();
  }
}
