import { z } from 'zod';
import { V3Error } from '@v3/device-api';

/** The run-time debug switch names a configuration may list (the manual's DEBUG_<COMPONENT>). */
export const DEBUG_SWITCHES = [
  'ALL', 'SHADOW_PAGING', 'CTRL_REGS', 'INTERRUPTS', 'IO', 'KEYBOARD', 'PIC', 'PIT', 'NVRAM',
  'GENERIC', 'EMULATOR', 'RAMDISK', 'XED', 'HALT', 'DEV_MGR', 'APIC', 'SERIAL', 'OS_DEBUG',
  'BOCHS_DEBUG', 'TIME', 'MEM', 'IDE', 'VGA', 'FW_CFG', 'DMA',
] as const;

const deviceEntry = z
  .object({
    class: z.string({ error: 'expected a device class name (string)' }).min(1, 'expected a non-empty class name'),
    id: z.string({ error: 'expected a device id (string)' }).min(1, 'expected a non-empty id'),
  })
  .passthrough();

const bytes = z.instanceof(Uint8Array, { message: 'expected file contents (Uint8Array)' });

const flatBoot = z
  .object({
    kind: z.literal('flat'),
    file: z.string({ error: 'expected the name of a file in `files`' }),
    address: z
      .number({ error: 'expected a load address (number)' })
      .int()
      .min(0x500, 'expected an address ≥ 0x500 (below it sit the IVT and BDA)')
      .max(0x9ffff, 'expected an address below 0xA0000 (real-mode RAM)')
      .default(0x7c00),
  })
  .strict();

const fileName = z.string({ error: 'expected the name of a file in `files`' });

const linuxBoot = z
  .object({
    kind: z.literal('linux'),
    kernel: fileName,
    initrd: fileName.optional(),
    cmdline: z.string({ error: 'expected a kernel command line (string)' }).default(''),
  })
  .strict();

const multibootBoot = z
  .object({
    kind: z.literal('multiboot'),
    kernel: fileName,
    cmdline: z.string({ error: 'expected a kernel command line (string)' }).default(''),
    modules: z.array(z.object({ file: fileName, string: z.string().optional() }).strict()).default([]),
  })
  .strict();

const biosBoot = z
  .object({
    kind: z.literal('bios'),
    /** The system BIOS: at the top of 4 GiB, its last 128 KiB (or all of a 64 KiB image) below 1 MiB. */
    bios: fileName,
    /** The VGA BIOS, at 0xC0000. */
    vgaBios: fileName.optional(),
    /** More option ROMs, each at its address in 0xC0000-0xDFFFF. */
    optionRoms: z
      .array(
        z
          .object({
            file: fileName,
            address: z
              .number({ error: 'expected an address (number)' })
              .int()
              .min(0xc0000, 'expected an address ≥ 0xC0000')
              .max(0xdf800, 'expected an address below 0xE0000')
              .refine((a) => a % 0x800 === 0, 'expected a 2 KiB aligned address'),
          })
          .strict(),
      )
      .default([]),
  })
  .strict();

/** The schema of a VM configuration; reads like Palacios' guest XML. */
export const vmConfigSchema = z
  .object({
    name: z.string().optional(),
    memory: z
      .number({ error: (iss) => `expected a number of MiB ≥ 1, got ${JSON.stringify(iss.input)}` })
      .int('expected a whole number of MiB')
      .min(1, 'expected a number of MiB ≥ 1')
      .max(3072, 'expected at most 3072 MiB (RAM below the 32-bit PCI hole)'),
    cores: z.literal(1, { error: 'expected 1 (SMP comes later)' }).default(1),
    /**
     * `nested`: the CPU walks the guest's page tables (the role NPT/EPT play). `shadow`: the VMM
     * keeps shadow page tables and intercepts page faults, CR3/CR0/CR4 writes and INVLPG, as
     * Palacios does without NPT (`shadow-paging/`).
     */
    paging: z.enum(['nested', 'shadow'], { error: "expected 'nested' | 'shadow'" }).default('nested'),
    clock: z.enum(['host', 'virtual'], { error: "expected 'host' | 'virtual'" }).default('host'),
    /** Virtual clock rate: guest instructions per guest microsecond (MIPS). */
    virtualMips: z.number().positive('expected a positive rate in MIPS').default(100),
    files: z.record(z.string(), bytes).default({}),
    boot: z.discriminatedUnion('kind', [flatBoot, linuxBoot, multibootBoot, biosBoot], {
      error: "expected { kind: 'flat' | 'linux' | 'multiboot' | 'bios', ... }",
    }),
    devices: z.array(deviceEntry, { error: 'expected a list of { class, id, ... }' }),
    debug: z.array(z.enum(DEBUG_SWITCHES, { error: `expected one of ${DEBUG_SWITCHES.join(', ')}` })).default([]),
    onReset: z.enum(['reset', 'stop'], { error: "expected 'reset' | 'stop'" }).default('reset'),
    unhookedIo: z.enum(['fail', 'float'], { error: "expected 'fail' | 'float'" }).default('fail'),
    /** Guest-physical addresses with nothing behind them: all-ones reads as on a PC, or fail stop. */
    unmappedMemory: z.enum(['float', 'fail'], { error: "expected 'float' | 'fail'" }).default('float'),
  })
  .strict();

/** A VM configuration as a host writes it. */
export type V3VmConfig = z.input<typeof vmConfigSchema>;
/** A VM configuration after validation, defaults filled in. */
export type V3VmConfigResolved = z.output<typeof vmConfigSchema>;

function pathOf(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out ? `.${String(part)}` : String(part);
  }
  return out || '(config)';
}

/**
 * Validate a configuration. Throws a V3Error (component `config`) that lists every problem as
 * `key.path: what was expected`, so the host can refuse the VM before anything starts.
 */
export function parseVmConfig(input: unknown): V3VmConfigResolved {
  const result = vmConfigSchema.safeParse(input);
  if (result.success) {
    const cfg = result.data;
    const problems: string[] = [];
    const ids = new Set<string>();
    cfg.devices.forEach((d, i) => {
      if (ids.has(d.id)) problems.push(`devices[${i}].id: expected a unique id, '${d.id}' is used twice`);
      ids.add(d.id);
    });
    const needFile = (key: string, name: string | undefined): void => {
      if (name !== undefined && !(name in cfg.files)) problems.push(`${key}: expected a key of files, got '${name}'`);
    };
    switch (cfg.boot.kind) {
      case 'flat':
        needFile('boot.file', cfg.boot.file);
        break;
      case 'linux':
        needFile('boot.kernel', cfg.boot.kernel);
        needFile('boot.initrd', cfg.boot.initrd);
        break;
      case 'multiboot':
        needFile('boot.kernel', cfg.boot.kernel);
        cfg.boot.modules.forEach((m, i) => needFile(`boot.modules[${i}].file`, m.file));
        break;
      case 'bios':
        needFile('boot.bios', cfg.boot.bios);
        needFile('boot.vgaBios', cfg.boot.vgaBios);
        cfg.boot.optionRoms.forEach((r, i) => needFile(`boot.optionRoms[${i}].file`, r.file));
        if (problems.length === 0) problems.push(...firmwareProblems(cfg));
        break;
    }
    if (problems.length) throw configError(problems);
    return cfg;
  }
  const problems = result.error.issues.map((iss) => {
    if (iss.code === 'unrecognized_keys') return `${pathOf(iss.path)}: unknown key(s) ${iss.keys.map((k) => `'${k}'`).join(', ')}`;
    return `${pathOf(iss.path)}: ${iss.message}`;
  });
  throw configError(problems);
}

/** The largest system BIOS image: QEMU's limit, 16 MiB below 4 GiB. */
export const MAX_BIOS_SIZE = 16 * 1024 * 1024;

/** Size and signature checks of the firmware images of a `bios` boot. */
function firmwareProblems(cfg: V3VmConfigResolved): string[] {
  if (cfg.boot.kind !== 'bios') return [];
  const problems: string[] = [];
  const bios = cfg.files[cfg.boot.bios] as Uint8Array;
  if (bios.length === 0 || bios.length % 0x10000 !== 0 || bios.length > MAX_BIOS_SIZE) {
    problems.push(`boot.bios: expected a BIOS image of a whole number of 64 KiB blocks, at most 16 MiB; '${cfg.boot.bios}' has ${bios.length} bytes`);
  }
  const rom = (key: string, name: string, address: number, limit: number): void => {
    const b = cfg.files[name] as Uint8Array;
    if (b.length < 3 || b[0] !== 0x55 || b[1] !== 0xaa) {
      problems.push(`${key}: expected an option ROM (it starts with 55 AA); '${name}' does not`);
    } else if (address + b.length > limit) {
      problems.push(`${key}: '${name}' (${b.length} bytes at 0x${address.toString(16)}) does not fit below 0x${limit.toString(16)}`);
    }
  };
  if (cfg.boot.vgaBios !== undefined) rom('boot.vgaBios', cfg.boot.vgaBios, 0xc0000, 0xe0000);
  cfg.boot.optionRoms.forEach((r, i) => rom(`boot.optionRoms[${i}].file`, r.file, r.address, 0xe0000));
  return problems;
}

/** The error a refused configuration raises. */
export function configError(problems: string[]): V3Error {
  return new V3Error({ component: 'config' }, `bad VM configuration:\n  ${problems.join('\n  ')}`);
}
