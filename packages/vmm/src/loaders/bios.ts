import { V3Error } from '@v3/device-api';
import type { V3Engine } from '../engine.js';
import type { MemoryMap } from '../mem.js';
import type { V3VmConfigResolved } from '../config.js';

/** The part of the system BIOS a PC also decodes below 1 MiB (0xE0000-0xFFFFF). */
const LOW_ALIAS_MAX = 0x20000;
const PAGE = 0x1000;
const ONE_MIB = 0x100000;

/**
 * Map the firmware of a `bios` boot (once, when the VM is built): the system BIOS at the top of
 * 4 GiB, where the reset vector 0xFFFFFFF0 falls in its last 16 bytes, and its last 128 KiB
 * (all of a 64 KiB image) again below 1 MiB, ending at 0xFFFFF, as the 440FX decodes it; the
 * VGA BIOS at 0xC0000; option ROMs at their addresses. The low copies sit in the legacy ROM
 * area, whose segments the chipset's PAM registers later route to shadow RAM.
 */
export function mapFirmware(mem: MemoryMap, cfg: V3VmConfigResolved): void {
  const boot = cfg.boot;
  if (boot.kind !== 'bios') return;
  const file = (name: string): Uint8Array => {
    const f = cfg.files[name];
    if (!f) throw new V3Error({ component: 'loader' }, `firmware file '${name}' is missing`);
    return f;
  };
  const bios = file(boot.bios);
  mem.addRom(2 ** 32 - bios.length, bios, 'BIOS');
  const low = Math.min(bios.length, LOW_ALIAS_MAX);
  mem.addShadowRom(ONE_MIB - low, bios.subarray(bios.length - low), 'BIOS');
  if (boot.vgaBios !== undefined) mem.addShadowRom(0xc0000, padToPage(file(boot.vgaBios)), 'VGA BIOS');
  for (const r of boot.optionRoms) mem.addShadowRom(r.address & ~(PAGE - 1), placeInPage(file(r.file), r.address), `option ROM ${r.file}`);
}

/** A ROM image padded with all ones to whole pages (what the unused part of a ROM chip reads). */
function padToPage(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(Math.ceil(bytes.length / PAGE) * PAGE).fill(0xff);
  out.set(bytes);
  return out;
}

/** An option ROM at a 2 KiB aligned address, as page-aligned bytes (all ones before it). */
function placeInPage(bytes: Uint8Array, address: number): Uint8Array {
  const lead = address & (PAGE - 1);
  const out = new Uint8Array(Math.ceil((lead + bytes.length) / PAGE) * PAGE).fill(0xff);
  out.set(bytes, lead);
  return out;
}

/**
 * Power-on with firmware: the processor's reset state is the BIOS entry (CS=F000 with base
 * FFFF0000, IP=FFF0, SDM Vol. 3 §9.1.4), so the first fetch is the BIOS's last 16 bytes at the top
 * of 4 GiB.
 */
export function bootBios(engine: V3Engine): void {
  engine.reset();
}
