import { V3Error, type FirmwareDescription } from '@v3/device-api';
import type { V3Engine } from '../engine.js';
import type { V3VmInfo } from '../vm.js';

/**
 * The Intel MultiProcessor Specification 1.4 table (order number 242016-006), as a BIOS leaves it
 * for the OS: a floating pointer structure the OS finds by scanning, and the MP configuration
 * table it points to. Written by the Linux and Multiboot loaders when the VM has a local APIC and
 * an IO-APIC, so a kernel finds them with its defaults (no ACPI needed).
 *
 * What the table says, for a uniprocessor PC in virtual-wire mode (spec chapter 3.6.2.2, 5):
 * - one processor entry per local APIC, the first the bootstrap processor;
 * - one bus, ISA (bus id 0);
 * - the IO-APIC, with its ID, version and address;
 * - an I/O interrupt entry per ISA IRQ that reaches an IO-APIC pin (IRQ 0 on pin 2 on a PC,
 *   IRQ 2 — the cascade — on none), each "conforms to bus" (ISA: edge, active high), and the
 *   8259A's INTR as ExtINT on the pin the IO-APIC has it on (pin 0 in the spec's default
 *   configurations, table 5-2), if it has it on one: the table describes the wires there are;
 * - the local interrupts of every local APIC: LINT0 ExtINT, LINT1 NMI (table 5-3).
 * There is no IMCR, so feature byte 2 bit 7 (IMCRP) is clear: virtual-wire mode, not PIC mode.
 */

/** Where the loaders put the table: the last KiB of 640 KiB base memory (the spec's second place). */
export const MP_TABLE_ADDR = 0x9fc00;
/** The room there (the e820 map reserves it). */
export const MP_TABLE_ROOM = 0x400;

/** MP specification revision 1.4. */
const SPEC_REV = 4;
const FLOATING_LEN = 16;
const HEADER_LEN = 44;

// Entry types (spec table 4-3) and their lengths.
export const MP_ENTRY_PROCESSOR = 0;
export const MP_ENTRY_BUS = 1;
export const MP_ENTRY_IOAPIC = 2;
export const MP_ENTRY_IOINT = 3;
export const MP_ENTRY_LOCALINT = 4;
const PROCESSOR_LEN = 20;
const ENTRY_LEN = 8;

// Interrupt types (spec table 4-8).
export const MP_INT = 0;
export const MP_NMI = 1;
export const MP_EXTINT = 3;

/** Processor entry CPU flags: EN (usable), BP (the bootstrap processor). */
const CPU_EN = 0x01;
const CPU_BP = 0x02;
/** IO-APIC entry flag EN. */
const IOAPIC_EN = 0x01;
/** Interrupt flags 0: polarity and trigger mode conform to the bus. */
const CONFORMS = 0;
/** Destination "all local APICs" of a local interrupt entry. */
const ALL_APICS = 0xff;
const ISA_BUS_ID = 0;

/** What the table describes. */
export interface MpTableInput {
  /** The local APICs' guest-physical base. */
  lapicBase: number;
  /** One per processor, the bootstrap processor first. */
  cpus: readonly { apicId: number; version: number; signature: number; features: number }[];
  /** The IO-APIC. */
  ioapic: { apicId: number; version: number; base: number; pinOf(line: number): number; extIntPin: number };
}

/** Byte sum modulo 256. */
export function byteSum(bytes: Uint8Array): number {
  let s = 0;
  for (const b of bytes) s = (s + b) & 0xff;
  return s;
}

function ascii(dv: DataView, at: number, text: string, length: number): void {
  const padded = text.padEnd(length, ' ');
  for (let i = 0; i < length; i++) dv.setUint8(at + i, padded.charCodeAt(i));
}

/**
 * The floating pointer structure followed by the configuration table, for guest-physical
 * address `at` (16-byte aligned). Checksums make each structure's bytes sum to 0.
 */
export function buildMpTable(at: number, input: MpTableInput): Uint8Array {
  if (at % 16 !== 0) throw new Error(`the MP floating pointer must be 16-byte aligned (at 0x${at.toString(16)})`);
  const { ioapic } = input;

  // I/O interrupt entries: each ISA IRQ that has a pin, then the 8259A's INTR as ExtINT when the
  // IO-APIC has it on a pin (an entry for a wire that is not there would send the OS looking for it).
  const ioints: { type: number; irq: number; pin: number }[] = [];
  for (let irq = 0; irq < 16; irq++) {
    const pin = ioapic.pinOf(irq);
    if (pin < 0) continue;
    if (pin === ioapic.extIntPin) throw new Error(`ISA IRQ ${irq} and the 8259A's ExtINT both on IO-APIC pin ${pin}`);
    ioints.push({ type: MP_INT, irq, pin });
  }
  if (ioapic.extIntPin >= 0) ioints.push({ type: MP_EXTINT, irq: 0, pin: ioapic.extIntPin });

  const entries = input.cpus.length + 1 + 1 + ioints.length + 2;
  const tableLen = HEADER_LEN + input.cpus.length * PROCESSOR_LEN + (entries - input.cpus.length) * ENTRY_LEN;
  const out = new Uint8Array(FLOATING_LEN + tableLen);
  const dv = new DataView(out.buffer);
  const tableAt = at + FLOATING_LEN;

  // The floating pointer structure (spec 4.1, table 4-1).
  ascii(dv, 0, '_MP_', 4);
  dv.setUint32(4, tableAt, true);
  dv.setUint8(8, FLOATING_LEN / 16); // length in paragraphs
  dv.setUint8(9, SPEC_REV);
  // 10: checksum, 11: feature byte 1 = 0 (a configuration table is present), 12: feature byte 2
  // = 0 (IMCRP clear: virtual-wire mode), 13-15 reserved.
  dv.setUint8(10, (0x100 - byteSum(out.subarray(0, FLOATING_LEN))) & 0xff);

  // The configuration table header (spec 4.2, table 4-2).
  const t = FLOATING_LEN;
  ascii(dv, t, 'PCMP', 4);
  dv.setUint16(t + 4, tableLen, true);
  dv.setUint8(t + 6, SPEC_REV);
  ascii(dv, t + 8, 'V3VEE', 8); // OEM ID
  ascii(dv, t + 16, 'v3 VMM', 12); // product ID
  // 28: OEM table pointer 0, 32: OEM table size 0.
  dv.setUint16(t + 34, entries, true);
  dv.setUint32(t + 36, input.lapicBase, true);
  // 40: extended table length 0, 42: extended table checksum 0, 43 reserved.

  // Entries, in ascending order of type (spec 4.3).
  let o = t + HEADER_LEN;
  input.cpus.forEach((cpu, i) => {
    dv.setUint8(o, MP_ENTRY_PROCESSOR);
    dv.setUint8(o + 1, cpu.apicId);
    dv.setUint8(o + 2, cpu.version);
    dv.setUint8(o + 3, CPU_EN | (i === 0 ? CPU_BP : 0));
    dv.setUint32(o + 4, cpu.signature, true);
    dv.setUint32(o + 8, cpu.features, true);
    o += PROCESSOR_LEN;
  });
  dv.setUint8(o, MP_ENTRY_BUS);
  dv.setUint8(o + 1, ISA_BUS_ID);
  ascii(dv, o + 2, 'ISA', 6);
  o += ENTRY_LEN;
  dv.setUint8(o, MP_ENTRY_IOAPIC);
  dv.setUint8(o + 1, ioapic.apicId);
  dv.setUint8(o + 2, ioapic.version);
  dv.setUint8(o + 3, IOAPIC_EN);
  dv.setUint32(o + 4, ioapic.base, true);
  o += ENTRY_LEN;
  for (const e of ioints) {
    dv.setUint8(o, MP_ENTRY_IOINT);
    dv.setUint8(o + 1, e.type);
    dv.setUint16(o + 2, CONFORMS, true);
    dv.setUint8(o + 4, ISA_BUS_ID);
    dv.setUint8(o + 5, e.irq);
    dv.setUint8(o + 6, ioapic.apicId);
    dv.setUint8(o + 7, e.pin);
    o += ENTRY_LEN;
  }
  for (const [type, lint] of [[MP_EXTINT, 0], [MP_NMI, 1]] as const) {
    dv.setUint8(o, MP_ENTRY_LOCALINT);
    dv.setUint8(o + 1, type);
    dv.setUint16(o + 2, CONFORMS, true);
    dv.setUint8(o + 4, ISA_BUS_ID);
    dv.setUint8(o + 5, 0);
    dv.setUint8(o + 6, ALL_APICS);
    dv.setUint8(o + 7, lint);
    o += ENTRY_LEN;
  }
  dv.setUint8(t + 7, (0x100 - byteSum(out.subarray(t, t + tableLen))) & 0xff);
  return out;
}

/** The interrupt controllers the VM's devices describe for firmware tables. */
function describedControllers(vm: V3VmInfo): FirmwareDescription[] {
  const out: FirmwareDescription[] = [];
  for (const d of vm.devMgr.devices) {
    const desc = d.instance.firmwareDescription?.();
    if (desc) out.push(desc);
  }
  return out;
}

/**
 * Write the MP table at {@link MP_TABLE_ADDR} when the VM has a local APIC and an IO-APIC.
 * Returns whether it did. CPU signature and feature flags are what CPUID leaf 1 tells the guest.
 */
export function writeMpTable(vm: V3VmInfo, engine: V3Engine): boolean {
  const described = describedControllers(vm);
  const lapic = described.find((d) => d.kind === 'local-apic');
  const ioapics = described.filter((d) => d.kind === 'io-apic');
  if (!lapic || ioapics.length === 0) return false;
  if (ioapics.length > 1) throw new V3Error({ component: 'loader', vm: vm.name }, `MP table: the VM has ${ioapics.length} IO-APICs; the table writer describes one`);
  const ioapic = ioapics[0] as Extract<FirmwareDescription, { kind: 'io-apic' }>;
  const [signature, , , features] = engine.cpuid(1, 0);
  const table = buildMpTable(MP_TABLE_ADDR, {
    lapicBase: lapic.base,
    cpus: lapic.apicIds.map((apicId) => ({ apicId, version: lapic.version, signature, features })),
    ioapic,
  });
  if (table.length > MP_TABLE_ROOM) throw new V3Error({ component: 'loader', vm: vm.name }, `the MP table (${table.length} bytes) does not fit in the ${MP_TABLE_ROOM} bytes at 0x${MP_TABLE_ADDR.toString(16)}`);
  vm.mem.load(MP_TABLE_ADDR, table, 'MP table');
  return true;
}
