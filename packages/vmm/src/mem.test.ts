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

describe('legacy BIOS area and shadowing (82441FX PAM semantics)', () => {
  function legacy() {
    const m = new MemoryMap(new Uint8Array(0x200000), new Telemetry());
    let flushes = 0;
    m.onFramesChanged = () => void flushes++;
    const rom = new Uint8Array(0x10000).fill(0xab);
    m.addShadowRom(0xf0000, rom, 'BIOS');
    m.ram.fill(0x11, 0xf0000, 0x100000);
    return { m, flushes: () => flushes };
  }

  it('starts on the ROM side: reads see the ROM, writes are dropped; empty pages read all ones', () => {
    const { m } = legacy();
    expect(m.frameFlags[0xf0]).toBe(FrameFlag.Bus);
    expect(m.read(0xf1234, 2)).toBe(0xabab);
    m.write(0xf1234, 1, 0x55);
    expect(m.read(0xf1234, 1)).toBe(0xab);
    expect(m.ram[0xf1234]).toBe(0x11);
    expect(m.read(0xc8000, 4)).toBe(0xffffffff); // no option ROM there
    expect(m.shadowRouting(0xf0000)).toEqual({ readRam: false, writeRam: false });
  });

  it('routes each RE/WE combination as the PAM table says', () => {
    const { m, flushes } = legacy();
    // RE=0 WE=1 (write only): writes reach DRAM, reads still come from the ROM.
    m.setShadow(0xf0000, 0x10000, false, true);
    m.write(0xf0010, 2, 0x1234);
    expect(m.ram[0xf0010]).toBe(0x34);
    expect(m.read(0xf0010, 2)).toBe(0xabab);
    expect(m.frameFlags[0xf0]).toBe(FrameFlag.Bus);
    // RE=1 WE=1: plain RAM, direct for the CPU.
    m.setShadow(0xf0000, 0x10000, true, true);
    expect(m.frameFlags[0xf0]).toBe(FrameFlag.Ram);
    expect(m.frameFlags[0xff]).toBe(FrameFlag.Ram);
    // RE=1 WE=0 (read only): reads from DRAM, writes dropped.
    m.setShadow(0xf0000, 0x10000, true, false);
    expect(m.frameFlags[0xf0]).toBe(FrameFlag.Bus);
    expect(m.read(0xf0010, 4)).toBe(0x11111234);
    m.write(0xf0010, 1, 0x99);
    expect(m.ram[0xf0010]).toBe(0x34);
    // RE=0 WE=0: everything to the ROM side again.
    m.setShadow(0xf0000, 0x10000, false, false);
    expect(m.read(0xf0010, 1)).toBe(0xab);
    expect(flushes()).toBe(4);
  });

  it('routes 16 KiB segments independently and refuses ranges outside the area', () => {
    const { m } = legacy();
    m.setShadow(0xc0000, 0x4000, true, true);
    expect(m.frameFlags[0xc0]).toBe(FrameFlag.Ram);
    expect(m.frameFlags[0xc3]).toBe(FrameFlag.Ram);
    expect(m.frameFlags[0xc4]).toBe(FrameFlag.Bus);
    expect(() => m.setShadow(0xa0000, 0x4000, true, true)).toThrow(/inside 0xc0000-0xfffff/);
    expect(() => m.setShadow(0xc0100, 0x4000, true, true)).toThrow(/whole pages/);
  });

  it('refuses two ROMs on one page, naming both', () => {
    const { m } = legacy();
    m.addShadowRom(0xc0000, new Uint8Array(0x8000).fill(1), 'VGA BIOS');
    expect(() => m.addShadowRom(0xc7000, new Uint8Array(0x1000), 'NIC ROM')).toThrow(/already holds VGA BIOS, requested by NIC ROM/);
    expect(() => m.addShadowRom(0xbf000, new Uint8Array(0x1000), 'X')).toThrow(/inside 0xc0000-0xfffff/);
  });
});
