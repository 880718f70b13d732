import { i440fx } from '@v3/dev-i440fx';
import { pci, type Pci } from '@v3/dev-pci';
import { createTestHost, fuzzPorts, pciConfigRead, pciConfigWrite, v3ErrorFrom, type TestHost } from '@v3/device-testkit';
import { describe, expect, it } from 'vitest';
import { piix3, type Piix3Device } from './index.js';

const addr = (bus: number, slot: number, fn: number, reg: number): number => (0x8000_0000 | (bus << 16) | (slot << 11) | (fn << 8) | (reg & 0xfc)) >>> 0;

function cfgRead(vm: TestHost, slot: number, fn: number, reg: number, size: 1 | 2 | 4 = 4): number {
  return pciConfigRead(vm, { slot, fn }, reg, size);
}

function cfgWrite(vm: TestHost, slot: number, fn: number, reg: number, value: number, size: 1 | 2 | 4 = 1): void {
  pciConfigWrite(vm, { slot, fn }, reg, value, size);
}

function expectV3(fn: () => unknown, re: RegExp, component = 'southbridge'): void {
  const e = v3ErrorFrom(fn);
  expect(e.detail.component).toBe(component);
  expect(e.message).toMatch(re);
}

/** The 440FX board: bus, host bridge, ISA bridge, as a VM configuration lists them. */
function board(): { vm: TestHost; bus: Pci; sb: Piix3Device } {
  const vm = createTestHost();
  const bus = vm.attach(pci, { id: 'pci0' });
  vm.attach(i440fx, { id: 'northbridge', bus: 'pci0' });
  const sb = vm.attach(piix3, { id: 'southbridge', bus: 'pci0' });
  return { vm, bus, sb };
}

/** A PCI card with INTA# in `slot`. */
function card(bus: Pci, slot: number, pin = 1, fn = 0) {
  return bus.registerDevice({ slot, fn, name: `card${slot}.${fn}`, vendorId: 0x10ec, deviceId: 0x8139, classCode: 0x020000, revision: 0x10, interruptPin: pin });
}

describe('enumerating bus 0 of a 440FX board', () => {
  it('finds exactly 00:00.0 (8086:1237) and 00:01.0 (8086:7000, multi-function)', () => {
    const { vm } = board();
    const found: string[] = [];
    for (let slot = 0; slot < 32; slot++) {
      const id = cfgRead(vm, slot, 0, 0x00);
      if (id === 0xffffffff) continue;
      const header = cfgRead(vm, slot, 0, 0x0e, 1);
      const fns = header & 0x80 ? 8 : 1;
      for (let fn = 0; fn < fns; fn++) {
        const v = cfgRead(vm, slot, fn, 0x00);
        if (v === 0xffffffff) continue;
        const cls = cfgRead(vm, slot, fn, 0x08) >>> 8;
        found.push(`${slot}.${fn} ${(v & 0xffff).toString(16)}:${(v >>> 16).toString(16)} class ${cls.toString(16).padStart(6, '0')} hdr ${cfgRead(vm, slot, fn, 0x0e, 1).toString(16)}`);
      }
    }
    expect(found).toEqual(['0.0 8086:1237 class 060000 hdr 0', '1.0 8086:7000 class 060100 hdr 80']);
  });

  it("passes Linux's mechanism #1 probe (pci_check_type1 and pci_sanity_check)", () => {
    const { vm } = board();
    vm.outb(0xcfb, 0x01);
    const tmp = vm.inl(0xcf8);
    vm.outl(0xcf8, 0x8000_0000);
    expect(vm.inl(0xcf8)).toBe(0x8000_0000);
    // pci_sanity_check: some devfn on bus 0 is a host bridge or has an Intel/Compaq vendor ID.
    let sane = false;
    for (let devfn = 0; devfn < 0x100 && !sane; devfn++) {
      vm.outl(0xcf8, 0x8000_0000 | (devfn << 8) | 0x08);
      const cls = vm.inw(0xcfe);
      vm.outl(0xcf8, 0x8000_0000 | (devfn << 8));
      const vendor = vm.inw(0xcfc);
      sane = cls === 0x0600 || cls === 0x0300 || vendor === 0x8086 || vendor === 0x0e11;
    }
    expect(sane).toBe(true);
    vm.outl(0xcf8, tmp);
    expect(vm.inl(0xcf8)).toBe(0);
  });

  it("survives a BIOS's PCI setup: BAR sizing with decode off, IRQ routing, Interrupt Line", () => {
    const { vm } = board();
    for (const slot of [0, 1]) {
      const cmd = cfgRead(vm, slot, 0, 0x04, 2);
      cfgWrite(vm, slot, 0, 0x04, cmd & ~3, 2);
      for (let reg = 0x10; reg <= 0x24; reg += 4) {
        const old = cfgRead(vm, slot, 0, reg);
        cfgWrite(vm, slot, 0, reg, 0xffff_ffff, 4);
        expect(cfgRead(vm, slot, 0, reg)).toBe(0); // neither bridge has a BAR
        cfgWrite(vm, slot, 0, reg, old, 4);
      }
      cfgWrite(vm, slot, 0, 0x30, 0xffff_fffe, 4);
      expect(cfgRead(vm, slot, 0, 0x30)).toBe(0);
      cfgWrite(vm, slot, 0, 0x04, cmd, 2);
      expect(cfgRead(vm, slot, 0, 0x3d, 1)).toBe(0); // no pin: no Interrupt Line to assign
    }
    [10, 10, 11, 11].forEach((irq, i) => cfgWrite(vm, 1, 0, 0x60 + i, irq));
    expect(cfgRead(vm, 1, 0, 0x60)).toBe(0x0b0b_0a0a);
  });

  it('leaves function 1 of the PIIX3 slot free for the IDE controller', () => {
    const { vm, bus } = board();
    const ide = bus.registerDevice({ slot: 1, fn: 1, name: 'ide0', vendorId: 0x8086, deviceId: 0x7010, classCode: 0x010180, revision: 0 });
    expect(ide.slot).toBe(1);
    expect(cfgRead(vm, 1, 1, 0x00)).toBe(0x7010_8086);
    expect(cfgRead(vm, 1, 0, 0x0e, 1)).toBe(0x80);
    expect(cfgRead(vm, 1, 2, 0x00)).toBe(0xffffffff);
  });
});

describe('PIIX3 function 0', () => {
  it('has the datasheet header and register reset values', () => {
    const { vm } = board();
    expect(cfgRead(vm, 1, 0, 0x04)).toBe(0x0200_0007);
    expect(cfgRead(vm, 1, 0, 0x08)).toBe(0x0601_0000);
    expect(cfgRead(vm, 1, 0, 0x3c)).toBe(0); // no interrupt pin
    expect(cfgRead(vm, 1, 0, 0x4c)).toBe(0x0003_004d); // IORT, XBCS
    expect(cfgRead(vm, 1, 0, 0x60)).toBe(0x8080_8080); // PIRQRCA-D
    expect(cfgRead(vm, 1, 0, 0x68)).toBe(0x0000_0200); // TOM
    expect(cfgRead(vm, 1, 0, 0x70)).toBe(0x80);
    expect(cfgRead(vm, 1, 0, 0x74)).toBe(0x0c0c_0000);
    expect(cfgRead(vm, 1, 0, 0x78)).toBe(0x0000_0002);
    expect(cfgRead(vm, 1, 0, 0x80)).toBe(0);
    expect(cfgRead(vm, 1, 0, 0xa0)).toBe(0x08);
    expect(cfgRead(vm, 1, 0, 0xa8)).toBe(0x0f);
  });

  it('stores TOM, XBCS, APICBASE and DLC (Linux sets Passive Release)', () => {
    const { vm } = board();
    cfgWrite(vm, 1, 0, 0x69, 0xf2);
    cfgWrite(vm, 1, 0, 0x4e, 0x0207, 2);
    cfgWrite(vm, 1, 0, 0x80, 0xff);
    const dlc = cfgRead(vm, 1, 0, 0x82, 1);
    cfgWrite(vm, 1, 0, 0x82, dlc | 0x02);
    expect(cfgRead(vm, 1, 0, 0x69, 1)).toBe(0xf2);
    expect(cfgRead(vm, 1, 0, 0x4e, 2)).toBe(0x0207);
    expect(cfgRead(vm, 1, 0, 0x80, 1)).toBe(0x3f);
    expect(cfgRead(vm, 1, 0, 0x82, 1)).toBe(0x02);
    cfgWrite(vm, 1, 0, 0x82, 0xff);
    expect(cfgRead(vm, 1, 0, 0x82, 1)).toBe(0x0f);
  });

  it('fails stop on system management writes and nonzero writes to reserved registers', () => {
    const { vm } = board();
    cfgWrite(vm, 1, 0, 0xa0, 0x08); // unchanged: fine
    expectV3(() => cfgWrite(vm, 1, 0, 0xa0, 0x09), /SMICNTL.*system management/);
    expectV3(() => cfgWrite(vm, 1, 0, 0xa4, 1, 4), /SEE/);
    cfgWrite(vm, 1, 0, 0x40, 0);
    expectV3(() => cfgWrite(vm, 1, 0, 0x40, 0x12), /reserved configuration register 0x40/);
    expect(cfgRead(vm, 1, 0, 0x40)).toBe(0);
  });
});

describe('PIRQ routing', () => {
  it('drives the ISA IRQ PIRQRC routes a slot-3 INTA# to, and nothing while disabled', () => {
    const { vm, bus, sb } = board();
    const c = card(bus, 3);
    const pirq = (3 + 0) % 4; // PIRQD#
    c.raiseIntx();
    for (let irq = 0; irq < 16; irq++) expect(vm.irq(irq).level).toBe(false); // 0x80: disabled
    c.lowerIntx();
    expect(bus.intxIrq(3, 1)).toBe(null);
    cfgWrite(vm, 1, 0, 0x60 + pirq, 11);
    expect(sb.route(pirq)).toBe(11);
    expect(bus.intxIrq(3, 1)).toBe(11);
    expect(vm.irq(11).level).toBe(false);
    c.raiseIntx();
    expect(vm.irq(11).level).toBe(true);
    c.lowerIntx();
    expect(vm.irq(11).level).toBe(false);
    expect(vm.irq(11).pulses).toBe(1);
  });

  it('moves an asserted line when the route changes, and drops it when the route is disabled', () => {
    const { vm, bus } = board();
    const c = card(bus, 3);
    cfgWrite(vm, 1, 0, 0x63, 10);
    c.raiseIntx();
    expect(vm.irq(10).level).toBe(true);
    cfgWrite(vm, 1, 0, 0x63, 5);
    expect(vm.irq(10).level).toBe(false);
    expect(vm.irq(5).level).toBe(true);
    cfgWrite(vm, 1, 0, 0x63, 0x85);
    expect(vm.irq(5).level).toBe(false);
    expect(cfgRead(vm, 1, 0, 0x63, 1)).toBe(0x85);
    cfgWrite(vm, 1, 0, 0x63, 0x05);
    expect(vm.irq(5).level).toBe(true);
  });

  it('ORs the PCI functions and PIRQ lines that share one ISA IRQ', () => {
    const { vm, bus } = board();
    const a = card(bus, 3); // INTA# -> PIRQD#
    const b = card(bus, 7); // INTA# -> PIRQD#
    const d = card(bus, 4); // INTA# -> PIRQA#
    cfgWrite(vm, 1, 0, 0x60, 0x0b0b0b0b, 4); // every PIRQ to IRQ 11
    a.raiseIntx();
    b.raiseIntx();
    d.raiseIntx();
    a.lowerIntx();
    expect(vm.irq(11).level).toBe(true);
    d.lowerIntx();
    expect(vm.irq(11).level).toBe(true);
    b.lowerIntx();
    expect(vm.irq(11).level).toBe(false);
    expect(vm.irq(11).pulses).toBe(1);
  });

  it('swizzles the pins of a multi-function card', () => {
    const { vm, bus } = board();
    cfgWrite(vm, 1, 0, 0x60, 0x0f0e0a09, 4); // A->9, B->10, C->14, D->15
    card(bus, 2, 1, 0).raiseIntx(); // slot 2 INTA# -> PIRQC#
    expect(vm.irq(14).level).toBe(true);
    card(bus, 2, 2, 1).raiseIntx(); // slot 2 INTB# -> PIRQD#
    expect(vm.irq(15).level).toBe(true);
    card(bus, 2, 4, 2).raiseIntx(); // slot 2 INTD# -> PIRQB#
    expect(vm.irq(10).level).toBe(true);
    expect(vm.irq(9).level).toBe(false);
  });

  it('fails stop on a reserved routing code', () => {
    const { vm } = board();
    for (const irq of [0, 1, 2, 8, 13]) expectV3(() => cfgWrite(vm, 1, 0, 0x61, irq), /reserved routing code/);
    cfgWrite(vm, 1, 0, 0x61, 0x80); // disabled: any code is fine
    expect(cfgRead(vm, 1, 0, 0x61, 1)).toBe(0x80);
    cfgWrite(vm, 1, 0, 0x61, 0xf3); // reserved bits 6-4 are dropped
    expect(cfgRead(vm, 1, 0, 0x61, 1)).toBe(0x83);
  });

  it('releases every line at reset and restores routes from a checkpoint', () => {
    const { vm, bus, sb } = board();
    const c = card(bus, 3);
    cfgWrite(vm, 1, 0, 0x63, 9);
    c.raiseIntx();
    const state = JSON.parse(JSON.stringify(sb.save()));
    sb.reset();
    expect(vm.irq(9).level).toBe(false);
    expect(cfgRead(vm, 1, 0, 0x60)).toBe(0x8080_8080);
    sb.load(state);
    expect(vm.irq(9).level).toBe(true);
    expect(cfgRead(vm, 1, 0, 0x63, 1)).toBe(9);
    expect(() => sb.load({ regs: [] })).toThrow(/bad state/);
  });
});

describe('reset control register at 0xCF9', () => {
  it('asks the VM for a hard or soft reset when RCPU is set', () => {
    const { vm } = board();
    vm.outb(0xcf9, 0x02);
    expect(vm.powerRequests).toEqual([]);
    expect(vm.inb(0xcf9)).toBe(0x02);
    vm.outb(0xcf9, 0x06);
    expect(vm.powerRequests).toEqual([{ request: 'reset', why: expect.stringMatching(/0xCF9 = 0x6: hard reset/) }]);
    vm.outb(0xcf9, 0x04);
    expect(vm.powerRequests[1]?.why).toMatch(/soft reset \(INIT\)/);
    // Linux's reboot=pci writes 0x0E (bit 3 is reserved on the PIIX3).
    vm.outb(0xcf9, 0x0e);
    expect(vm.powerRequests[2]).toEqual({ request: 'reset', why: expect.stringMatching(/hard reset/) });
    expect(vm.inb(0xcf9)).toBe(0x02); // RCPU reads back 0
  });

  it('leaves dword CONFIG_ADDRESS accesses to the bus and refuses wider accesses at 0xCF9', () => {
    const { vm } = board();
    vm.outl(0xcf8, 0x8000_0800);
    expect(vm.inl(0xcf8)).toBe(0x8000_0800);
    expect(vm.powerRequests).toEqual([]);
    expectV3(() => vm.outw(0xcf9, 0x0606), /byte access only/);
    expectV3(() => vm.inl(0xcf9), /byte access only/);
  });
});

describe('register fuzz', () => {
  it('only ever fails stop naming the PIIX3', () => {
    const { vm, bus } = board();
    const cards = [card(bus, 3), card(bus, 4, 2), card(bus, 5, 3)];
    let stops = 0;
    for (let seed = 1; seed <= 64; seed++) {
      vm.outl(0xcf8, addr(0, 1, 0, 0x40 + ((seed * 4) & 0xbc)));
      stops += fuzzPorts(vm, [0xcfc, 0xcfd, 0xcfe, 0xcff, 0xcf9], { seed, steps: 100, deviceId: 'southbridge' });
      vm.outl(0xcf8, addr(0, 1, 0, 0x60));
      stops += fuzzPorts(vm, [0xcfc, 0xcfd, 0xcfe, 0xcff, 0xcf9], { seed: seed + 500, steps: 50, deviceId: 'southbridge' });
      const c = cards[seed % 3];
      if (seed & 1) c?.raiseIntx();
      else c?.lowerIntx();
    }
    expect(stops).toBeGreaterThan(0);
    expect(vm.powerRequests.length).toBeGreaterThan(0);
  });
});
