import { describe, expect, it } from 'vitest';
import { FrameFlag } from '@v3/x86';
import { MemoryMap } from './mem.js';
import { Telemetry } from './telemetry.js';

describe('guest-physical memory map', () => {
  it('flags RAM frames for direct access and the rest for the bus', () => {
    const m = new MemoryMap(new Uint8Array(0x10000), new Telemetry());
    expect(m.frameFlags[0]).toBe(FrameFlag.Ram);
    expect(m.frameFlags[15]).toBe(FrameFlag.Ram);
    expect(m.frameFlags[16]).toBe(FrameFlag.Bus);
  });

  it('serves ROM reads little-endian and drops ROM writes', () => {
    const m = new MemoryMap(new Uint8Array(0x100000), new Telemetry());
    m.addRom(0xf0000, Uint8Array.from([1, 2, 3, 4]), 'BIOS');
    expect(m.frameFlags[0xf0]).toBe(FrameFlag.Bus);
    expect(m.read(0xf0000, 4)).toBe(0x04030201);
    m.write(0xf0000, 1, 0xff);
    expect(m.read(0xf0000, 1)).toBe(1);
  });

  it('routes hooked regions by offset and refuses overlaps naming both owners', () => {
    const m = new MemoryMap(new Uint8Array(0x1000), new Telemetry());
    const seen: number[] = [];
    m.hook(0xfee00000, 0x1000, { read: (off) => off, write: (off, _s, v) => seen.push(off, v) }, 'APIC');
    expect(m.read(0xfee00020, 4)).toBe(0x20);
    m.write(0xfee000b0, 4, 0);
    expect(seen).toEqual([0xb0, 0]);
    expect(() => m.hook(0xfee00000, 0x1000, { read: () => 0, write: () => {} }, 'HPET')).toThrow(/already hooked by APIC, requested by HPET/);
    m.unhook(0xfee00000, 'APIC');
    expect(m.read(0xfee00020, 4)).toBe(0xffffffff); // nothing there any more: the bus floats
  });

  it('lets DMA reach RAM frames only, across frame boundaries', () => {
    const m = new MemoryMap(new Uint8Array(0x3000), new Telemetry());
    m.hook(0x1000, 0x1000, { read: () => 0x42, write: () => { throw new Error('DMA reached MMIO'); } }, 'DEV');
    m.dmaWrite(0xffe, Uint8Array.of(1, 2, 3, 4, 5));
    expect(Array.from(m.ram.subarray(0xffe, 0x1000))).toEqual([1, 2]);
    m.dmaWrite(0x2ffe, Uint8Array.of(6, 7, 8, 9));
    expect(Array.from(m.dmaRead(0xffe, 4))).toEqual([1, 2, 0xff, 0xff]);
    expect(Array.from(m.dmaRead(0x2ffe, 4))).toEqual([6, 7, 0xff, 0xff]);
  });

  it('reads all ones and drops writes where nothing is mapped, as a PC bus does', () => {
    const m = new MemoryMap(new Uint8Array(0x1000), new Telemetry());
    expect(m.read(0xcae5e6e0, 4)).toBe(0xffffffff);
    expect(m.read(0x2000, 2)).toBe(0xffff);
    m.write(0x2000, 1, 0);
    expect(m.read(0x2000, 1)).toBe(0xff);
    expect(m.unmappedAccesses).toBe(4);
  });

  it('fails stop where nothing is mapped when told to, and refuses images that do not fit', () => {
    const m = new MemoryMap(new Uint8Array(0x1000), new Telemetry());
    m.unmapped = 'fail';
    expect(() => m.read(0x2000, 1)).toThrow(/\[mem\] 1-byte read of guest-physical memory where nothing is mapped \(addr=0x00002000\)/);
    expect(() => m.load(0xf00, new Uint8Array(0x200), 'kernel')).toThrow(/does not fit/);
  });
});
