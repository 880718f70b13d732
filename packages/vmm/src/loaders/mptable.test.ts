import { describe, expect, it } from 'vitest';
import type { CpuState } from '@v3/x86';
import type { FirmwareDescription } from '@v3/device-api';
import type { V3Engine } from '../engine.js';
import { MemoryMap } from '../mem.js';
import { Telemetry } from '../telemetry.js';
import type { V3VmInfo } from '../vm.js';
import { pcMemoryMap } from './e820.js';
import { bootLinux } from './linux.js';
import { bootMultiboot } from './multiboot.js';
import { buildMpTable, byteSum, MP_TABLE_ADDR, writeMpTable } from './mptable.js';

/** The PC wiring of the IO-APIC device: ISA IRQ 0 on pin 2, IRQ 2 (the cascade) on none. */
const pcPinOf = (line: number): number => (line === 0 ? 2 : line === 2 ? -1 : line);

const LAPIC: FirmwareDescription = { kind: 'local-apic', base: 0xfee00000, apicIds: [0], version: 0x14 };
/** An IO-APIC with the 8259A's INTR on pin 0, as in the MP specification's default configurations. */
const IOAPIC: FirmwareDescription = { kind: 'io-apic', base: 0xfec00000, apicId: 1, version: 0x11, pins: 24, pinOf: pcPinOf, extIntPin: 0 };

function fakeVm(described: FirmwareDescription[]): { vm: V3VmInfo; engine: V3Engine; ram: Uint8Array } {
  const ram = new Uint8Array(16 << 20);
  const devices = described.map((d, i) => ({ id: `d${i}`, className: 'X', instance: { firmwareDescription: () => d } }));
  // A device without a description (a UART) is skipped.
  devices.push({ id: 'com1', className: 'SERIAL', instance: {} as never });
  const vm = { name: 't', mem: new MemoryMap(ram, new Telemetry()), devMgr: { devices } } as unknown as V3VmInfo;
  const state: Partial<CpuState> = {};
  const engine = {
    setState: (s: Partial<CpuState>) => Object.assign(state, s),
    // CPUID.01H as the guest sees it: a family 6 model 3 stepping 3 signature; FPU, TSC, APIC.
    cpuid: (leaf: number) => (leaf === 1 ? [0x633, 0, 0, 0x211] : [0, 0, 0, 0]),
  } as unknown as V3Engine;
  return { vm, engine, ram };
}

const str = (b: Uint8Array, at: number, n: number): string => String.fromCharCode(...b.subarray(at, at + n));

/**
 * Find the floating pointer the way the MP specification (4.1) tells an OS to, and Linux's
 * smp_scan_config does: "_MP_" on a 16-byte boundary, length 1 paragraph, bytes summing to 0, in
 * the first KiB, the last KiB of base memory, or the BIOS ROM at 0xF0000-0xFFFFF.
 */
function scan(ram: Uint8Array): number {
  for (const [base, len] of [[0, 0x400], [639 * 0x400, 0x400], [0xf0000, 0x10000]] as const) {
    for (let a = base; a < base + len; a += 16) {
      if (str(ram, a, 4) === '_MP_' && ram[a + 8] === 1 && byteSum(ram.subarray(a, a + 16)) === 0) return a;
    }
  }
  return -1;
}

interface Entry {
  type: number;
  bytes: Uint8Array;
}

/** Walk the configuration table's entries by the lengths of spec table 4-3. */
function entries(ram: Uint8Array, table: number): Entry[] {
  const dv = new DataView(ram.buffer, ram.byteOffset);
  const count = dv.getUint16(table + 34, true);
  const out: Entry[] = [];
  let o = table + 44;
  for (let i = 0; i < count; i++) {
    const type = ram[o] as number;
    const len = type === 0 ? 20 : 8;
    expect(type).toBeLessThanOrEqual(4);
    out.push({ type, bytes: ram.slice(o, o + len) });
    o += len;
  }
  expect(o - table).toBe(dv.getUint16(table + 4, true)); // base table length covers exactly the entries
  return out;
}

describe('MP table (MultiProcessor Specification 1.4)', () => {
  it('has a floating pointer and a configuration table with valid checksums, found where the spec says to look', () => {
    const { vm, engine, ram } = fakeVm([LAPIC, IOAPIC]);
    expect(writeMpTable(vm, engine)).toBe(true);
    const fp = scan(ram);
    expect(fp).toBe(MP_TABLE_ADDR);
    const dv = new DataView(ram.buffer);
    expect(ram[fp + 9]).toBe(4); // spec revision 1.4
    expect(ram[fp + 11]).toBe(0); // feature byte 1: a configuration table is present
    expect(ram[fp + 12]! & 0x80).toBe(0); // IMCRP clear: virtual-wire mode (no IMCR)
    const table = dv.getUint32(fp + 4, true);
    expect(str(ram, table, 4)).toBe('PCMP');
    const len = dv.getUint16(table + 4, true);
    expect(ram[table + 6]).toBe(4);
    expect(byteSum(ram.subarray(table, table + len))).toBe(0);
    expect(dv.getUint32(table + 36, true)).toBe(0xfee00000); // local APIC address
    expect(dv.getUint16(table + 40, true)).toBe(0); // no extended table
    // The whole structure sits in memory the e820 map reports as reserved.
    const reserved = pcMemoryMap(16 << 20).filter((e) => e.type === 2);
    expect(reserved.some((e) => fp >= e.addr && table + len <= e.addr + e.size)).toBe(true);
  });

  it('lists the BSP, the ISA bus, the IO-APIC, ISA IRQs with IRQ 0 on pin 2, ExtINT on pin 0, LINT0 ExtINT and LINT1 NMI, in type order', () => {
    const { vm, engine, ram } = fakeVm([LAPIC, IOAPIC]);
    writeMpTable(vm, engine);
    const dv = new DataView(ram.buffer);
    const list = entries(ram, dv.getUint32(MP_TABLE_ADDR + 4, true));
    const types = list.map((e) => e.type);
    expect(types).toEqual([...types].sort((a, b) => a - b));

    const cpus = list.filter((e) => e.type === 0);
    expect(cpus).toHaveLength(1);
    const cpu = new DataView(cpus[0]!.bytes.buffer);
    expect(cpu.getUint8(1)).toBe(0); // local APIC ID
    expect(cpu.getUint8(2)).toBe(0x14); // local APIC version
    expect(cpu.getUint8(3)).toBe(0x03); // EN | BP
    expect(cpu.getUint32(4, true)).toBe(0x633); // CPU signature from CPUID.01H:EAX
    expect(cpu.getUint32(8, true)).toBe(0x211); // feature flags from CPUID.01H:EDX

    const buses = list.filter((e) => e.type === 1);
    expect(buses.map((b) => [b.bytes[1], str(b.bytes, 2, 6)])).toEqual([[0, 'ISA   ']]);

    const ioapics = list.filter((e) => e.type === 2);
    expect(ioapics).toHaveLength(1);
    const io = new DataView(ioapics[0]!.bytes.buffer);
    expect([io.getUint8(1), io.getUint8(2), io.getUint8(3), io.getUint32(4, true)]).toEqual([1, 0x11, 1, 0xfec00000]);

    // I/O interrupt entries: [interrupt type, flags, source bus, source IRQ, IO-APIC ID, pin].
    const ioints = list.filter((e) => e.type === 3).map((e) => {
      const d = new DataView(e.bytes.buffer);
      return [d.getUint8(1), d.getUint16(2, true), d.getUint8(4), d.getUint8(5), d.getUint8(6), d.getUint8(7)];
    });
    const expected = [[0, 0, 0, 0, 1, 2]];
    for (let irq = 1; irq < 16; irq++) if (irq !== 2) expected.push([0, 0, 0, irq, 1, irq]);
    expected.push([3, 0, 0, 0, 1, 0]); // the 8259A's INTR as ExtINT on pin 0
    expect(ioints).toEqual(expected);

    // Local interrupt entries: [interrupt type, flags, source bus, source IRQ, local APIC, LINTIN].
    const lints = list.filter((e) => e.type === 4).map((e) => {
      const d = new DataView(e.bytes.buffer);
      return [d.getUint8(1), d.getUint16(2, true), d.getUint8(4), d.getUint8(5), d.getUint8(6), d.getUint8(7)];
    });
    expect(lints).toEqual([
      [3, 0, 0, 0, 0xff, 0], // LINT0 ExtINT on every local APIC
      [1, 0, 0, 0, 0xff, 1], // LINT1 NMI
    ]);
  });

  it('follows the IO-APIC wiring it is given: no ExtINT entry when the 8259A is on no pin', () => {
    const table = buildMpTable(0x9fc00, {
      lapicBase: 0xfee00000,
      cpus: [{ apicId: 0, version: 0x14, signature: 0x633, features: 0 }],
      ioapic: { apicId: 2, version: 0x11, base: 0xfec00000, pinOf: (l) => l, extIntPin: -1 },
    });
    const ram = new Uint8Array(0xa0000);
    ram.set(table, 0x9fc00);
    const list = entries(ram, 0x9fc10).filter((e) => e.type === 3);
    expect(list).toHaveLength(16);
    expect(list.every((e) => e.bytes[1] === 0 && e.bytes[5] === e.bytes[7] && e.bytes[6] === 2)).toBe(true);
    expect(byteSum(table.subarray(0, 16))).toBe(0);
    expect(byteSum(table.subarray(16))).toBe(0);
    const pcNoExtInt = buildMpTable(0x9fc00, {
      lapicBase: 0xfee00000,
      cpus: [{ apicId: 0, version: 0x14, signature: 0x633, features: 0 }],
      ioapic: { apicId: 1, version: 0x11, base: 0xfec00000, pinOf: pcPinOf, extIntPin: -1 },
    });
    ram.set(pcNoExtInt, 0x9fc00);
    expect(entries(ram, 0x9fc10).filter((e) => e.type === 3).map((e) => [e.bytes[1], e.bytes[5], e.bytes[7]])).toEqual(
      [[0, 0, 2], ...[1, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15].map((irq) => [0, irq, irq])],
    );
  });

  it('is not written without both a local APIC and an IO-APIC', () => {
    for (const set of [[], [LAPIC], [IOAPIC]]) {
      const { vm, engine, ram } = fakeVm(set);
      expect(writeMpTable(vm, engine)).toBe(false);
      expect(scan(ram)).toBe(-1);
    }
  });

  it('is written by the Linux and the Multiboot loaders', () => {
    const bz = new Uint8Array(5 * 512 + 4);
    const bdv = new DataView(bz.buffer);
    bz[0x1f1] = 4;
    bdv.setUint16(0x1fe, 0xaa55, true);
    bz[0x201] = 0x66;
    bdv.setUint32(0x202, 0x53726448, true);
    bdv.setUint16(0x206, 0x020a, true);
    bz[0x211] = 0x01;
    bdv.setUint32(0x238, 255, true);
    const linux = fakeVm([LAPIC, IOAPIC]);
    bootLinux(linux.vm, linux.engine, bz, null, '');
    expect(scan(linux.ram)).toBe(MP_TABLE_ADDR);

    const mb = new Uint8Array(0x200);
    const mdv = new DataView(mb.buffer);
    mdv.setUint32(0x40, 0x1badb002, true);
    mdv.setUint32(0x44, 0x00010003, true);
    mdv.setUint32(0x48, -(0x1badb002 + 0x00010003) >>> 0, true);
    mdv.setUint32(0x4c, 0x100040, true);
    mdv.setUint32(0x50, 0x100000, true);
    mdv.setUint32(0x5c, 0x100100, true);
    const multiboot = fakeVm([LAPIC, IOAPIC]);
    bootMultiboot(multiboot.vm, multiboot.engine, mb, '', []);
    expect(scan(multiboot.ram)).toBe(MP_TABLE_ADDR);
  });
});
