import { pci } from '@v3/dev-pci';
import { createTestHost, fuzzPorts, pciConfigRead, pciConfigWrite, v3ErrorFrom, type TestHost } from '@v3/device-testkit';
import { describe, expect, it } from 'vitest';
import { i440fx, type I440fx, type PamMemoryControl } from './index.js';

const addr = (slot: number, fn: number, reg: number): number => (0x8000_0000 | (slot << 11) | (fn << 8) | (reg & 0xfc)) >>> 0;

/** The host bridge is 00:00.0. */
const PMC = { slot: 0, fn: 0 };

function cfgRead(vm: TestHost, reg: number, size: 1 | 2 | 4 = 4): number {
  return pciConfigRead(vm, PMC, reg, size);
}

function cfgWrite(vm: TestHost, reg: number, value: number, size: 1 | 2 | 4 = 1): void {
  pciConfigWrite(vm, PMC, reg, value, size);
}

function expectV3(fn: () => unknown, re: RegExp, component = 'northbridge'): void {
  const e = v3ErrorFrom(fn);
  expect(e.detail.component).toBe(component);
  expect(e.message).toMatch(re);
}

function setup(): { vm: TestHost; nb: I440fx } {
  const vm = createTestHost();
  vm.attach(pci, { id: 'pci0' });
  const nb = vm.attach(i440fx, { id: 'northbridge', bus: 'pci0' });
  return { vm, nb };
}

class RecordingMemory implements PamMemoryControl {
  readonly calls: [number, number, boolean, boolean][] = [];
  onPamChange(base: number, size: number, readRam: boolean, writeRam: boolean): void {
    this.calls.push([base, size, readRam, writeRam]);
  }
}

describe('i440FX identity at 00:00.0', () => {
  it('reads as an Intel 82441FX host bridge, revision 2', () => {
    const { vm, nb } = setup();
    expect(nb.pci.slot).toBe(0);
    expect(nb.pci.fn).toBe(0);
    expect(cfgRead(vm, 0x00)).toBe(0x1237_8086);
    expect(cfgRead(vm, 0x08)).toBe(0x0600_0002);
    expect(cfgRead(vm, 0x0e, 1)).toBe(0x00);
    expect(cfgRead(vm, 0x04)).toBe(0x0280_0006);
    expect(cfgRead(vm, 0x3c)).toBe(0);
    expect(cfgRead(vm, 0x10)).toBe(0); // no BARs
  });

  it('keeps PCICMD bits 1-2 hardwired and lets MWI, PERR and SERR change', () => {
    const { vm } = setup();
    cfgWrite(vm, 0x04, 0x0000, 2);
    expect(cfgRead(vm, 0x04, 2)).toBe(0x0006);
    cfgWrite(vm, 0x04, 0xffff, 2);
    expect(cfgRead(vm, 0x04, 2)).toBe(0x0156);
    cfgWrite(vm, 0x0d, 0xff);
    expect(cfgRead(vm, 0x0d, 1)).toBe(0xf8); // MLT bits 7-3
  });

  it('refuses a bus that is not a PCI device, and bad configuration', () => {
    const vm = createTestHost();
    vm.provide('notabus', {});
    expect(() => vm.attach(i440fx, { id: 'nb', bus: 'notabus' })).toThrow(/not a PCI bus/);
    expect(() => vm.attach(i440fx, { id: 'nb', bus: '' })).toThrow(/bus: expected the id of a PCI device/);
    expect(() => vm.attach(i440fx, { id: 'nb', bus: 'pci0', memory: 64 } as never)).toThrow(/memory: unknown key/);
  });
});

describe('PMC registers', () => {
  it('reset to the datasheet values', () => {
    const { vm } = setup();
    expect(cfgRead(vm, 0x50)).toBe(0x8080_0000); // PMCCFG, DETURBO, DBC
    expect(cfgRead(vm, 0x54)).toBe(0x0100_0000); // AXC, DRT, DRAMC
    expect(cfgRead(vm, 0x58)).toBe(0x0000_0010); // DRAMT, PAM0-2
    expect(cfgRead(vm, 0x5c)).toBe(0);
    expect(cfgRead(vm, 0x60)).toBe(0x0101_0101); // DRB0-3
    expect(cfgRead(vm, 0x64)).toBe(0x0101_0101); // DRB4-7
    expect(cfgRead(vm, 0x68)).toBe(0);
    expect(cfgRead(vm, 0x70)).toBe(0x0002_1020); // MTT, CLT, SMRAM
    expect(cfgRead(vm, 0x90)).toBe(0);
  });

  it('stores DRAM rows, type, control and timing', () => {
    const { vm } = setup();
    cfgWrite(vm, 0x60, 0x2010_0804, 4);
    cfgWrite(vm, 0x64, 0x4040_4040, 4);
    cfgWrite(vm, 0x55, 0x0203, 2);
    cfgWrite(vm, 0x57, 0x41);
    cfgWrite(vm, 0x58, 0x12);
    expect(cfgRead(vm, 0x60)).toBe(0x2010_0804);
    expect(cfgRead(vm, 0x64)).toBe(0x4040_4040);
    expect(cfgRead(vm, 0x54)).toBe(0x4102_0300);
    expect(cfgRead(vm, 0x58, 1)).toBe(0x12);
  });

  it('reads reserved registers as 0, accepts 0 there and fails stop on anything else', () => {
    const { vm } = setup();
    expect(cfgRead(vm, 0x40)).toBe(0);
    expect(cfgRead(vm, 0xfc)).toBe(0);
    cfgWrite(vm, 0x73, 0x00);
    cfgWrite(vm, 0x70, 0x0002_1020, 4); // MTT/CLT/SMRAM as they are, reserved 0x73 = 0
    expectV3(() => cfgWrite(vm, 0x73, 0x01), /reserved configuration register 0x73/);
    expectV3(() => cfgWrite(vm, 0x40, 0xff), /reserved configuration register 0x40/);
  });

  it('fails stop on a fixed DRAM hole', () => {
    const { vm } = setup();
    cfgWrite(vm, 0x68, 0x00);
    expectV3(() => cfgWrite(vm, 0x68, 0x80), /fixed DRAM hole/);
    expect(cfgRead(vm, 0x68, 1)).toBe(0);
  });

  it('locks SMRAM with D_LCK and refuses to open SMRAM to ordinary accesses', () => {
    const { vm } = setup();
    cfgWrite(vm, 0x72, 0x0a); // G_SMRAME
    expect(cfgRead(vm, 0x72, 1)).toBe(0x0a);
    cfgWrite(vm, 0x72, 0x00);
    expect(cfgRead(vm, 0x72, 1)).toBe(0x02); // C_BASE_SEG is hardwired 010
    cfgWrite(vm, 0x72, 0x40); // D_OPEN without G_SMRAME: nothing is mapped
    expect(cfgRead(vm, 0x72, 1)).toBe(0x42);
    expectV3(() => cfgWrite(vm, 0x72, 0x48), /opens SMRAM/);
    expectV3(() => cfgWrite(vm, 0x72, 0x60), /D_OPEN and D_CLS/);
    cfgWrite(vm, 0x72, 0x5a); // D_LCK clears D_OPEN
    expect(cfgRead(vm, 0x72, 1)).toBe(0x1a);
    cfgWrite(vm, 0x72, 0x42); // locked: D_OPEN, D_LCK, G_SMRAME stay
    expect(cfgRead(vm, 0x72, 1)).toBe(0x1a);
    cfgWrite(vm, 0x72, 0x3a); // D_CLS still writable
    expect(cfgRead(vm, 0x72, 1)).toBe(0x3a);
  });
});

describe('PAM shadowing', () => {
  it('without a memory map: PAM stays at its reset value and a change fails stop', () => {
    const { vm, nb } = setup();
    cfgWrite(vm, 0x59, 0x00);
    cfgWrite(vm, 0x5a, 0xcc); // reserved bits only: no segment changes
    expect(cfgRead(vm, 0x5a, 1)).toBe(0);
    expectV3(() => cfgWrite(vm, 0x59, 0x30), /PAM0 = 0x30 would route 0xf0000-0xfffff to DRAM for reads and writes, but the VMM has not connected a memory map/);
    expectV3(() => cfgWrite(vm, 0x5a, 0x01), /PAM1 = 0x1 would route 0xc0000-0xc3fff to DRAM for reads, PCI for writes/);
    expect(cfgRead(vm, 0x58)).toBe(0x0000_0010);
    expect(nb.pamSegments().every((s) => !s.readRam && !s.writeRam)).toBe(true);
  });

  it('reports every segment when the memory map connects, then each change', () => {
    const { vm, nb } = setup();
    const mem = new RecordingMemory();
    nb.connectMemory(mem);
    expect(mem.calls.length).toBe(13);
    expect(mem.calls.every(([, , r, w]) => !r && !w)).toBe(true);
    expect(mem.calls.map(([b]) => b).sort((a, b) => a - b)[0]).toBe(0xc0000);
    mem.calls.length = 0;

    // The BIOS's shadow sequence: write-enable, copy, then read-only.
    cfgWrite(vm, 0x59, 0x30);
    expect(mem.calls).toEqual([[0xf0000, 0x10000, true, true]]);
    cfgWrite(vm, 0x59, 0x10);
    expect(mem.calls.at(-1)).toEqual([0xf0000, 0x10000, true, false]);
    mem.calls.length = 0;

    cfgWrite(vm, 0x5a, 0x31); // PAM1: C0000 read-only, C4000 read/write
    expect(mem.calls).toEqual([
      [0xc0000, 0x4000, true, false],
      [0xc4000, 0x4000, true, true],
    ]);
    mem.calls.length = 0;
    cfgWrite(vm, 0x5c, 0x3333_2233, 4); // PAM3-PAM6 in one dword
    expect(mem.calls).toEqual([
      [0xd0000, 0x4000, true, true],
      [0xd4000, 0x4000, true, true],
      [0xd8000, 0x4000, false, true],
      [0xdc000, 0x4000, false, true],
      [0xe0000, 0x4000, true, true],
      [0xe4000, 0x4000, true, true],
      [0xe8000, 0x4000, true, true],
      [0xec000, 0x4000, true, true],
    ]);
    // Rewriting the same value reports nothing; reserved bits are dropped.
    mem.calls.length = 0;
    cfgWrite(vm, 0x5a, 0xff);
    expect(mem.calls).toEqual([[0xc0000, 0x4000, true, true]]);
    expect(cfgRead(vm, 0x5a, 1)).toBe(0x33);
    cfgWrite(vm, 0x5a, 0x33);
    expect(mem.calls.length).toBe(1);

    const segs = nb.pamSegments();
    expect(segs.length).toBe(13);
    expect(segs[0]).toEqual({ base: 0xc0000, size: 0x4000, readRam: true, writeRam: true });
    expect(segs.at(-1)).toEqual({ base: 0xf0000, size: 0x10000, readRam: true, writeRam: false });

    // Reset sends every shadowed segment back to the ROM side.
    mem.calls.length = 0;
    nb.reset();
    expect(mem.calls.length).toBe(11);
    expect(mem.calls.every(([, , r, w]) => !r && !w)).toBe(true);
    expect(cfgRead(vm, 0x58)).toBe(0x0000_0010);
  });

  it('saves and loads the registers, telling the memory map what moved', () => {
    const a = setup();
    a.nb.connectMemory(new RecordingMemory());
    cfgWrite(a.vm, 0x59, 0x10);
    cfgWrite(a.vm, 0x60, 0x08);
    cfgWrite(a.vm, 0x72, 0x1a);
    const state = JSON.parse(JSON.stringify(a.nb.save()));

    const b = setup();
    expect(() => b.nb.load(state)).toThrow(/no memory map is connected/);
    const mem = new RecordingMemory();
    b.nb.connectMemory(mem);
    mem.calls.length = 0;
    b.nb.load(state);
    expect(mem.calls).toEqual([[0xf0000, 0x10000, true, false]]);
    expect(cfgRead(b.vm, 0x60, 1)).toBe(0x08);
    expect(cfgRead(b.vm, 0x72, 1)).toBe(0x1a);
    expect(() => b.nb.load({ regs: [1, 2] })).toThrow(/bad state/);
    const hole = [...state.regs];
    hole[0x68] = 0x80;
    expect(() => b.nb.load({ regs: hole })).toThrow(/fixed DRAM hole/);
    expect(cfgRead(b.vm, 0x68, 1)).toBe(0);
  });
});

describe('register fuzz', () => {
  it('only ever fails stop naming the i440FX, with and without a memory map', () => {
    for (const connect of [false, true]) {
      const { vm, nb } = setup();
      if (connect) nb.connectMemory(new RecordingMemory());
      let stops = 0;
      for (let seed = 1; seed <= 64; seed++) {
        vm.outl(0xcf8, addr(0, 0, 0x40 + ((seed * 4) & 0xbc)));
        stops += fuzzPorts(vm, [0xcfc, 0xcfd, 0xcfe, 0xcff], { seed, steps: 100, deviceId: 'northbridge' });
        vm.outl(0xcf8, addr(0, 0, 0x50 + ((seed * 4) & 0x2c)));
        stops += fuzzPorts(vm, [0xcfc, 0xcfd, 0xcfe, 0xcff], { seed: seed + 1000, steps: 100, deviceId: 'northbridge' });
      }
      expect(stops).toBeGreaterThan(0);
    }
  });
});
