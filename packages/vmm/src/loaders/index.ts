import { V3Error } from '@v3/device-api';
import type { V3Engine } from '../engine.js';
import type { V3VmInfo } from '../vm.js';
import { bootBios } from './bios.js';
import { bootFlat } from './flat.js';
import { bootLinux, isLinuxKernel } from './linux.js';
import { bootMultiboot, findMultibootHeader } from './multiboot.js';

export { isLinuxKernel } from './linux.js';
export { mapFirmware } from './bios.js';
export { findMultibootHeader } from './multiboot.js';

/** Which loader an image needs: a bzImage, a Multiboot kernel, or a flat real-mode image. */
export function detectKernelKind(image: Uint8Array): 'linux' | 'multiboot' | 'flat' {
  if (isLinuxKernel(image)) return 'linux';
  if (findMultibootHeader(image) >= 0) return 'multiboot';
  return 'flat';
}

/** Load the configured boot image and set the core where it starts (at power-on and reset). */
export function bootGuest(vm: V3VmInfo, engine: V3Engine): void {
  const boot = vm.config.boot;
  const file = (name: string): Uint8Array => {
    const f = vm.config.files[name];
    if (!f) throw new V3Error({ component: 'loader', vm: vm.name }, `boot file '${name}' is missing`);
    return f;
  };
  switch (boot.kind) {
    case 'flat':
      return bootFlat(vm, engine, file(boot.file), boot.address);
    case 'linux':
      return bootLinux(vm, engine, file(boot.kernel), boot.initrd ? file(boot.initrd) : null, boot.cmdline);
    case 'multiboot':
      return bootMultiboot(
        vm,
        engine,
        file(boot.kernel),
        boot.cmdline,
        boot.modules.map((m) => ({ bytes: file(m.file), string: m.string ?? m.file })),
      );
    case 'bios':
      return bootBios(engine);
  }
}
