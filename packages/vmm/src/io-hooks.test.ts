import { describe, expect, it } from 'vitest';
import { V3Error } from '@v3/device-api';
import { IoMap } from './io-hooks.js';
import { Telemetry } from './telemetry.js';

describe('port table', () => {
  it('refuses a second hook on a taken port, naming both owners', () => {
    const io = new IoMap(new Telemetry());
    io.hook(0x60, () => 1, null, 'KEYBOARD');
    expect(() => io.hook(0x60, () => 2, null, 'MOUSE')).toThrow(/port already hooked by KEYBOARD, requested by MOUSE/);
  });

  it('fails stop on a port nothing hooks, naming the port', () => {
    const io = new IoMap(new Telemetry());
    expect(() => io.read(0x99, 1)).toThrow(V3Error);
    try {
      io.write(0x1234, 2, 7);
    } catch (e) {
      expect((e as V3Error).detail).toMatchObject({ component: 'io', port: 0x1234 });
      expect((e as Error).message).toMatch(/OUT \(2 bytes, value 0x7\) to a port nothing hooks \(port=0x1234\)/);
    }
  });

  it('floats unhooked ports only when the configuration says so', () => {
    const io = new IoMap(new Telemetry());
    io.unhooked = 'float';
    expect(io.read(0x99, 1)).toBe(0xff);
    expect(io.read(0x99, 2)).toBe(0xffff);
    expect(io.read(0x99, 4)).toBe(0xffffffff);
    expect(() => io.write(0x99, 1, 0)).not.toThrow();
    expect([...io.floated]).toEqual([[0x99, 4]]);
  });

  it('splits wide accesses into bytes for byte-only ports (the ISA bus)', () => {
    const t = new Telemetry();
    const io = new IoMap(t);
    const written: [number, number][] = [];
    for (const p of [0x70, 0x71]) io.hook(p, (port) => port & 0xff, (port, _s, v) => written.push([port, v]), 'RTC', [1]);
    expect(io.read(0x70, 2)).toBe(0x7170);
    io.write(0x70, 2, 0xbeef);
    expect(written).toEqual([[0x70, 0xef], [0x71, 0xbe]]);
    expect(t.ioExits).toBe(2);
  });

  it('refuses a size a port does not take when it takes no bytes', () => {
    const io = new IoMap(new Telemetry());
    io.hook(0xcf8, () => 0, () => {}, 'PCI', [4]);
    expect(() => io.read(0xcf8, 1)).toThrow(/1-byte IN not supported/);
  });

  it('lets only the owner unhook', () => {
    const io = new IoMap(new Telemetry());
    io.hook(0x80, null, () => {}, 'POST');
    expect(() => io.unhook(0x80, 'OTHER')).toThrow(/hooked by POST, not OTHER/);
    io.unhook(0x80, 'POST');
    expect(io.ownerOf(0x80)).toBe('');
    expect(() => io.write(0x80, 1, 0)).toThrow(/nothing hooks/);
  });

  it('fails stop on the direction a device did not give a handler for', () => {
    const io = new IoMap(new Telemetry());
    io.hook(0x80, null, () => {}, 'POST');
    expect(() => io.read(0x80, 1)).toThrow(/\[POST\] IN from a write-only port/);
  });
});
