import { appendFileSync, closeSync, openSync, readFileSync, writeFileSync, writeSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { createGeekosHost, type GeekosHost } from '@v3/host-geekos';
import {
  V3Error,
  parseVmConfig,
  v3_create_vm,
  v3_debug_compiled_in,
  v3_debug_compiled_list,
  v3_format_telemetry,
  v3_find_device,
  v3_free_vm,
  v3_hook_io_port,
  v3_init,
  v3_shadow_control,
  v3_shutdown,
  v3_start_vm,
  v3_stop_vm,
  v3_wait_vm,
  type V3VmConfigResolved,
  type V3VmExit,
  type V3VmInfo,
} from '@v3/vmm';
import { parseCli, type CliOptions } from './cli.js';
import { EXIT, exitLine, exitStatus } from './exit.js';
import type { I440fx } from '@v3/dev-i440fx';
import type { VgaDevice } from '@v3/dev-vga';
import { BIOS_LOG_PORTS, DEVICE_CLASSES, NORTHBRIDGE, SERIAL_STREAM, VGA_ID, machineConfig, type Firmware, type MachineOptions } from './machine.js';
import { openSerial, type SerialBackend } from './serial.js';
import { CD_SECTOR, DISK_SECTOR, FileBackend } from './storage/index.js';
import { TerminalScreen, screenText } from './display/index.js';

const MiB = 1024 * 1024;
/** Host memory beyond guest RAM: the VMM's own page allocations (shadow page tables and such). */
const HOST_RESERVE_MIB = 16;
/** Ctrl-A: the console escape, as in QEMU. */
const CTRL_A = 0x01;

/** The process the app runs in: its streams and environment (tests and main pass the real ones). */
export interface GeekosProcess {
  argv: readonly string[];
  env: Record<string, string | undefined>;
  cwd: string;
  stdin: NodeJS.ReadStream;
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
  /** The embedded default guest. */
  defaultGuest: { name: string; bytes: Uint8Array<ArrayBuffer> };
}

/**
 * The directory relative paths are read from. `pnpm geekos …` runs the root script in the
 * repository root and says where the user was in INIT_CWD; when this process was started by a
 * package script in its package's directory, that is the caller's directory.
 */
export function callerDir(cwd: string, env: Record<string, string | undefined>): string {
  const init = env.INIT_CWD;
  const pkg = env.npm_package_json;
  if (init && pkg && resolve(dirname(pkg)) === resolve(cwd)) return init;
  return cwd;
}

/** Run the `geekos` command: boot, run to the end, and return the exit status. */
export async function main(proc: GeekosProcess): Promise<number> {
  const { stdout, stderr } = proc;
  const request = parseCli(proc.argv, proc.env);
  if (request.kind === 'help') {
    stdout.write(request.text + '\n');
    return 0;
  }
  if (request.kind === 'usage-error') {
    stderr.write(`geekos: ${request.message}\n\n${request.usage}\n`);
    return EXIT.USAGE;
  }
  const o = request.options;
  const cwd = callerDir(proc.cwd, proc.env);

  const refused = refuseCompiledOut(o.debug);
  if (refused) {
    stderr.write(`geekos: ${refused}\n`);
    return EXIT.USAGE;
  }

  let kernel = proc.defaultGuest;
  if (o.kernel !== null) {
    try {
      kernel = { name: basename(o.kernel), bytes: new Uint8Array(readFileSync(resolve(cwd, o.kernel))) };
    } catch (err) {
      stderr.write(`geekos: -kernel ${o.kernel}: cannot read it (${(err as NodeJS.ErrnoException).code ?? String(err)})\n`);
      return EXIT.USAGE;
    }
  }

  let initrd: MachineOptions['initrd'] = null;
  if (o.initrd !== null) {
    try {
      initrd = { name: basename(o.initrd), bytes: new Uint8Array(readFileSync(resolve(cwd, o.initrd))) };
    } catch (err) {
      stderr.write(`geekos: -initrd ${o.initrd}: cannot read it (${(err as NodeJS.ErrnoException).code ?? String(err)})\n`);
      return EXIT.USAGE;
    }
  }

  let firmware: Firmware | null = null;
  if (o.bios !== null) {
    const read = (opt: string, path: string): { name: string; bytes: Uint8Array<ArrayBuffer> } | string => {
      try {
        return { name: basename(path), bytes: new Uint8Array(readFileSync(resolve(cwd, path))) };
      } catch (err) {
        return `${opt} ${path}: cannot read it (${(err as NodeJS.ErrnoException).code ?? String(err)})`;
      }
    };
    const bios = read('-bios', o.bios);
    const vgaBios = o.vgaBios === null ? null : read('-vga-bios', o.vgaBios);
    for (const r of [bios, vgaBios]) {
      if (typeof r === 'string') {
        stderr.write(`geekos: ${r}\n`);
        return EXIT.USAGE;
      }
    }
    firmware = { bios: bios as Firmware['bios'], vgaBios: vgaBios as Firmware['vgaBios'] };
  }

  const drives: NonNullable<MachineOptions['drives']> = {};
  const images: FileBackend[] = [];
  const closeImages = (): void => {
    for (const img of images.splice(0)) img.close();
  };
  try {
    if (o.hda !== null) images.push((drives.hda = new FileBackend(resolve(cwd, o.hda), DISK_SECTOR)));
    if (o.cdrom !== null) images.push((drives.cdrom = new FileBackend(resolve(cwd, o.cdrom), CD_SECTOR)));
  } catch (err) {
    closeImages();
    stderr.write(`geekos: ${o.hda !== null && !drives.hda ? '-hda' : '-cdrom'}: ${(err as Error).message}\n`);
    return EXIT.USAGE;
  }

  const machine: MachineOptions = {
    memory: o.memory,
    kernel,
    initrd,
    append: o.append,
    clock: o.clock,
    paging: o.paging,
    debug: o.debug,
    noReboot: o.noReboot,
    unhookedIo: o.unhookedIo,
    firmware,
    drives,
    bootOrder: o.boot === 'c' ? 'cd' : o.boot === 'd' || o.cdrom !== null ? 'dc' : 'cd',
    nographic: o.nographic,
  };
  try {
    return await configureAndRun(proc, o, cwd, machine);
  } finally {
    closeImages();
  }
}

/** Configuration, the serial port, and the run (the drives are open). */
async function configureAndRun(proc: GeekosProcess, o: CliOptions, cwd: string, machine: MachineOptions): Promise<number> {
  const { stdout, stderr } = proc;
  let config: ReturnType<typeof machineConfig>;
  try {
    config = machineConfig(machine);
  } catch (err) {
    stderr.write(`geekos: ${(err as Error).message}\n`);
    return EXIT.USAGE;
  }
  let resolved: V3VmConfigResolved;
  try {
    resolved = parseVmConfig(config);
  } catch (err) {
    stderr.write(`geekos: ${err instanceof Error ? err.message : String(err)}\n`);
    return EXIT.USAGE;
  }

  let serial: SerialBackend;
  try {
    serial = openSerial(o.serial, cwd, (bytes) => stdout.write(bytes));
  } catch (err) {
    const path = o.serial.kind === 'file' ? o.serial.path : o.serial.kind;
    stderr.write(`geekos: -serial file:${path}: cannot create it (${(err as NodeJS.ErrnoException).code ?? String(err)})\n`);
    return EXIT.USAGE;
  }

  const run = new Run(proc, o, serial);
  try {
    return await run.boot(config, resolved);
  } finally {
    run.teardown();
  }
}

/** The compiled-out refusal for a `-debug`/DEBUG_ request, or null when all is compiled in. */
function refuseCompiledOut(debug: readonly string[]): string | null {
  if (debug.includes('ALL') && v3_debug_compiled_list().length === 0) {
    return 'no debug output is compiled into this build; rebuild with DEBUG_ALL=1 or DEBUG_<COMP>=1 (DEBUG_ALL=1 pnpm --filter @v3/app-geekos build)';
  }
  const missing = debug.filter((name) => name !== 'ALL' && !v3_debug_compiled_in(name));
  if (missing.length === 0) return null;
  const env = missing.map((n) => `DEBUG_${n}=1`).join(' ');
  return (
    `debug output of ${missing.join(', ')} is not compiled into this build; ` +
    `rebuild with ${env} (${env} pnpm --filter @v3/app-geekos build, or ${env} pnpm geekos …)`
  );
}

/** One boot of one VM: the host, the VMM, the terminal, signals, and the tidy end. */
class Run {
  private host: GeekosHost | null = null;
  private vm: V3VmInfo | null = null;
  private rawMode = false;
  private signal: NodeJS.Signals | null = null;
  private stopping = false;
  private readonly cleanups: (() => void)[] = [];

  constructor(private readonly proc: GeekosProcess, private readonly o: CliOptions, private readonly serial: SerialBackend) {}

  /**
   * Messages for the user (VMM output, debug ports, the end line) on stderr. Node's raw mode
   * (libuv's) keeps the terminal's output processing, so \n still starts a new line.
   */
  private say(text: string): void {
    this.serial.flush();
    if (this.heldMessages) this.heldMessages.push(text);
    else this.proc.stderr.write(text);
  }

  /** While the VGA screen owns the terminal, messages wait here and appear once it is closed. */
  private heldMessages: string[] | null = null;
  /** Gives the terminal back, when the VGA screen is shown. */
  private closeScreen: (() => void) | null = null;

  async boot(config: unknown, resolved: V3VmConfigResolved): Promise<number> {
    const poolMiB = resolved.memory + HOST_RESERVE_MIB;
    let host: GeekosHost;
    try {
      host = createGeekosHost({
        memoryBytes: poolMiB * MiB,
        console: { write: (text) => this.say(text) },
        streams: { [SERIAL_STREAM]: this.serial.sink },
        keyboardStream: SERIAL_STREAM,
      });
    } catch (err) {
      if (!(err instanceof RangeError)) throw err;
      this.say(`geekos: cannot reserve ${poolMiB} MiB of host memory for the guest's RAM (-m ${resolved.memory}): ${err.message}\n`);
      return EXIT.ERROR;
    }
    this.host = host;
    v3_init(host.hooks, 0b1, { devices: DEVICE_CLASSES, streams: host.streams });
    this.cleanups.push(() => v3_shutdown());

    let vm: V3VmInfo;
    try {
      vm = v3_create_vm(config, null, 'geekos');
    } catch (err) {
      this.say(`geekos: ${err instanceof Error ? err.message : String(err)}\n`);
      return err instanceof V3Error && err.detail.component === 'config' ? EXIT.USAGE : EXIT.ERROR;
    }
    this.vm = vm;
    this.cleanups.unshift(() => v3_free_vm(vm));
    if (resolved.boot.kind === 'bios') this.wireFirmware(vm);
    if (this.o.vgaText !== null) this.logScreens(vm, this.o.vgaText);
    if (resolved.boot.kind === 'bios' && !this.o.nographic) this.showScreen(vm);

    if (this.serial.interactive) this.attachKeyboard(host);
    this.attachSignals();

    v3_start_vm(vm, 0b1);
    const exit = await Promise.race([v3_wait_vm(vm), this.deadlock()]);
    this.serial.close();
    this.screenLog?.();
    this.closeScreen?.();
    this.say(exitLine(exit) + '\n');
    if (this.o.telemetry) this.say(v3_format_telemetry(vm).replace(/\n?$/, '\n'));
    if (this.signal) return 128 + (this.signal === 'SIGINT' ? 2 : this.signal === 'SIGTERM' ? 15 : 1);
    return exitStatus(exit);
  }

  /**
   * A firmware boot: the i440FX's PAM registers drive the VMM's shadowing of the BIOS area, and
   * the firmware log ports (0x402, SeaBIOS' debug console as QEMU's isa-debugcon; 0x500, the LGPL
   * VGA BIOS's) go to the -bios-log file. Without one they read 0xFF (SeaBIOS then sees no debug
   * console and stops writing there) and drop what is written.
   */
  private wireFirmware(vm: V3VmInfo): void {
    v3_find_device<I440fx>(vm, NORTHBRIDGE)?.connectMemory(v3_shadow_control(vm));
    const cwd = callerDir(this.proc.cwd, this.proc.env);
    const logPath = this.o.biosLog;
    const fd = logPath === null ? null : openSync(resolve(cwd, logPath), 'w');
    if (fd !== null) this.cleanups.push(() => closeSync(fd));
    for (const port of BIOS_LOG_PORTS) {
      v3_hook_io_port(
        vm,
        port,
        () => (fd === null ? 0xff : 0xe9),
        (_port, _size, value) => {
          if (fd !== null) writeSync(fd, Uint8Array.of(value & 0xff));
        },
        'bios-log',
      );
    }
  }

  /**
   * A firmware boot on a terminal shows the VGA text screen on stdout (the alternate screen,
   * redrawn every 50 ms when the guest changed it), unless -nographic, stdout is not a terminal,
   * or COM1 already writes to stdout (-serial stdio, the default): then a note says so.
   */
  private showScreen(vm: V3VmInfo): void {
    const dev = v3_find_device<VgaDevice>(vm, VGA_ID);
    const stdout = this.proc.stdout;
    if (!dev || !stdout.isTTY) return;
    if (this.o.serial.kind === 'stdio') {
      this.say('geekos: COM1 is on this terminal (-serial stdio), so the VGA screen is not shown; use -serial file:PATH or -serial null to see it, -nographic to silence this\n');
      return;
    }
    const screen = new TerminalScreen(dev, stdout);
    screen.open();
    this.heldMessages = [];
    const timer = setInterval(() => screen.refresh(), 50);
    const onResize = (): void => screen.redraw();
    stdout.on('resize', onResize);
    this.closeScreen = () => {
      this.closeScreen = null;
      clearInterval(timer);
      stdout.removeListener('resize', onResize);
      screen.refresh();
      screen.close();
      const held = this.heldMessages ?? [];
      this.heldMessages = null;
      for (const text of held) this.proc.stderr.write(text);
    };
    this.cleanups.push(() => this.closeScreen?.());
  }

  /** Takes the last screen into the -vga-text file; set while one is being written. */
  private screenLog: (() => void) | null = null;

  /**
   * `-vga-text FILE`: the VGA text screen, rendered as text (one line per row, trailing blanks
   * trimmed), appended to FILE each time it changed, looked at every 100 ms of host time and
   * once more when the run ends. Each screen starts with a form feed line. Tests read it; a user
   * can `tail` it.
   */
  private logScreens(vm: V3VmInfo, path: string): void {
    const dev = v3_find_device<VgaDevice>(vm, VGA_ID);
    if (!dev) return;
    const file = resolve(callerDir(this.proc.cwd, this.proc.env), path);
    writeFileSync(file, '');
    let seen = -1;
    let last = '';
    const take = (): void => {
      if (dev.changes === seen) return;
      seen = dev.changes;
      const s = dev.textScreen();
      const text = s.mode === 'graphics' ? '(graphics mode)' : screenText(s, { trimEnd: true }).join('\n').replace(/\n+$/, '');
      if (text === last) return;
      last = text;
      appendFileSync(file, `\f\n${text}\n`);
    };
    const timer = setInterval(take, 100);
    this.screenLog = () => {
      clearInterval(timer);
      take();
      this.screenLog = null;
    };
    this.cleanups.push(() => this.screenLog?.());
  }

  /** Undo everything boot did, in reverse; never throws. */
  teardown(): void {
    this.serial.close();
    for (const cleanup of this.cleanups.splice(0)) {
      try {
        cleanup();
      } catch (err) {
        this.say(`geekos: while shutting down: ${err instanceof Error ? err.message : String(err)}\n`);
      }
    }
    this.host?.dispose();
  }

  private stop(why: string): void {
    if (this.stopping || !this.vm) return;
    this.stopping = true;
    this.say(`geekos: ${why}, stopping the VM\n`);
    void v3_stop_vm(this.vm).catch((err: unknown) => this.say(`geekos: stop failed: ${String(err)}\n`));
  }

  /** stdin to the guest's COM1: raw when it is a terminal (Ctrl-A x quits), piped through otherwise. */
  private attachKeyboard(host: GeekosHost): void {
    const stdin = this.proc.stdin;
    let escaped = false;
    const onData = (chunk: Buffer): void => {
      if (!this.rawMode) {
        host.keyboard.press(new Uint8Array(chunk));
        return;
      }
      const out: number[] = [];
      for (const b of chunk) {
        if (escaped) {
          escaped = false;
          if (b === 0x78 /* x */) this.stop('Ctrl-A x');
          else if (b === CTRL_A) out.push(CTRL_A);
          else if (b === 0x68 /* h */) this.say('\ngeekos: Ctrl-A x quit, Ctrl-A Ctrl-A send Ctrl-A, Ctrl-A h this help\n');
          continue;
        }
        if (b === CTRL_A) escaped = true;
        else out.push(b);
      }
      if (out.length) host.keyboard.press(new Uint8Array(out));
    };
    if (stdin.isTTY && typeof stdin.setRawMode === 'function') {
      stdin.setRawMode(true);
      this.rawMode = true;
      const restore = (): void => {
        if (this.rawMode) stdin.setRawMode(false);
        this.rawMode = false;
      };
      process.once('exit', restore);
      this.cleanups.push(() => {
        restore();
        process.removeListener('exit', restore);
      });
    }
    stdin.on('data', onData);
    stdin.resume();
    this.cleanups.push(() => {
      stdin.removeListener('data', onData);
      stdin.pause();
    });
  }

  /** SIGINT/SIGTERM stop the VM (a second one exits at once). */
  private attachSignals(): void {
    const onSignal = (signal: NodeJS.Signals): void => {
      if (this.signal) {
        this.teardown();
        process.exit(128 + (signal === 'SIGINT' ? 2 : 15));
      }
      this.signal = signal;
      this.stop(signal);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    this.cleanups.push(() => {
      process.removeListener('SIGINT', onSignal);
      process.removeListener('SIGTERM', onSignal);
    });
  }

  /**
   * Node ends a process whose event loop has nothing left to do. If that happens before the VM
   * ended, its core thread waits on something that can never come: say so instead of exiting 0.
   */
  private deadlock(): Promise<V3VmExit> {
    return new Promise((resolve) => {
      const onEmpty = (): void =>
        resolve({ reason: 'error', message: 'geekos: internal: the VM is still running but no thread, timer or I/O can ever run it (deadlock)' });
      process.once('beforeExit', onEmpty);
      this.cleanups.push(() => process.removeListener('beforeExit', onEmpty));
    });
  }
}
