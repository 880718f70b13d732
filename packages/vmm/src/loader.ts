import { V3Error } from '@v3/device-api';
import type { V3Engine } from './engine.js';
import type { V3VmInfo } from './vm.js';

/** Real-mode data segment with a 64 KiB limit, present, writable (access byte 0x93). */
const REAL_DATA = { limit: 0xffff, access: 0x93 } as const;
/** Real-mode code segment: present, readable, accessed (0x9B). */
const REAL_CODE = { limit: 0xffff, access: 0x9b } as const;

/**
 * Load the boot image and set the core where it starts.
 *
 * `flat`: the image is copied to `address` (default 0x7C00) and the core starts there in real
 * mode the way a PC BIOS hands over a boot sector: CS=DS=ES=SS=0, IP=address, SP=address,
 * DL=0x80 (the boot drive), interrupts disabled. There is no BIOS, so nothing is in the IVT.
 */
export function bootGuest(vm: V3VmInfo, engine: V3Engine): void {
  const boot = vm.config.boot;
  switch (boot.kind) {
    case 'flat': {
      const image = vm.config.files[boot.file];
      if (!image) throw new V3Error({ component: 'loader', vm: vm.name }, `boot file '${boot.file}' is missing`);
      vm.mem.load(boot.address, image, `boot image '${boot.file}'`);
      const zero = (access: typeof REAL_DATA | typeof REAL_CODE) => ({ selector: 0, base: 0, ...access });
      engine.setState({
        eip: boot.address,
        esp: boot.address,
        edx: 0x80,
        eflags: 0x2,
        cs: zero(REAL_CODE),
        ds: zero(REAL_DATA),
        es: zero(REAL_DATA),
        ss: zero(REAL_DATA),
        fs: zero(REAL_DATA),
        gs: zero(REAL_DATA),
      });
      return;
    }
    default:
      throw new V3Error({ component: 'loader', vm: vm.name }, `unknown boot kind ${String((boot as { kind: unknown }).kind)}`);
  }
}
