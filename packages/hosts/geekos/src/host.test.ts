import { afterEach, describe, expect, it } from 'vitest';
import type { V3VmInfo } from '@v3/vmm';
import { createGeekosHost, DEFAULT_CPU_KHZ, type GeekosHost } from './host.js';

let host: GeekosHost | undefined;
afterEach(() => host?.dispose());

function boot(extra: Partial<Parameters<typeof createGeekosHost>[0]> = {}) {
  const out: string[] = [];
  host = createGeekosHost({ memoryBytes: 1 << 20, console: { write: (t) => out.push(t) }, ...extra });
  return { host, out };
}

const vm = {} as V3VmInfo;

describe('createGeekosHost', () => {
  it('provides the os_hooks of a one-CPU kernel', () => {
    const { host: h, out } = boot();
    const k = h.hooks;
    k.print('hello\n');
    expect(out).toEqual(['hello\n']);
    expect(k.get_cpu!()).toBe(0);
    expect(k.get_cpu_khz!()).toBe(DEFAULT_CPU_KHZ);
    expect(k.paddr_to_vaddr!(0x123000)).toBe(0x123000);
    expect(k.vaddr_to_paddr!(0x123000)).toBe(0x123000);
    expect(k.hook_interrupt).toBeUndefined();
    const p = k.allocate_pages!(4, 4096, 0, 0)!;
    expect(p.bytes.byteLength).toBe(4 * 4096);
    expect(h.stats().pages.freePages).toBe(256 - 4);
    k.free_pages!(p.paddr, 4);
    const b = k.malloc!(100)!;
    expect(h.stats().heap.bytesInUse).toBe(100);
    k.free!(b);
    expect(h.stats()).toMatchObject({ heap: { bytesInUse: 0 }, mutexes: 0, threads: 0 });
  });

  it('refuses every CPU but 0', () => {
    const { host: h } = boot();
    const k = h.hooks;
    const fn = () => {};
    expect(() => k.create_thread_on_cpu!(1, fn, null, 'x')).toThrow(/\[host-geekos\] create_thread_on_cpu: CPU 1 does not exist; the GeekOS host has one CPU \(0\)/);
    expect(() => k.interrupt_cpu!(vm, 1, 0xf0)).toThrow(/CPU 1 does not exist/);
    expect(() => k.call_on_cpu!(2, fn, null)).toThrow(/CPU 2 does not exist/);
    expect(() => k.wakeup_cpu!(3)).toThrow(/CPU 3 does not exist/);
    const t = k.create_thread_on_cpu!(0, fn, null, 't')!;
    expect(() => k.move_thread_to_cpu!(1, t)).toThrow(/CPU 1 does not exist/);
    expect(k.move_thread_to_cpu!(0, t)).toBe(0);
    let called: unknown;
    k.call_on_cpu!(0, (a) => (called = a), 42);
    expect(called).toBe(42);
  });

  it('runs a core thread the way the VMM does: create, start, yield, sleep, wakeup', async () => {
    const { host: h } = boot();
    const k = h.hooks;
    const log: string[] = [];
    const t = k.create_thread_on_cpu!(0, async (arg) => {
      log.push(`start ${String(arg)}`);
      await k.yield_cpu!();
      log.push('halt');
      await k.sleep_cpu!(60_000_000);
      log.push('woken');
    }, 'vm0', 'vm0-core0')!;
    k.start_thread!(t);
    while (h.scheduler.sleeping === 0) await k.yield_cpu!();
    k.wakeup_cpu!(0);
    await (t as { done: Promise<void> }).done;
    expect(log).toEqual(['start vm0', 'halt', 'woken']);
    expect(h.timer.ticks).toBeGreaterThan(2);
    expect(h.timer.nowUsec()).toBeGreaterThan(0);
  });

  it('prints a kernel thread that dies', async () => {
    const { host: h, out } = boot();
    const t = h.hooks.start_kernel_thread!(() => {
      throw new Error('oops');
    }, null, 'bad')!;
    await (t as { done: Promise<void> }).done;
    expect(out.join('')).toBe("geekos: kernel thread 1 'bad' died: oops\n");
  });

  it('maps stream names to sinks, buffers early input and routes the keyboard', () => {
    const written: number[] = [];
    let closed = false;
    const { host: h } = boot({ streams: { com1: { write: (b) => written.push(...b), close: () => (closed = true) } } });
    h.keyboard.press(new Uint8Array([0x71]));
    const got: number[] = [];
    const s = h.streams.open(vm, 'com1', (b) => got.push(...b));
    expect(got).toEqual([0x71]);
    h.streams.input('com1', new Uint8Array([1, 2]));
    expect(got).toEqual([0x71, 1, 2]);
    s.write(new Uint8Array([65, 66]));
    expect(written).toEqual([65, 66]);
    expect(() => h.streams.open(vm, 'com1', () => {})).toThrow(/already opened/);
    s.close();
    expect(closed).toBe(true);
    expect(() => s.write(new Uint8Array([1]))).toThrow(/write after close/);
    expect(() => h.streams.open(vm, 'com2', () => {})).toThrow(/stream 'com2': the host has no such stream \(it has: com1\)/);
  });
});
