import { V3Error } from '@v3/device-api';
import { createTestHost, fuzzPorts, pciConfigRead, pciConfigWrite, v3ErrorFrom, type TestHost } from '@v3/device-testkit';
import { describe, expect, it } from 'vitest';
import { pci, type Pci } from './index.js';
import type { PciDeviceOptions, PciIntxRouter } from './index.js';

const addr = (bus: number, slot: number, fn: number, reg: number): number => (0x8000_0000 | (bus << 16) | (slot << 11) | (fn << 8) | (reg & 0xfc)) >>> 0;

function cfgRead(vm: TestHost, slot: number, fn: number, reg: number, size: 1 | 2 | 4 = 4, bus = 0): number {
  return pciConfigRead(vm, { bus, slot, fn }, reg, size);
}

function cfgWrite(vm: TestHost, slot: number, fn: number, reg: number, value: number, size: 1 | 2 | 4 = 4): void {
  pciConfigWrite(vm, { slot, fn }, reg, value, size);
}

function expectV3(fn: () => unknown, re: RegExp, component = 'pci0'): void {
  const e = v3ErrorFrom(fn);
  expect(e.detail.component).toBe(component);
  expect(e.message).toMatch(re);
}

function setup(): { vm: TestHost; bus: Pci } {
  const vm = createTestHost();
  const bus = vm.attach(pci, { id: 'pci0' });
  return { vm, bus };
}

const TEST_DEV: PciDeviceOptions = {
  slot: 3,
  fn: 0,
  name: 'testdev',
  vendorId: 0x1234,
  deviceId: 0x5678,
  classCode: 0x020000,
  revision: 0x07,
  subsystemVendorId: 0x1af4,
  subsystemId: 0x1100,
  interruptPin: 1,
};

class RecordingRouter implements PciIntxRouter {
  readonly name = 'router';
  readonly levels = [false, false, false, false];
  readonly calls: [number, boolean][] = [];
  pirqChanged(pirq: number, asserted: boolean): void {
    this.levels[pirq] = asserted;
    this.calls.push([pirq, asserted]);
  }
  route(pirq: number): number | null {
    return pirq === 2 ? null : 9 + pirq;
  }
}

describe('PCI configuration mechanism #1', () => {
  it('reads 0xFFFFFFFF from every slot and function of an empty bus 0', () => {
    const { vm } = setup();
    for (let slot = 0; slot < 32; slot++) for (let fn = 0; fn < 8; fn++) expect(cfgRead(vm, slot, fn, 0)).toBe(0xffffffff);
    expect(cfgRead(vm, 5, 0, 0x0e, 1)).toBe(0xff);
    expect(cfgRead(vm, 5, 0, 0x02, 2)).toBe(0xffff);
  });

  it('latches CONFIG_ADDRESS on dword writes, reserved bits reading 0', () => {
    const { vm } = setup();
    vm.outl(0xcf8, 0x8000_0000);
    expect(vm.inl(0xcf8)).toBe(0x8000_0000);
    vm.outl(0xcf8, 0xffff_ffff);
    expect(vm.inl(0xcf8)).toBe(0x80ff_fffc);
    vm.outl(0xcf8, 0);
    expect(vm.inl(0xcf8)).toBe(0);
  });

  it("accepts Linux's outb(0x01, 0xCFB) probe and fails stop on other non-dword accesses", () => {
    const { vm } = setup();
    vm.outb(0xcfb, 0x01);
    expectV3(() => vm.outb(0xcfb, 0x00), /mechanism #2/);
    expectV3(() => vm.inb(0xcfb), /mechanism #2/);
    expectV3(() => vm.outb(0xcfa, 0), /mechanism #2/);
    expectV3(() => vm.outb(0xcf8, 0), /dword accesses only/);
    expectV3(() => vm.inw(0xcf8), /dword accesses only/);
    expect(vm.isHooked(0xcf9)).toBe(false); // the PIIX3's reset control register
  });

  it('fails stop on CONFIG_DATA with the enable bit clear, and on an access crossing the dword', () => {
    const { vm } = setup();
    vm.outl(0xcf8, 0x0000_0000);
    expectV3(() => vm.inl(0xcfc), /enable bit 31 clear/);
    vm.outl(0xcf8, 0x8000_0000);
    expectV3(() => vm.inw(0xcff), /crosses the CONFIG_DATA dword/);
    expectV3(() => vm.inl(0xcfd), /crosses/);
  });

  it('serves byte, word and dword reads at CONFIG_DATA offsets 0-3', () => {
    const { vm, bus } = setup();
    bus.registerDevice(TEST_DEV);
    expect(cfgRead(vm, 3, 0, 0x00)).toBe(0x5678_1234);
    expect(cfgRead(vm, 3, 0, 0x00, 1)).toBe(0x34);
    expect(cfgRead(vm, 3, 0, 0x01, 1)).toBe(0x12);
    expect(cfgRead(vm, 3, 0, 0x02, 1)).toBe(0x78);
    expect(cfgRead(vm, 3, 0, 0x03, 1)).toBe(0x56);
    expect(cfgRead(vm, 3, 0, 0x02, 2)).toBe(0x5678);
    expect(cfgRead(vm, 3, 0, 0x08)).toBe(0x0200_0007);
    expect(cfgRead(vm, 3, 0, 0x0a, 2)).toBe(0x0200);
    expect(cfgRead(vm, 3, 0, 0x09, 2)).toBe(0x0000); // word at offset 1: prog-if and sub-class
    expect(cfgRead(vm, 3, 0, 0x2c)).toBe(0x1100_1af4);
    expect(cfgRead(vm, 3, 0, 0x3d, 1)).toBe(1);
    expect(cfgRead(vm, 3, 0, 0x06, 2)).toBe(0x0200); // DEVSEL medium
    // Other functions of the slot, other slots and other buses stay absent.
    expect(cfgRead(vm, 3, 1, 0)).toBe(0xffffffff);
    expect(cfgRead(vm, 4, 0, 0)).toBe(0xffffffff);
    expect(cfgRead(vm, 3, 0, 0, 4, 1)).toBe(0xffffffff);
    // Writes to an absent device go nowhere.
    cfgWrite(vm, 9, 0, 0x04, 0xffff);
    expect(cfgRead(vm, 9, 0, 0x04)).toBe(0xffffffff);
  });

  it('ignores writes to read-only header fields', () => {
    const { vm, bus } = setup();
    bus.registerDevice(TEST_DEV);
    cfgWrite(vm, 3, 0, 0x00, 0xdeadbeef);
    cfgWrite(vm, 3, 0, 0x08, 0xffffffff);
    cfgWrite(vm, 3, 0, 0x2c, 0xffffffff);
    cfgWrite(vm, 3, 0, 0x3d, 0x04, 1);
    cfgWrite(vm, 3, 0, 0x30, 0xffffffff); // no expansion ROM: hardwired 0
    expect(cfgRead(vm, 3, 0, 0x00)).toBe(0x5678_1234);
    expect(cfgRead(vm, 3, 0, 0x08)).toBe(0x0200_0007);
    expect(cfgRead(vm, 3, 0, 0x2c)).toBe(0x1100_1af4);
    expect(cfgRead(vm, 3, 0, 0x3d, 1)).toBe(1);
    expect(cfgRead(vm, 3, 0, 0x30)).toBe(0);
  });

  it('keeps the Interrupt Line register read/write', () => {
    const { vm, bus } = setup();
    bus.registerDevice(TEST_DEV);
    expect(cfgRead(vm, 3, 0, 0x3c, 1)).toBe(0);
    cfgWrite(vm, 3, 0, 0x3c, 0x0b, 1);
    expect(cfgRead(vm, 3, 0, 0x3c)).toBe(0x0000_010b);
  });

  it('sets the multi-function bit of function 0 when another function joins the slot', () => {
    const { vm, bus } = setup();
    bus.registerDevice(TEST_DEV);
    expect(cfgRead(vm, 3, 0, 0x0e, 1)).toBe(0x00);
    const f1 = bus.registerDevice({ ...TEST_DEV, fn: 1, name: 'fn1', interruptPin: 2 });
    expect(cfgRead(vm, 3, 0, 0x0e, 1)).toBe(0x80);
    expect(cfgRead(vm, 3, 1, 0x00)).toBe(0x5678_1234);
    f1.unregister();
    expect(cfgRead(vm, 3, 0, 0x0e, 1)).toBe(0x00);
    expect(cfgRead(vm, 3, 1, 0x00)).toBe(0xffffffff);
    bus.registerDevice({ ...TEST_DEV, slot: 4, name: 'mf', multiFunction: true });
    expect(cfgRead(vm, 4, 0, 0x0c)).toBe(0x0080_0000);
  });

  it('refuses a taken slot/function, naming both, and gives the first free slot when none is asked', () => {
    const { bus } = setup();
    bus.registerDevice(TEST_DEV);
    expect(() => bus.registerDevice({ ...TEST_DEV, name: 'other' })).toThrow(/already taken by testdev, requested by other/);
    const h = bus.registerDevice({ ...TEST_DEV, slot: undefined, name: 'auto' });
    expect(h.slot).toBe(0);
    expect(bus.registerDevice({ ...TEST_DEV, slot: undefined, name: 'auto2' }).slot).toBe(1);
    expect(() => bus.registerDevice({ ...TEST_DEV, slot: undefined, fn: 1, name: 'x' })).toThrow(/only function 0/);
    expect(() => bus.registerDevice({ ...TEST_DEV, slot: 7, bars: [{ size: 3, kind: 'io' }] })).toThrow(/power of two/);
  });
});

describe('Command and Status', () => {
  it('changes only the writable Command bits', () => {
    const { vm, bus } = setup();
    bus.registerDevice({ ...TEST_DEV, bars: [{ size: 32, kind: 'io' }] });
    cfgWrite(vm, 3, 0, 0x04, 0xffff, 2);
    // IO (it has an I/O BAR), bus master, parity, SERR#, Interrupt Disable; no memory BAR.
    expect(cfgRead(vm, 3, 0, 0x04, 2)).toBe(0x0001 | 0x0004 | 0x0040 | 0x0100 | 0x0400);
    cfgWrite(vm, 3, 0, 0x04, 0x0000, 2);
    expect(cfgRead(vm, 3, 0, 0x04, 2)).toBe(0);
    cfgWrite(vm, 3, 0, 0x05, 0x01, 1); // byte write to the high half: SERR#
    expect(cfgRead(vm, 3, 0, 0x04, 2)).toBe(0x0100);
  });

  it('honours a device-given command reset value and writable mask', () => {
    const { vm, bus } = setup();
    bus.registerDevice({ ...TEST_DEV, command: { reset: 0x0006, writable: 0x0040 } });
    expect(cfgRead(vm, 3, 0, 0x04, 2)).toBe(0x0006);
    cfgWrite(vm, 3, 0, 0x04, 0x0000, 2);
    expect(cfgRead(vm, 3, 0, 0x04, 2)).toBe(0x0006);
    cfgWrite(vm, 3, 0, 0x04, 0x0040, 2);
    expect(cfgRead(vm, 3, 0, 0x04, 2)).toBe(0x0046);
  });

  it('clears Status error bits written with 1 and leaves the rest', () => {
    const { vm, bus } = setup();
    const h = bus.registerDevice(TEST_DEV);
    h.setStatusBits(0x2000 | 0x1000 | 0x8000);
    expect(cfgRead(vm, 3, 0, 0x06, 2)).toBe(0xb200);
    cfgWrite(vm, 3, 0, 0x06, 0x2000, 2);
    expect(cfgRead(vm, 3, 0, 0x06, 2)).toBe(0x9200);
    cfgWrite(vm, 3, 0, 0x06, 0x0000, 2); // writing 0 clears nothing
    expect(cfgRead(vm, 3, 0, 0x06, 2)).toBe(0x9200);
    // A dword write to Command leaves Status alone when its upper half is 0.
    cfgWrite(vm, 3, 0, 0x04, 0x0000_0004);
    expect(cfgRead(vm, 3, 0, 0x04)).toBe(0x9200_0004);
    cfgWrite(vm, 3, 0, 0x04, 0xffff_0004);
    expect(cfgRead(vm, 3, 0, 0x04)).toBe(0x0200_0004); // DEVSEL timing is read-only
  });

  it('shows the capability pointer with Status.CAP_LIST', () => {
    const { vm, bus } = setup();
    bus.registerDevice({ ...TEST_DEV, capabilityPointer: 0x50, configRead: (reg) => (reg === 0x50 ? 0x01 : 0) });
    expect(cfgRead(vm, 3, 0, 0x34, 1)).toBe(0x50);
    expect(cfgRead(vm, 3, 0, 0x06, 2) & 0x10).toBe(0x10);
    expect(cfgRead(vm, 3, 0, 0x50)).toBe(0x01);
  });
});

describe('Base Address Registers', () => {
  function barDevice(bus: Pci) {
    const changes: [number, number | null][] = [];
    const h = bus.registerDevice({
      ...TEST_DEV,
      bars: [
        { size: 32, kind: 'io' },
        { size: 4096, kind: 'mem32' },
        { size: 0x10_0000, kind: 'mem32', prefetchable: true },
      ],
      onBarChange: (i, base) => changes.push([i, base]),
    });
    return { h, changes };
  }

  it('reads back the size mask with the type bits after a write of all ones', () => {
    const { vm, bus } = setup();
    barDevice(bus);
    expect(cfgRead(vm, 3, 0, 0x10)).toBe(0x0000_0001);
    expect(cfgRead(vm, 3, 0, 0x14)).toBe(0x0000_0000);
    expect(cfgRead(vm, 3, 0, 0x18)).toBe(0x0000_0008);
    for (let reg = 0x10; reg <= 0x24; reg += 4) cfgWrite(vm, 3, 0, reg, 0xffff_ffff);
    expect(cfgRead(vm, 3, 0, 0x10)).toBe(0xffff_ffe1);
    expect(cfgRead(vm, 3, 0, 0x14)).toBe(0xffff_f000);
    expect(cfgRead(vm, 3, 0, 0x18)).toBe(0xfff0_0008);
    // BARs it does not implement are hardwired 0.
    expect(cfgRead(vm, 3, 0, 0x1c)).toBe(0);
    expect(cfgRead(vm, 3, 0, 0x24)).toBe(0);
    cfgWrite(vm, 3, 0, 0x10, 0xc020);
    expect(cfgRead(vm, 3, 0, 0x10)).toBe(0xc021);
    cfgWrite(vm, 3, 0, 0x10, 0xc03f); // low address bits inside the size are not writable
    expect(cfgRead(vm, 3, 0, 0x10)).toBe(0xc021);
  });

  it('reports relocation to the device only while the space is enabled in Command', () => {
    const { vm, bus } = setup();
    const { h, changes } = barDevice(bus);
    cfgWrite(vm, 3, 0, 0x10, 0xc000);
    cfgWrite(vm, 3, 0, 0x14, 0xfebf_0000);
    expect(changes).toEqual([]);
    cfgWrite(vm, 3, 0, 0x04, 0x0001, 2); // I/O space on
    expect(changes).toEqual([[0, 0xc000]]);
    expect(h.barBase(0)).toBe(0xc000);
    cfgWrite(vm, 3, 0, 0x10, 0xc100);
    expect(changes.at(-1)).toEqual([0, 0xc100]);
    cfgWrite(vm, 3, 0, 0x04, 0x0003, 2); // memory on too
    expect(changes.at(-1)).toEqual([1, 0xfebf_0000]);
    // Sizing with decode on: the BAR at all ones decodes nothing (beyond the I/O space).
    cfgWrite(vm, 3, 0, 0x10, 0xffff_ffff);
    expect(changes.at(-1)).toEqual([0, null]);
    cfgWrite(vm, 3, 0, 0x10, 0xc100);
    expect(changes.at(-1)).toEqual([0, 0xc100]);
    cfgWrite(vm, 3, 0, 0x04, 0x0000, 2);
    expect(changes.slice(-2)).toEqual([
      [0, null],
      [1, null],
    ]);
    // Rewriting the same value reports nothing.
    const n = changes.length;
    cfgWrite(vm, 3, 0, 0x10, 0xc100);
    expect(changes.length).toBe(n);
  });

  it('stops decoding at reset and on unregister', () => {
    const { vm, bus } = setup();
    const { h, changes } = barDevice(bus);
    cfgWrite(vm, 3, 0, 0x10, 0xc000);
    cfgWrite(vm, 3, 0, 0x04, 0x0001, 2);
    bus.reset();
    expect(vm.inl(0xcf8)).toBe(0);
    expect(changes.at(-1)).toEqual([0, null]);
    expect(cfgRead(vm, 3, 0, 0x10)).toBe(0x1);
    expect(cfgRead(vm, 3, 0, 0x04, 2)).toBe(0);
    cfgWrite(vm, 3, 0, 0x10, 0xc000);
    cfgWrite(vm, 3, 0, 0x04, 0x0001, 2);
    h.unregister();
    expect(changes.at(-1)).toEqual([0, null]);
  });
});

describe('INTx routing', () => {
  it('swizzles INTA#-INTD# by slot onto PIRQA#-PIRQD#', () => {
    const { bus } = setup();
    expect(bus.pirqOf(0, 1)).toBe(0);
    expect(bus.pirqOf(3, 1)).toBe(3);
    expect(bus.pirqOf(3, 2)).toBe(0);
    expect(bus.pirqOf(5, 4)).toBe(0);
    expect(bus.pirqOf(1, 3)).toBe(3);
  });

  it("answers which ISA IRQ a slot's pin reaches through the router", () => {
    const { bus } = setup();
    expect(bus.intxIrq(3, 1)).toBe(null); // no router yet
    bus.setIntxRouter(new RecordingRouter());
    expect(bus.intxIrq(3, 1)).toBe(12); // PIRQD# -> 9 + 3
    expect(bus.intxIrq(3, 2)).toBe(9); // PIRQA#
    expect(bus.intxIrq(0, 3)).toBe(null); // PIRQC#: disabled
  });

  it('fails stop when a function asserts INTx# with no router on the bus', () => {
    const { bus } = setup();
    const h = bus.registerDevice(TEST_DEV);
    expect(() => h.raiseIntx()).toThrow(/testdev asserted INTA# \(PIRQD#\), but no interrupt router/);
  });

  it('reports the wired-OR of the functions on one PIRQ line to the router', () => {
    const { vm, bus } = setup();
    const router = new RecordingRouter();
    bus.setIntxRouter(router);
    const a = bus.registerDevice(TEST_DEV); // slot 3 INTA# -> PIRQD#
    const b = bus.registerDevice({ ...TEST_DEV, slot: 7, name: 'b' }); // slot 7 INTA# -> PIRQD#
    const c = bus.registerDevice({ ...TEST_DEV, slot: 3, fn: 1, name: 'c', interruptPin: 2 }); // slot 3 INTB# -> PIRQA#
    a.raiseIntx();
    expect(router.levels).toEqual([false, false, false, true]);
    b.raiseIntx();
    a.lowerIntx();
    expect(router.levels[3]).toBe(true); // b still holds it
    b.lowerIntx();
    expect(router.levels[3]).toBe(false);
    expect(router.calls).toEqual([
      [3, true],
      [3, false],
    ]);
    c.raiseIntx();
    c.raiseIntx(); // idempotent
    expect(router.calls.at(-1)).toEqual([0, true]);
    expect(bus.pirqAsserted(0)).toBe(true);
    // Status.Interrupt shows the request; Interrupt Disable masks the pin, not the status.
    expect(cfgRead(vm, 3, 1, 0x06, 2) & 0x08).toBe(0x08);
    cfgWrite(vm, 3, 1, 0x04, 0x0400, 2);
    expect(router.levels[0]).toBe(false);
    expect(cfgRead(vm, 3, 1, 0x06, 2) & 0x08).toBe(0x08);
    cfgWrite(vm, 3, 1, 0x04, 0x0000, 2);
    expect(router.levels[0]).toBe(true);
    c.lowerIntx();
    expect(cfgRead(vm, 3, 1, 0x06, 2) & 0x08).toBe(0);
    expect(router.levels).toEqual([false, false, false, false]);
  });

  it('refuses a second router, naming both', () => {
    const { bus } = setup();
    bus.setIntxRouter(new RecordingRouter());
    expect(() => bus.setIntxRouter({ name: 'late', pirqChanged: () => {}, route: () => null })).toThrow(/late wants to route PCI interrupts, but router already does/);
  });

  it('refuses INTx# from a function without an interrupt pin', () => {
    const { bus } = setup();
    const h = bus.registerDevice({ ...TEST_DEV, interruptPin: 0 });
    expect(() => h.raiseIntx()).toThrow(/no Interrupt Pin/);
  });
});

describe('device-specific registers', () => {
  it('go to the device handlers; without a write handler a write fails stop', () => {
    const { vm, bus } = setup();
    const writes: [number, number, number][] = [];
    bus.registerDevice({
      ...TEST_DEV,
      configRead: (reg, size) => (size === 1 ? reg : size === 2 ? 0xbeef : 0x1234_5678),
      configWrite: (reg, size, value) => writes.push([reg, size, value]),
    });
    expect(cfgRead(vm, 3, 0, 0x41, 1)).toBe(0x41);
    expect(cfgRead(vm, 3, 0, 0x42, 2)).toBe(0xbeef);
    expect(cfgRead(vm, 3, 0, 0x80)).toBe(0x1234_5678);
    cfgWrite(vm, 3, 0, 0x63, 0x80, 1);
    expect(writes).toEqual([[0x63, 1, 0x80]]);
    bus.registerDevice({ ...TEST_DEV, slot: 4, name: 'plain' });
    expect(cfgRead(vm, 4, 0, 0x40)).toBe(0);
    expectV3(() => cfgWrite(vm, 4, 0, 0x40, 1), /plain: write of 0x1 to device-specific register 0x40/);
  });
});

describe('checkpoint', () => {
  it('saves and loads headers, CONFIG_ADDRESS and INTx#', () => {
    const a = setup();
    const r = new RecordingRouter();
    a.bus.setIntxRouter(r);
    const h = a.bus.registerDevice({ ...TEST_DEV, bars: [{ size: 32, kind: 'io' }] });
    cfgWrite(a.vm, 3, 0, 0x10, 0xc040);
    cfgWrite(a.vm, 3, 0, 0x04, 0x0001, 2);
    cfgWrite(a.vm, 3, 0, 0x3c, 11, 1);
    h.raiseIntx();
    a.vm.outl(0xcf8, addr(0, 3, 0, 0x3c));
    const state = JSON.parse(JSON.stringify(a.bus.save()));

    const b = setup();
    const r2 = new RecordingRouter();
    b.bus.setIntxRouter(r2);
    const changes: [number, number | null][] = [];
    b.bus.registerDevice({ ...TEST_DEV, bars: [{ size: 32, kind: 'io' }], onBarChange: (i, base) => changes.push([i, base]) });
    b.bus.load(state);
    expect(changes).toEqual([[0, 0xc040]]);
    expect(r2.levels[3]).toBe(true);
    expect(b.vm.inl(0xcfc)).toBe(0x0000_010b);
    expect(() => b.bus.load({ configAddress: 0, functions: [] })).toThrow(/no state for testdev/);
    expect(() => b.bus.load({ nope: 1 })).toThrow(/bad state/);
  });
});

describe('register fuzz', () => {
  it('only ever fails stop naming the PCI device', () => {
    const { vm, bus } = setup();
    bus.setIntxRouter(new RecordingRouter());
    bus.registerDevice({ ...TEST_DEV, bars: [{ size: 32, kind: 'io' }, { size: 4096, kind: 'mem32' }], onBarChange: () => {} });
    bus.registerDevice({ ...TEST_DEV, slot: 0, name: 'host', interruptPin: 0 });
    let stops = 0;
    for (let seed = 1; seed <= 64; seed++) {
      // Point CONFIG_ADDRESS somewhere (a present function about half the time), then fuzz.
      const slot = seed & 1 ? 3 : seed % 32;
      vm.outl(0xcf8, addr(seed % 3 === 0 ? 1 : 0, slot, seed % 8 === 0 ? 1 : 0, (seed * 4) & 0x3c));
      stops += fuzzPorts(vm, [0xcf8, 0xcfa, 0xcfb, 0xcfc, 0xcfd, 0xcfe, 0xcff], { seed, steps: 200, deviceId: 'pci0' });
    }
    expect(stops).toBeGreaterThan(0);
  });

  it('survives seeded word and dword accesses too, failing stop only as pci0', () => {
    const { vm, bus } = setup();
    bus.setIntxRouter(new RecordingRouter());
    bus.registerDevice({ ...TEST_DEV, bars: [{ size: 16, kind: 'io' }, { size: 0x1000, kind: 'mem32', prefetchable: true }], onBarChange: () => {} });
    bus.registerDevice({ ...TEST_DEV, slot: 3, fn: 2, name: 'fn2', interruptPin: 3 });
    let x = 0x2545f491;
    const rand = (): number => {
      x ^= x << 13;
      x >>>= 0;
      x ^= x >>> 17;
      x ^= x << 5;
      return (x >>>= 0);
    };
    let stops = 0;
    for (let i = 0; i < 5000; i++) {
      const port = 0xcf8 + (rand() % 8);
      if (port === 0xcf9) continue;
      const size = ([1, 2, 4] as const)[rand() % 3] as 1 | 2 | 4;
      try {
        if (rand() % 4 === 0) vm.outl(0xcf8, (0x8000_0000 | ((rand() % 2) * 0x0001_0000) | (rand() & 0x1bfc)) >>> 0);
        else if (rand() & 1) (size === 4 ? vm.outl : size === 2 ? vm.outw : vm.outb).call(vm, port, rand());
        else (size === 4 ? vm.inl : size === 2 ? vm.inw : vm.inb).call(vm, port);
      } catch (e) {
        if (e instanceof V3Error && e.detail.component === 'pci0') {
          stops++;
          continue;
        }
        throw e;
      }
    }
    expect(stops).toBeGreaterThan(0);
  });
});
