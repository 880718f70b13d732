import type { V3Mutex } from '@v3/vmm';
import { hostFail } from './errors.js';
import { BOOT_CONTEXT, type GeekosThread, type Scheduler } from './scheduler.js';

type Owner = GeekosThread | typeof BOOT_CONTEXT;

interface Mutex {
  readonly id: number;
  owner: Owner | null;
  freed: boolean;
}

const who = (o: Owner): string => `thread ${o.id} '${o.name}'`;

/**
 * Mutexes of a one-CPU cooperative kernel. Palacios' locks are spinlocks held for a few
 * statements and never across a sleep; on one CPU with cooperative threads a lock that is
 * found taken can therefore never be released by spinning, so every misuse stops loudly
 * instead of hanging: taking a lock the caller holds, taking one another thread holds (it
 * yielded with it), releasing one the caller does not hold, freeing a held lock, any use after
 * free, and a handle that is not one of ours.
 */
export class Mutexes {
  private readonly all = new WeakSet<Mutex>();
  private nextId = 1;
  /** Mutexes allocated and not freed. */
  live = 0;

  /** Mutexes whose owners are the threads of `scheduler`. */
  constructor(private readonly scheduler: Scheduler) {}

  /** `mutex_alloc`: a new, unlocked mutex. */
  alloc(): V3Mutex {
    const m: Mutex = { id: this.nextId++, owner: null, freed: false };
    this.all.add(m);
    this.live++;
    return m;
  }

  /** `mutex_free`: retire an unlocked mutex. */
  free(handle: V3Mutex): void {
    const m = this.own(handle, 'mutex_free');
    if (m.owner) hostFail(`mutex_free: mutex ${m.id} is held by ${who(m.owner)}`);
    m.freed = true;
    this.live--;
  }

  /** `mutex_lock`: take a free mutex for the running thread (never waits: see the class). */
  lock(handle: V3Mutex): void {
    const m = this.own(handle, 'mutex_lock');
    const me = this.me();
    if (m.owner === me) hostFail(`mutex_lock: ${who(me)} takes mutex ${m.id} it already holds (deadlock)`);
    if (m.owner) {
      hostFail(`mutex_lock: mutex ${m.id} is held by ${who(m.owner)}, which gave up the CPU holding it; ${who(me)} would wait forever on one CPU`);
    }
    m.owner = me;
  }

  /** `mutex_unlock`: release a mutex the running thread holds. */
  unlock(handle: V3Mutex): void {
    const m = this.own(handle, 'mutex_unlock');
    const me = this.me();
    if (!m.owner) hostFail(`mutex_unlock: mutex ${m.id} is not locked`);
    if (m.owner !== me) hostFail(`mutex_unlock: mutex ${m.id} is held by ${who(m.owner)}, not by ${who(me)}`);
    m.owner = null;
  }

  private me(): Owner {
    return this.scheduler.running ?? BOOT_CONTEXT;
  }

  private own(handle: unknown, hook: string): Mutex {
    if (typeof handle !== 'object' || handle === null || !this.all.has(handle as Mutex)) {
      hostFail(`${hook}: not a mutex of this GeekOS host (mutex_alloc makes them)`);
    }
    // because: membership in `all` proves it is one of ours.
    const m = handle as Mutex;
    if (m.freed) hostFail(`${hook}: mutex ${m.id} was freed`);
    return m;
  }
}
