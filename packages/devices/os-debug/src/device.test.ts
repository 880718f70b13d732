import { describe, expect, it } from 'vitest';
import type { V3Error } from '@v3/device-api';
import { createTestHost, fuzzPorts, type TestHost } from '@v3/device-testkit';
import { osDebug, OS_DEBUG_PORT, type OsDebug } from './index.js';

function attach(port?: number): { vm: TestHost; dev: OsDebug } {
  const vm = createTestHost();
  const dev = vm.attach(osDebug, port === undefined ? { id: 'osdbg' } : { id: 'osdbg', port });
  return { vm, dev };
}

function write(vm: TestHost, port: number, text: string): void {
  for (const c of text) vm.outb(port, c.charCodeAt(0));
}

const printed = (vm: TestHost): string[] => vm.log.filter((l) => l.startsWith('print ')).map((l) => l.slice('print osdbg: '.length));

describe('OS_DEBUG', () => {
  it('listens on 0xC0C0 by default', () => {
    const { vm, dev } = attach();
    expect(OS_DEBUG_PORT).toBe(0xc0c0);
    expect(dev.port).toBe(0xc0c0);
    expect(vm.isHooked(0xc0c0)).toBe(true);
  });

  it('prints each complete line with the VM_CONSOLE> prefix, and nothing before the newline', () => {
    const { vm } = attach();
    write(vm, 0xc0c0, 'hello');
    expect(printed(vm)).toEqual([]);
    write(vm, 0xc0c0, ', world\nsecond line\r\n\n');
    expect(printed(vm)).toEqual(['VM_CONSOLE> hello, world', 'VM_CONSOLE> second line', 'VM_CONSOLE> ']);
  });

  it('prints a line when the buffer reaches 1023 characters without a newline', () => {
    const { vm } = attach();
    write(vm, 0xc0c0, 'x'.repeat(1022));
    expect(printed(vm)).toEqual([]);
    write(vm, 0xc0c0, 'y');
    expect(printed(vm)).toEqual(['VM_CONSOLE> ' + 'x'.repeat(1022) + 'y']);
    write(vm, 0xc0c0, 'z\n');
    expect(printed(vm)[1]).toBe('VM_CONSOLE> z');
  });

  it('takes a port override', () => {
    const { vm } = attach(0x402);
    write(vm, 0x402, 'ok\n');
    expect(printed(vm)).toEqual(['VM_CONSOLE> ok']);
    expect(vm.isHooked(0xc0c0)).toBe(false);
  });

  it('fails stop on reads and on wider writes', () => {
    const { vm } = attach();
    expect(() => vm.inb(0xc0c0)).toThrow(/OS_DEBUG: read of the debug console port/);
    expect(() => vm.outw(0xc0c0, 0x4142)).toThrow(/OS_DEBUG: 16-bit write/);
    try {
      vm.inb(0xc0c0);
    } catch (e) {
      expect((e as V3Error).detail).toMatchObject({ component: 'osdbg', port: 0xc0c0 });
    }
  });

  it('refuses bad configuration', () => {
    const v = (cfg: Record<string, unknown>): string[] => osDebug.validate!({ class: 'OS_DEBUG', id: 'd', ...cfg });
    expect(v({})).toEqual([]);
    expect(v({ port: 0x10000 })).toEqual(['port: expected an I/O port 0x0-0xffff, got 65536']);
    expect(v({ port: '0xc0c0' })).toEqual([expect.stringMatching(/^port: expected an I\/O port/)]);
    expect(v({ prefix: 'x' })).toEqual(['prefix: unknown key (expected port)']);
  });

  it('saves and loads a partial line; reset and free print it rather than lose it', () => {
    const a = attach();
    write(a.vm, 0xc0c0, 'half');
    const b = attach();
    b.dev.load(JSON.parse(JSON.stringify(a.dev.save())));
    write(b.vm, 0xc0c0, ' done\n');
    expect(printed(b.vm)).toEqual(['VM_CONSOLE> half done']);
    a.dev.reset();
    expect(printed(a.vm)).toEqual(['VM_CONSOLE> half']);
    write(a.vm, 0xc0c0, 'tail');
    a.dev.free();
    expect(printed(a.vm)).toEqual(['VM_CONSOLE> half', 'VM_CONSOLE> tail']);
    expect(a.vm.isHooked(0xc0c0)).toBe(false);
    expect(() => b.dev.load({ line: [256] })).toThrow(/OS_DEBUG: load: bad state/);
  });

  it('survives the seeded register fuzz with only its own V3Errors', () => {
    const { vm } = attach();
    const stops = fuzzPorts(vm, [0xc0c0], { seed: 7, steps: 3000, deviceId: 'osdbg' });
    expect(stops).toBeGreaterThan(0); // every read fails stop
    expect(printed(vm).length).toBeGreaterThan(0);
    expect(vm.log.every((l) => !l.startsWith('error'))).toBe(true);
  });
});

describe('debug output', () => {
  it('traces bytes when built with DEBUG_OS_DEBUG and switched on', () => {
    const { vm } = attach();
    vm.debugComponents.add('OS_DEBUG');
    vm.outb(0xc0c0, 0x41);
    const lines = vm.log.filter((l) => l.startsWith('debug OS_DEBUG: '));
    expect(lines).toEqual(__DEBUG_OS_DEBUG__ ? ['debug OS_DEBUG: os_debug: byte 0x41'] : []);
  });
});
