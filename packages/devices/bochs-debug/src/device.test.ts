import { describe, expect, it } from 'vitest';
import type { V3Error } from '@v3/device-api';
import { createTestHost, fuzzPorts, type TestHost } from '@v3/device-testkit';
import { bochsDebug, type BochsDebug, type BochsDebugConfig } from './index.js';

function attach(extra: Partial<BochsDebugConfig> = {}): { vm: TestHost; dev: BochsDebug } {
  const vm = createTestHost();
  const dev = vm.attach(bochsDebug, { id: 'bochs', ...extra });
  return { vm, dev };
}

function write(vm: TestHost, port: number, text: string): void {
  for (const c of text) vm.outb(port, c.charCodeAt(0));
}

const printed = (vm: TestHost): string[] => vm.log.filter((l) => l.startsWith('print ')).map((l) => l.slice('print bochs: '.length));

function failure(fn: () => void): V3Error {
  try {
    fn();
  } catch (e) {
    return e as V3Error;
  }
  throw new Error('expected a fail stop');
}

describe('port 0xE9 console', () => {
  it('prints complete lines prefixed BOCHS_CONSOLE>', () => {
    const { vm } = attach();
    write(vm, 0xe9, 'Booting');
    expect(printed(vm)).toEqual([]);
    write(vm, 0xe9, ' kernel\r\n\nok\n');
    expect(printed(vm)).toEqual(['BOCHS_CONSOLE> Booting kernel', 'BOCHS_CONSOLE> ', 'BOCHS_CONSOLE> ok']);
  });

  it('prints a line when 1023 characters are buffered', () => {
    const { vm } = attach();
    write(vm, 0xe9, 'a'.repeat(1023));
    expect(printed(vm)).toEqual(['BOCHS_CONSOLE> ' + 'a'.repeat(1023)]);
  });

  it('reads back 0xE9 so a guest can detect it', () => {
    const { vm } = attach();
    expect(vm.inb(0xe9)).toBe(0xe9);
  });

  it('copies every byte, unbuffered, to the configured stream', () => {
    const { vm } = attach({ stream: 'e9.log' });
    write(vm, 0xe9, 'partial');
    expect(vm.stream('e9.log').text()).toBe('partial');
    write(vm, 0xe9, '\n');
    expect(vm.stream('e9.log').text()).toBe('partial\n');
    expect(printed(vm)).toEqual(['BOCHS_CONSOLE> partial']);
  });

  it('fails stop on a word write', () => {
    const { vm } = attach();
    expect(() => vm.outw(0xe9, 0x4141)).toThrow(/BOCHS_DEBUG: 16-bit write of 0x4141 to the port E9 console/);
  });
});

describe('BIOS info and debug ports', () => {
  it('buffers 0x402 and 0x403 separately with their own prefixes', () => {
    const { vm } = attach();
    write(vm, 0x402, 'info ');
    write(vm, 0x403, 'debug line\n');
    write(vm, 0x402, 'line\n');
    expect(printed(vm)).toEqual(['BOCHS_DEBUG> debug line', 'BOCHS_INFO> info line']);
  });

  it('answers SeaBIOS debugcon probe on 0x402 with 0xE9; 0x403 reads fail stop', () => {
    const { vm } = attach();
    expect(vm.inb(0x402)).toBe(0xe9);
    expect(() => vm.inb(0x403)).toThrow(/read of the BIOS debug port/);
  });
});

describe('BIOS panic ports', () => {
  it('ends the VM on a write to 0x400, naming the line', () => {
    const { vm } = attach();
    const e = failure(() => vm.outw(0x400, 1234));
    expect(e.message).toMatch(/BIOS panic at line 1234/);
    expect(e.detail).toMatchObject({ component: 'bochs', port: 0x400 });
    expect(failure(() => vm.outb(0x401, 77)).message).toMatch(/BIOS panic at line 77 \(port 0x401\)/);
  });

  it('ignores line 0 on 0x400, as Bochs does', () => {
    const { vm } = attach();
    vm.outb(0x400, 0);
    expect(vm.log).toEqual([]);
  });

  it('after 0 on 0x401, the next info line is the panic message', () => {
    const { vm } = attach();
    vm.outb(0x401, 0);
    write(vm, 0x402, 'FATAL: int13_harddisk: function 0');
    expect(failure(() => vm.outb(0x402, 0x0a)).message).toMatch(/BIOS panic: FATAL: int13_harddisk: function 0/);
  });

  it('a nonzero 0x401 write with buffered text panics with that text', () => {
    const { vm } = attach();
    write(vm, 0x403, 'bad thing');
    expect(failure(() => vm.outw(0x401, 5)).message).toMatch(/BIOS panic: bad thing/);
  });

  it('panic ports are write-only', () => {
    const { vm } = attach();
    expect(() => vm.inb(0x400)).toThrow(/read of the BIOS panic port/);
    expect(() => vm.inb(0x401)).toThrow(/read of the BIOS panic port/);
  });
});

describe('shutdown port 0x8900', () => {
  it('Shutdown produces exactly one poweroff request', () => {
    const { vm } = attach();
    write(vm, 0x8900, 'Shutdow');
    expect(vm.powerRequests).toEqual([]);
    write(vm, 0x8900, 'n');
    expect(vm.powerRequests).toEqual([{ request: 'poweroff', why: 'guest wrote Shutdown to port 0x8900' }]);
    write(vm, 0x8900, 'own');
    expect(vm.powerRequests).toHaveLength(1);
  });

  it('Shutdow + x produces none, and any other byte resets the matcher', () => {
    const { vm } = attach();
    write(vm, 0x8900, 'Shutdowx');
    write(vm, 0x8900, 'n');
    write(vm, 0x8900, 'hutdown');
    write(vm, 0x8900, 'Shut\0down');
    expect(vm.powerRequests).toEqual([]);
  });

  it('an S that breaks the sequence starts it again', () => {
    const { vm } = attach();
    write(vm, 0x8900, 'ShuSShutdown');
    expect(vm.powerRequests).toHaveLength(1);
  });

  it('is write-only', () => {
    const { vm } = attach();
    expect(() => vm.inb(0x8900)).toThrow(/read of the shutdown port/);
  });
});

describe('configuration', () => {
  it('hooks all six ports by default', () => {
    const { vm, dev } = attach();
    expect(dev.ports).toEqual(['e9', '400', '401', '402', '403', '8900']);
    for (const p of [0xe9, 0x400, 0x401, 0x402, 0x403, 0x8900]) expect(vm.isHooked(p)).toBe(true);
  });

  it('leaves ports out of the selection unhooked', () => {
    const { vm } = attach({ ports: ['e9', '8900'] });
    expect(vm.isHooked(0xe9)).toBe(true);
    expect(vm.isHooked(0x8900)).toBe(true);
    for (const p of [0x400, 0x401, 0x402, 0x403]) expect(vm.isHooked(p)).toBe(false);
  });

  it('refuses bad keys', () => {
    const v = (cfg: Record<string, unknown>): string[] => bochsDebug.validate!({ class: 'BOCHS_DEBUG', id: 'b', ...cfg });
    expect(v({})).toEqual([]);
    expect(v({ ports: ['e9', '402'], stream: 'x' })).toEqual([]);
    expect(v({ ports: 'e9' })).toEqual([expect.stringMatching(/^ports: expected an array of 'e9' \| '400'/)]);
    expect(v({ ports: [] })).toEqual([expect.stringMatching(/^ports: .*at least one port/)]);
    expect(v({ ports: ['e9', 'e8'] })).toEqual([expect.stringMatching(/^ports\[1\]: expected 'e9' \| .*got "e8"/)]);
    expect(v({ ports: ['402', '402'] })).toEqual(["ports[1]: '402' is listed twice"]);
    expect(v({ ports: ['402'], stream: 'x' })).toEqual([expect.stringMatching(/^stream: expected 'e9' in ports/)]);
    expect(v({ stream: 3 })).toEqual(['stream: expected a non-empty stream name, got 3']);
    expect(v({ e9: true })).toEqual([expect.stringMatching(/^e9: unknown key/)]);
  });
});

describe('checkpoint, reset, free', () => {
  it('saves and loads partial lines, the panic flag and the shutdown matcher', () => {
    const a = attach();
    write(a.vm, 0xe9, 'con');
    write(a.vm, 0x402, 'inf');
    write(a.vm, 0x8900, 'Shut');
    const b = attach();
    b.dev.load(JSON.parse(JSON.stringify(a.dev.save())));
    write(b.vm, 0xe9, 'sole\n');
    write(b.vm, 0x402, 'o\n');
    write(b.vm, 0x8900, 'down');
    expect(printed(b.vm)).toEqual(['BOCHS_CONSOLE> console', 'BOCHS_INFO> info']);
    expect(b.vm.powerRequests).toHaveLength(1);
    expect(() => b.dev.load({ console: [], info: [], debug: [], panicArmed: false, shutdownMatched: 9 })).toThrow(/load: bad state/);
  });

  it('prints partial lines on reset and free, and forgets a half-written Shutdown on reset', () => {
    const { vm, dev } = attach({ stream: 'e9.log' });
    write(vm, 0xe9, 'tail');
    write(vm, 0x8900, 'Shutdo');
    dev.reset();
    write(vm, 0x8900, 'wn');
    expect(vm.powerRequests).toEqual([]);
    write(vm, 0x403, 'dbg');
    dev.free();
    expect(printed(vm)).toEqual(['BOCHS_CONSOLE> tail', 'BOCHS_DEBUG> dbg']);
    expect(vm.isHooked(0xe9)).toBe(false);
    expect(vm.stream('e9.log').closed).toBe(true);
  });
});

describe('fuzz', () => {
  it('survives the seeded register fuzz with only its own V3Errors', () => {
    for (const seed of [1, 99]) {
      const { vm } = attach();
      const stops = fuzzPorts(vm, [0xe9, 0x400, 0x401, 0x402, 0x403, 0x8900], { seed, steps: 3000, deviceId: 'bochs' });
      expect(stops).toBeGreaterThan(0);
    }
  });
});

describe('debug output', () => {
  it('traces bytes when built with DEBUG_BOCHS_DEBUG and switched on', () => {
    const { vm } = attach();
    vm.debugComponents.add('BOCHS_DEBUG');
    vm.outb(0xe9, 0x41);
    const lines = vm.log.filter((l) => l.startsWith('debug BOCHS_DEBUG: '));
    expect(lines).toEqual(__DEBUG_BOCHS_DEBUG__ ? ['debug BOCHS_DEBUG: bochs_debug: 0x00e9 <- 0x41'] : []);
  });
});
