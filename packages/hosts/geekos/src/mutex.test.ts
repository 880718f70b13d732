import { afterEach, describe, expect, it } from 'vitest';
import { Mutexes } from './mutex.js';
import { Scheduler } from './scheduler.js';

let s: Scheduler;
afterEach(() => s?.dispose());

describe('Mutexes', () => {
  it('locks and unlocks, from the boot context and from threads', async () => {
    s = new Scheduler();
    const m = new Mutexes(s);
    const mu = m.alloc();
    m.lock(mu, );
    m.unlock(mu);
    const t = s.create(() => {
      m.lock(mu);
      m.unlock(mu);
    }, null, 't');
    s.start(t);
    await t.done;
    expect(t.error).toBeUndefined();
    m.free(mu);
    expect(m.live).toBe(0);
  });

  it('stops loudly on a recursive lock', () => {
    s = new Scheduler();
    const m = new Mutexes(s);
    const mu = m.alloc();
    m.lock(mu);
    expect(() => m.lock(mu)).toThrow(/already holds \(deadlock\)/);
  });

  it('stops loudly when a thread finds a lock another thread yielded with', async () => {
    s = new Scheduler();
    const m = new Mutexes(s);
    const mu = m.alloc();
    const holder = s.create(async () => {
      m.lock(mu);
      await s.sleep(1_000_000);
    }, null, 'holder');
    const other = s.create(() => m.lock(mu), null, 'other');
    const errors: string[] = [];
    s.onThreadError = (_t, e) => errors.push((e as Error).message);
    s.start(holder);
    s.start(other);
    await other.done;
    expect(errors[0]).toMatch(/\[host-geekos\] mutex_lock: mutex 1 is held by thread 1 'holder', which gave up the CPU holding it; thread 2 'other' would wait forever/);
  });

  it('stops loudly on unlock of an unlocked mutex, or by a non-owner', async () => {
    s = new Scheduler();
    const m = new Mutexes(s);
    const mu = m.alloc();
    expect(() => m.unlock(mu)).toThrow(/is not locked/);
    const t = s.create(() => m.lock(mu), null, 'owner');
    s.start(t);
    await t.done;
    expect(() => m.unlock(mu)).toThrow(/held by thread 1 'owner', not by thread 0 'boot'/);
  });

  it('stops loudly on freeing a held mutex, use after free and foreign handles', () => {
    s = new Scheduler();
    const m = new Mutexes(s);
    const mu = m.alloc();
    m.lock(mu);
    expect(() => m.free(mu)).toThrow(/is held by thread 0 'boot'/);
    m.unlock(mu);
    m.free(mu);
    expect(() => m.lock(mu)).toThrow(/mutex 1 was freed/);
    expect(() => m.free(mu)).toThrow(/was freed/);
    expect(() => m.lock({})).toThrow(/not a mutex of this GeekOS host/);
  });
});
