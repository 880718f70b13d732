import type { V3VmInfo } from '../vm.js';
import type { V3Engine } from '../engine.js';
import { realModeSegments } from './segments.js';

/**
 * A flat image: copied to `address` (default 0x7C00); the core starts there in real mode the way
 * a PC BIOS hands over a boot sector: CS=DS=ES=SS=0, IP=address, SP=address, DL=0x80 (the boot
 * drive), interrupts disabled. There is no BIOS, so nothing is in the IVT.
 */
export function bootFlat(vm: V3VmInfo, engine: V3Engine, image: Uint8Array, address: number): void {
  vm.mem.load(address, image, 'flat boot image');
  engine.setState({ ...realModeSegments(0), eip: address, esp: address, edx: 0x80, eflags: 0x2 });
}
