import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { createGeekosHost, type GeekosHost } from '@v3/host-geekos';
import {
  v3_continue_vm,
  v3_create_vm,
  v3_free_vm,
  v3_get_state,
  v3_get_telemetry,
  v3_init,
  v3_pause_vm,
  v3_shutdown,
  v3_start_vm,
  v3_stop_vm,
  v3_wait_vm,
  type V3VmInfo,
} from '@v3/vmm';
import { DEVICE_CLASSES, SERIAL_STREAM, machineConfig } from '../src/machine.js';

const guest = new Uint8Array(readFileSync(new URL('../guest/v3guest.bin', import.meta.url)));
const decoder = new TextDecoder('latin1');

let host: GeekosHost | null = null;
let vm: V3VmInfo | null = null;

afterEach(async () => {
  if (vm && (v3_get_state(vm) === 'running' || v3_get_state(vm) === 'paused')) await v3_stop_vm(vm);
  if (vm) v3_free_vm(vm);
  vm = null;
  v3_shutdown();
  host?.dispose();
  host = null;
});

/** Boot the GeekOS host and the VMM in this process, COM1 into a string. */
function boot(clock: 'host' | 'virtual') {
  let serial = '';
  const console: string[] = [];
  host = createGeekosHost({
    memoryBytes: 48 << 20,
    console: { write: (t) => console.push(t) },
    streams: { [SERIAL_STREAM]: { write: (b) => (serial += decoder.decode(b)) } },
  });
  v3_init(host.hooks, 1, { devices: DEVICE_CLASSES, streams: host.streams });
  const config = machineConfig({ memory: 32, kernel: { name: 'v3guest.bin', bytes: guest }, initrd: null, append: null, clock, debug: [], noReboot: true });
  vm = v3_create_vm(config, null, 'lifecycle');
  return { vm, host, serial: () => serial, console };
}

async function until(cond: () => boolean, ms = 20_000): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('the VM lifecycle on the real guest, through the v3_ API', () => {
  it('create, start, pause, continue, stop, free', async () => {
    const m = boot('host');
    expect(v3_get_state(m.vm)).toBe('created');
    const pagesBefore = m.host.stats().pages.freePages;
    expect(pagesBefore).toBeLessThan(m.host.stats().pages.totalPages); // guest RAM came from the pool

    expect(v3_start_vm(m.vm, 1)).toBe(0);
    expect(v3_get_state(m.vm)).toBe('running');
    await until(() => m.serial().includes('tick 25'));

    expect(await v3_pause_vm(m.vm)).toBe(0);
    expect(v3_get_state(m.vm)).toBe('paused');
    const frozen = m.serial();
    const retired = v3_get_telemetry(m.vm).instructions;
    await new Promise((r) => setTimeout(r, 300)); // 30 guest ticks would print if it ran
    expect(m.serial()).toBe(frozen);
    expect(v3_get_telemetry(m.vm).instructions).toBe(retired);

    expect(v3_continue_vm(m.vm)).toBe(0);
    expect(v3_get_state(m.vm)).toBe('running');
    await until(() => m.serial().length > frozen.length);

    const ended = v3_wait_vm(m.vm);
    expect(await v3_stop_vm(m.vm)).toBe(0);
    const exit = await ended;
    expect(exit.reason).toBe('stopped');
    expect(v3_get_state(m.vm)).toBe('stopped');
    expect(m.serial()).not.toContain('power off');

    expect(v3_free_vm(m.vm)).toBe(0);
    vm = null;
    const stats = m.host.stats();
    expect(stats.pages.freePages).toBe(stats.pages.totalPages); // every page came back
    expect(stats.mutexes).toBe(0);
    expect(stats.threads).toBe(0);
  });

  it('runs to power off and says so', async () => {
    const m = boot('virtual');
    v3_start_vm(m.vm, 1);
    const exit = await v3_wait_vm(m.vm);
    expect(exit.reason).toBe('poweroff');
    expect(m.serial()).toContain('v3guest: power off (ticks=200)');
    expect(m.console.join('')).toContain('v3guest: power off ok');
    expect(v3_get_state(m.vm)).toBe('stopped');
  });

  it('keyboard input reaches the guest through the host stream', async () => {
    const m = boot('host');
    v3_start_vm(m.vm, 1);
    await until(() => m.serial().includes('v3guest 1.0'));
    m.host.keyboard.press(new TextEncoder().encode('hi'));
    await until(() => m.serial().includes('hi'));
    m.host.keyboard.press(new TextEncoder().encode('q'));
    const exit = await v3_wait_vm(m.vm);
    expect(exit.reason).toBe('poweroff');
  });
});
