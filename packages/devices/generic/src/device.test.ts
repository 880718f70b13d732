import { describe, expect, it } from 'vitest';
import { V3Error } from '@v3/device-api';
import { createTestHost, fuzzPorts, type TestHost } from '@v3/device-testkit';
import { generic, type GenericConfig, type Generic } from './index.js';

function attach(ranges: GenericConfig['ranges']): { vm: TestHost; dev: Generic } {
  const vm = createTestHost();
  const dev = vm.attach(generic, { id: 'gen', ranges });
  return { vm, dev };
}

const v = (cfg: Record<string, unknown>): string[] => generic.validate!({ class: 'GENERIC', id: 'g', ...cfg });

describe('GENERIC ignore mode', () => {
  it('claims every port of an inclusive range and nothing beyond', () => {
    const { vm } = attach([{ start: 0x80, end: 0x8f, mode: 'ignore' }]);
    for (let p = 0x80; p <= 0x8f; p++) expect(vm.isHooked(p)).toBe(true);
    expect(vm.isHooked(0x7f)).toBe(false);
    expect(vm.isHooked(0x90)).toBe(false);
  });

  it('reads 0xFF in every byte (a floating ISA bus) and drops writes, silently', () => {
    const { vm } = attach([{ start: 0x80, end: 0x83, mode: 'ignore' }]);
    vm.outb(0x80, 0x12);
    vm.outw(0x82, 0x3456);
    vm.outl(0x80, 0xdeadbeef);
    expect(vm.inb(0x80)).toBe(0xff);
    expect(vm.inb(0x83)).toBe(0xff);
    expect(vm.inw(0x82)).toBe(0xffff);
    expect(vm.inl(0x80)).toBe(0xffffffff);
    expect(vm.log).toEqual([]);
  });

  it('accepts start and end as hex strings', () => {
    const { vm, dev } = attach([{ start: '0x3B0', end: '0x3bb', mode: 'ignore' }]);
    expect(dev.ranges).toEqual([{ start: 0x3b0, end: 0x3bb, mode: 'ignore' }]);
    expect(vm.isHooked(0x3bb)).toBe(true);
  });
});

describe('GENERIC print mode', () => {
  it('prints each access, then ignores it', () => {
    const { vm } = attach([
      { start: 0x80, end: 0x80, mode: 'print' },
      { start: 0x3f0, end: 0x3f7, mode: 'ignore' },
    ]);
    vm.outb(0x80, 0x5a);
    expect(vm.inb(0x80)).toBe(0xff);
    vm.outw(0x80, 0x1234);
    vm.outb(0x3f2, 0x0c); // ignore range: not printed
    expect(vm.log).toEqual([
      'print gen: generic: OUT 1 byte(s) 0x5a to port 0x0080 (ignored)',
      'print gen: generic: IN 1 byte(s) from port 0x0080 -> 0xff (ignored)',
      'print gen: generic: OUT 2 byte(s) 0x1234 to port 0x0080 (ignored)',
    ]);
  });
});

describe('GENERIC configuration', () => {
  it('accepts good ranges', () => {
    expect(v({ ranges: [{ start: 0x80, end: 0x80, mode: 'ignore' }, { start: '0x81', end: '0x8f', mode: 'print' }] })).toEqual([]);
  });

  it('refuses bad modes with the key path', () => {
    const ranges = [
      { start: 1, end: 1, mode: 'ignore' },
      { start: 2, end: 2, mode: 'print' },
      { start: 3, end: 3, mode: 'loud' },
    ];
    expect(v({ ranges })).toEqual([`ranges[2].mode: expected 'ignore' | 'print', got "loud"`]);
  });

  it('refuses passthrough with a clear message', () => {
    expect(v({ ranges: [{ start: 0x60, end: 0x64, mode: 'passthrough' }] })).toEqual([
      `ranges[0].mode: 'passthrough' (real hardware ports) does not exist in a TypeScript VMM; expected 'ignore' | 'print'`,
    ]);
    expect(v({ ranges: [{ start: 0x60, end: 0x64, mode: 'print_and_passthrough' }] })[0]).toMatch(/does not exist in a TypeScript VMM/);
  });

  it('refuses inverted ranges', () => {
    expect(v({ ranges: [{ start: 0x90, end: 0x80, mode: 'ignore' }] })).toEqual(['ranges[0].end: expected a port >= start (0x0090), got 0x0080']);
  });

  it('refuses overlapping ranges, naming both', () => {
    const problems = v({
      ranges: [
        { start: 0x80, end: 0x8f, mode: 'ignore' },
        { start: 0xa0, end: 0xa1, mode: 'ignore' },
        { start: '0x8f', end: '0x9f', mode: 'print' },
      ],
    });
    expect(problems).toEqual(['ranges[2]: expected no overlap, but 0x008f-0x009f overlaps ranges[0] (0x0080-0x008f)']);
  });

  it('refuses bad ports, shapes and keys', () => {
    expect(v({})).toEqual(['ranges: expected an array of { start, end, mode }, got nothing']);
    expect(v({ ranges: [] })).toEqual(['ranges: expected at least one range, got []']);
    expect(v({ ranges: [{ start: 0x10000, end: '80', mode: 'ignore' }] })).toEqual([
      expect.stringMatching(/^ranges\[0\]\.start: expected a port 0x0-0xffff .*got 65536/),
      expect.stringMatching(/^ranges\[0\]\.end: expected a port 0x0-0xffff .*got "80"/),
    ]);
    expect(v({ ranges: [5] })).toEqual(['ranges[0]: expected { start, end, mode }, got 5']);
    expect(v({ ranges: [{ start: 1, end: 1, mode: 'ignore', width: 2 }] })).toEqual(['ranges[0].width: unknown key (expected start, end, mode)']);
    expect(v({ ranges: [{ start: 1, end: 1, mode: 'ignore' }], port: 1 })).toEqual(['port: unknown key (expected ranges)']);
  });

  it('is refused by the VMM before it hooks anything', () => {
    const vm = createTestHost();
    expect(() => vm.attach(generic, { id: 'gen', ranges: [{ start: 1, end: 0, mode: 'ignore' }] })).toThrow(V3Error);
    expect(vm.isHooked(0)).toBe(false);
  });

  it('collides with another device on the same port, as any hook does', () => {
    const vm = createTestHost();
    vm.attach(generic, { id: 'gen1', ranges: [{ start: 0x80, end: 0x80, mode: 'ignore' }] });
    expect(() => vm.attach(generic, { id: 'gen2', ranges: [{ start: 0x7f, end: 0x81, mode: 'ignore' }] })).toThrow(/already hooked by gen1/);
  });
});

describe('GENERIC lifecycle', () => {
  it('releases its ranges when freed', () => {
    const { vm, dev } = attach([{ start: 0x80, end: 0x81, mode: 'ignore' }]);
    dev.free();
    expect(vm.isHooked(0x80)).toBe(false);
  });

  it('survives the seeded register fuzz without a single fail stop', () => {
    const { vm } = attach([
      { start: 0x80, end: 0x8f, mode: 'ignore' },
      { start: 0xed, end: 0xed, mode: 'print' },
    ]);
    const ports = [...Array.from({ length: 16 }, (_, i) => 0x80 + i), 0xed];
    expect(fuzzPorts(vm, ports, { seed: 3, steps: 3000, deviceId: 'gen' })).toBe(0);
    expect(vm.log.length).toBeGreaterThan(0);
  });
});

describe('GENERIC debug output', () => {
  it('reports ignored accesses prefixed generic: when built with DEBUG_GENERIC and switched on', () => {
    const { vm } = attach([{ start: 0x80, end: 0x80, mode: 'ignore' }]);
    vm.debugComponents.add('GENERIC');
    vm.outb(0x80, 0x42);
    const lines = vm.log.filter((l) => l.startsWith('debug GENERIC: '));
    expect(lines).toEqual(__DEBUG_GENERIC__ ? ['debug GENERIC: generic: ignored OUT 1 0x42 to 0x0080'] : []);
  });
});

describe('GENERIC on a machine reset', () => {
  it('resets (there is no state) and keeps its ranges', () => {
    const vm = createTestHost();
    const g = vm.attach(generic, { id: 'post', ranges: [{ start: 0x80, end: 0x80, mode: 'ignore' }] });
    g.reset();
    expect(vm.inb(0x80)).toBe(0xff);
  });
});
