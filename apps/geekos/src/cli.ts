import yargs from 'yargs';
import { DEBUG_SWITCHES } from '@v3/vmm';

/** Where the guest's COM1 goes. */
export type SerialTarget = { kind: 'stdio' } | { kind: 'file'; path: string } | { kind: 'null' };

/** The options of one run, parsed and checked as far as the app can (the VMM checks the rest). */
export interface CliOptions {
  /** `-m`: MiB, or the text given when it is not a size (the VMM's config check refuses it). */
  memory: number | string;
  /** `-serial`. */
  serial: SerialTarget;
  /** `-kernel`: a bzImage, a Multiboot kernel or a flat image; null for the embedded default guest. */
  kernel: string | null;
  /** `-initrd`: the initial ramdisk of a Linux kernel (or the first module of a Multiboot one). */
  initrd: string | null;
  /** `-append`: the kernel command line. */
  append: string | null;
  /** `-clock`. */
  clock: 'host' | 'virtual';
  /** `-paging`: the CPU walks the guest's page tables (`nested`) or the VMM keeps shadow ones (`shadow`). */
  paging: 'nested' | 'shadow';
  /** `-debug` and the DEBUG_<COMP> environment, deduplicated, upper case. */
  debug: string[];
  /** `-telemetry`. */
  telemetry: boolean;
  /** `-no-reboot`. */
  noReboot: boolean;
  /** `-unhooked-io`: a port nothing hooks stops the VM (`fail`) or floats (`float`, for exploring). */
  unhookedIo: 'fail' | 'float';
  /** `-bios`: a system BIOS image; the VM boots through it instead of loading a kernel. */
  bios: string | null;
  /** `-vga-bios`: the VGA BIOS, at 0xC0000 (and offered to SeaBIOS through fw_cfg). */
  vgaBios: string | null;
  /** `-cdrom`: an ISO image on the secondary IDE master (ATAPI). */
  cdrom: string | null;
  /** `-hda`: a raw disk image on the primary IDE master; the guest's writes reach the file. */
  hda: string | null;
  /** `-boot`: the firmware's boot order, `c` (disk) or `d` (CD-ROM) first; null for the default. */
  boot: string | null;
  /** `-nographic`: no VGA screen on the terminal. */
  nographic: boolean;
  /** `-bios-log`: the firmware's debug console (port 0x402) into this file. */
  biosLog: string | null;
  /** `-vga-text`: the VGA text screen at the end of the run into this file. */
  vgaText: string | null;
}

/** What the command line asks for. */
export type CliRequest =
  | { kind: 'run'; options: CliOptions }
  | { kind: 'help'; text: string }
  | { kind: 'usage-error'; message: string; usage: string };

const on = (v: string | undefined): boolean => v !== undefined && v !== '' && v !== '0' && v !== 'false';

/** The run-time DEBUG_<COMP>=1 switches in `env`. */
export function debugFromEnv(env: Record<string, string | undefined>): string[] {
  return DEBUG_SWITCHES.filter((name) => on(env[`DEBUG_${name}`]));
}

/** `128`, `128M`, `1G` → MiB; anything else is handed on as typed. */
function parseMemory(text: string): number | string {
  const m = /^\s*(\d+)\s*([MmGg]?)\s*$/.exec(text);
  if (!m) return text;
  const n = Number(m[1]);
  return m[2] === 'G' || m[2] === 'g' ? n * 1024 : n;
}

function parseSerial(text: string): SerialTarget | string {
  if (text === 'stdio') return { kind: 'stdio' };
  if (text === 'null' || text === 'none') return { kind: 'null' };
  if (text.startsWith('file:') && text.length > 5) return { kind: 'file', path: text.slice(5) };
  return `-serial: expected stdio, file:PATH or null, got '${text}'`;
}

function parser() {
  return yargs()
    .scriptName('geekos')
    .usage(
      'Usage: geekos [options]\n\n' +
        'Boot a guest on the v3 VMM inside a GeekOS host (one CPU, the 8259A PIC, the 8254 PIT,\n' +
        'a 16550 on COM1, the Bochs and OS debug ports). Without -kernel it runs the built-in\n' +
        'v3guest. Options follow QEMU: one dash, long names.',
    )
    .parserConfiguration({
      'short-option-groups': false,
      'camel-case-expansion': false,
      'boolean-negation': false,
      'duplicate-arguments-array': false,
      'strip-aliased': true,
    })
    .option('m', { type: 'string', default: '128', requiresArg: true, describe: 'guest RAM in MiB (128, 256M, 1G)' })
    .option('serial', { type: 'string', default: 'stdio', requiresArg: true, describe: "COM1 to 'stdio', 'file:PATH' (created or truncated) or 'null'" })
    .option('kernel', { type: 'string', requiresArg: true, describe: 'a Linux bzImage, a Multiboot kernel, or a flat image loaded at 0x7C00 in real mode (default: the built-in v3guest)' })
    .option('initrd', { type: 'string', requiresArg: true, describe: 'initial ramdisk for a Linux kernel (a module for a Multiboot one)' })
    .option('append', { type: 'string', requiresArg: true, describe: 'kernel command line' })
    .option('clock', { choices: ['host', 'virtual'] as const, default: 'host' as const, describe: 'guest time: wall clock, or instructions retired (reproducible)' })
    .option('paging', { choices: ['nested', 'shadow'] as const, default: 'nested' as const, describe: "guest paging: the CPU walks the guest's tables, or the VMM keeps shadow page tables (Palacios without NPT)" })
    .option('debug', { type: 'string', requiresArg: true, describe: `run-time debug output, COMP[,COMP] of: ${DEBUG_SWITCHES.join(' ')}` })
    .option('telemetry', { type: 'boolean', default: false, describe: 'print exit counts, instructions and MIPS at the end' })
    .option('unhooked-io', { choices: ['fail', 'float'] as const, default: 'fail' as const, describe: "a port nothing hooks: stop the VM, or read all ones and drop writes (exploring; -telemetry lists them)" })
    .option('no-reboot', { type: 'boolean', default: false, describe: 'end the run when the guest resets, instead of rebooting it' })
    .option('bios', { type: 'string', requiresArg: true, describe: 'boot through this system BIOS image (SeaBIOS bios.bin, BIOS-bochs-latest): the machine gets IDE, VGA and fw_cfg' })
    .option('vga-bios', { type: 'string', requiresArg: true, describe: 'VGA BIOS image for -bios, mapped at 0xC0000 (vgabios.bin, seabios-vgabios-isavga.bin)' })
    .option('cdrom', { type: 'string', requiresArg: true, describe: 'ISO image as an ATAPI CD-ROM (secondary IDE master), read only' })
    .option('hda', { type: 'string', requiresArg: true, describe: 'raw disk image as the primary IDE master; the guest writes to the file' })
    .option('boot', { type: 'string', requiresArg: true, describe: "with -bios: boot from the disk ('c') or the CD-ROM ('d') first (default: d with -cdrom, else c)" })
    .option('nographic', { type: 'boolean', default: false, describe: 'with -bios: do not show the VGA text screen on the terminal' })
    .option('bios-log', { type: 'string', requiresArg: true, describe: "with -bios: write the firmware's debug console (port 0x402) to this file" })
    .option('vga-text', { type: 'string', requiresArg: true, describe: 'with -bios: write the VGA text screen to this file when the run ends' })
    .help('help')
    .alias('help', 'h')
    .version(false)
    .strict()
    .wrap(100)
    .epilogue(
      'Serial console: with -serial stdio the guest reads the keyboard (raw when stdin is a terminal;\n' +
        'Ctrl-A x quits, Ctrl-A Ctrl-A sends Ctrl-A). VMM messages and the debug ports go to stderr.\n\n' +
        'Environment: DEBUG_<COMP>=1 switches COMP on as -debug does. Debug output must be compiled in:\n' +
        'DEBUG_<COMP>=1 pnpm --filter @v3/app-geekos build\n\n' +
        'Exit status: 0 powered off, 1 fail stop, 2 bad options or config, 3 triple fault,\n' +
        '4 reset with -no-reboot, 6 stopped, 128+N signal N, 70 internal error. A CPU halted with interrupts\n' +
        'disabled (how a guest without ACPI powers off) ends the run with 0 too.',
    );
}

/** Parse a command line (without `node script`) and the environment's DEBUG_ switches. */
export function parseCli(argv: readonly string[], env: Record<string, string | undefined> = {}): CliRequest {
  const p = parser();
  let failure: string | null = null;
  let help = false;
  let parsed: Record<string, unknown> = {};
  p.fail((msg, err) => {
    failure = msg ?? err?.message ?? 'bad options';
  });
  p.parse([...argv], {}, (err, args, output) => {
    if (err && !failure) failure = err.message;
    if (!err && output) help = true;
    parsed = args as Record<string, unknown>;
  });
  const usage = (): string => {
    let text = '';
    p.showHelp((s: string) => (text = s));
    // yargs prints long options with two dashes; ours take one, as QEMU's do.
    return text.replace(/^ {6}--([\w-]+)/gm, '  -$1     ').replace(/^( {2}-\w, )--([\w-]+)/gm, '$1-$2 ');
  };
  if (failure !== null) return { kind: 'usage-error', message: failure, usage: usage() };
  if (help) return { kind: 'help', text: usage() };

  const serial = parseSerial(String(parsed.serial));
  if (typeof serial === 'string') return { kind: 'usage-error', message: serial, usage: usage() };
  const positional = (parsed._ as unknown[] | undefined) ?? [];
  if (positional.length > 0) {
    return { kind: 'usage-error', message: `unexpected argument '${String(positional[0])}'`, usage: usage() };
  }

  const debug = new Set<string>();
  const requested = parsed.debug === undefined ? [] : String(parsed.debug).split(',');
  for (const raw of requested) {
    const name = raw.trim().toUpperCase().replace(/^DEBUG_/, '');
    if (!name) continue;
    if (!(DEBUG_SWITCHES as readonly string[]).includes(name)) {
      return { kind: 'usage-error', message: `-debug: unknown component '${raw}' (expected: ${DEBUG_SWITCHES.join(', ')})`, usage: usage() };
    }
    debug.add(name);
  }
  for (const name of debugFromEnv(env)) debug.add(name);

  if ((parsed.initrd !== undefined || parsed.append !== undefined) && parsed.kernel === undefined) {
    return { kind: 'usage-error', message: '-initrd and -append need -kernel', usage: usage() };
  }
  const str = (k: string): string | null => (parsed[k] === undefined ? null : String(parsed[k]));
  if (parsed.bios !== undefined && parsed.kernel !== undefined) {
    return { kind: 'usage-error', message: '-bios and -kernel exclude each other (the BIOS loads the guest from a disk or CD-ROM)', usage: usage() };
  }
  if (parsed.bios === undefined) {
    const needBios = ['vga-bios', 'boot', 'bios-log', 'vga-text'].find((k) => parsed[k] !== undefined) ?? (parsed.nographic === true ? 'nographic' : undefined);
    if (needBios) return { kind: 'usage-error', message: `-${needBios} needs -bios`, usage: usage() };
  }
  const boot = str('boot');
  if (boot !== null && !/^[cd]$/.test(boot)) {
    return { kind: 'usage-error', message: `-boot: expected c (disk) or d (CD-ROM), got '${boot}'`, usage: usage() };
  }

  return {
    kind: 'run',
    options: {
      memory: parseMemory(String(parsed.m)),
      serial,
      kernel: parsed.kernel === undefined ? null : String(parsed.kernel),
      initrd: parsed.initrd === undefined ? null : String(parsed.initrd),
      append: parsed.append === undefined ? null : String(parsed.append),
      clock: parsed.clock === 'virtual' ? 'virtual' : 'host',
      paging: parsed.paging === 'shadow' ? 'shadow' : 'nested',
      debug: [...debug],
      telemetry: parsed.telemetry === true,
      noReboot: parsed['no-reboot'] === true,
      unhookedIo: parsed['unhooked-io'] === 'float' ? 'float' : 'fail',
      bios: str('bios'),
      vgaBios: str('vga-bios'),
      cdrom: str('cdrom'),
      hda: str('hda'),
      boot,
      nographic: parsed.nographic === true,
      biosLog: str('bios-log'),
      vgaText: str('vga-text'),
    },
  };
}
