import { afterEach, describe, expect, it } from 'vitest';
import { Scheduler } from './scheduler.js';

const schedulers: Scheduler[] = [];
function scheduler(): Scheduler {
  const s = new Scheduler();
  schedulers.push(s);
  return s;
}
afterEach(() => {
  for (const s of schedulers.splice(0)) s.dispose();
});

describe('Scheduler', () => {
  it('runs started threads round robin, one per turn, as they yield', async () => {
    const s = scheduler();
    const log: string[] = [];
    const body = (name: string) => async () => {
      for (let i = 0; i < 3; i++) {
        log.push(`${name}${i}`);
        await s.yield();
      }
    };
    const a = s.create(body('a'), null, 'a');
    const b = s.create(body('b'), null, 'b');
    expect(a.state).toBe('created');
    s.start(a);
    s.start(b);
    expect(log).toEqual([]); // nothing runs before the scheduler's first turn
    await Promise.all([a.done, b.done]);
    expect(log).toEqual(['a0', 'b0', 'a1', 'b1', 'a2', 'b2']);
    expect(a.state).toBe('exited');
    expect(s.live).toEqual([]);
  });

  it('knows which thread is running', async () => {
    const s = scheduler();
    const seen: (string | undefined)[] = [];
    const t = s.create(async () => {
      seen.push(s.running?.name);
      await s.yield();
      seen.push(s.running?.name);
    }, null, 'core0');
    s.start(t);
    await t.done;
    expect(seen).toEqual(['core0', 'core0']);
    expect(s.running).toBeNull();
  });

  it('lets the event loop run between turns (I/O reaches a thread that only yields)', async () => {
    const s = scheduler();
    let input = false;
    let spins = 0;
    const t = s.create(async () => {
      while (!input) {
        spins++;
        await s.yield();
      }
    }, null, 'spinner');
    s.start(t);
    setImmediate(() => setImmediate(() => (input = true)));
    await t.done;
    expect(spins).toBeGreaterThan(0);
    expect(spins).toBeLessThan(10);
  });

  it('sleeps for about the time asked', async () => {
    const s = scheduler();
    let slept = 0;
    const t = s.create(async () => {
      const t0 = performance.now();
      await s.sleep(20_000);
      slept = performance.now() - t0;
    }, null, 'sleeper');
    s.start(t);
    await t.done;
    expect(slept).toBeGreaterThanOrEqual(15);
  });

  it('wakes every sleeper on wakeup, long before its timer', async () => {
    const s = scheduler();
    const woke: string[] = [];
    const mk = (name: string) => s.create(async () => {
      await s.sleep(10_000_000);
      woke.push(name);
    }, null, name);
    const a = mk('a');
    const b = mk('b');
    s.start(a);
    s.start(b);
    while (s.sleeping < 2) await new Promise((r) => setImmediate(r));
    expect(a.state).toBe('sleeping');
    const t0 = performance.now();
    s.wakeup();
    await Promise.all([a.done, b.done]);
    expect(performance.now() - t0).toBeLessThan(1000);
    expect(woke).toEqual(['a', 'b']);
  });

  it('a wakeup with nobody asleep is lost, not remembered', async () => {
    const s = scheduler();
    s.wakeup();
    let woken = false;
    const t = s.create(async () => {
      await s.sleep(30_000);
      woken = true;
    }, null, 't');
    s.start(t);
    await t.done;
    expect(woken).toBe(true);
  });

  it('records a thread that dies of an exception and reports it', async () => {
    const s = scheduler();
    const reported: string[] = [];
    s.onThreadError = (th, err) => reported.push(`${th.name}: ${(err as Error).message}`);
    const t = s.create(async () => {
      await s.yield();
      throw new Error('boom');
    }, null, 'doomed');
    const u = s.create(() => {
      throw new Error('sync boom');
    }, null, 'sync');
    s.start(t);
    s.start(u);
    await Promise.all([t.done, u.done]);
    expect(t.state).toBe('exited');
    expect((t.error as Error).message).toBe('boom');
    expect(reported.sort()).toEqual(['doomed: boom', 'sync: sync boom']);
  });

  it('refuses to start a thread twice or a thread it did not create', () => {
    const s = scheduler();
    const t = s.create(() => {}, null, 't');
    s.start(t);
    expect(() => s.start(t)).toThrow(/already started/);
    expect(() => s.start({ name: 'x' } as never)).toThrow(/not a thread of this GeekOS host/);
  });

  it('yield from the boot context (outside any thread) also waits for a turn', async () => {
    const s = scheduler();
    const log: string[] = [];
    const t = s.create(async () => {
      log.push('thread');
    }, null, 't');
    s.start(t);
    await s.yield();
    log.push('boot');
    expect(log).toEqual(['thread', 'boot']);
  });
});
