import { V3Error, type CharStream, type PowerRequest } from '@v3/device-api';
import type { V3VmConfigResolved } from './config.js';
import type { V3Core } from './core.js';
import { DebugSwitches } from './debug.js';
import { DeviceManager } from './dev-mgr.js';
import { InterruptRouting } from './intr.js';
import { IoMap } from './io-hooks.js';
import { MemoryMap } from './mem.js';
import { mapFirmware } from './loaders/bios.js';
import { MsrMap } from './msr-hooks.js';
import { CpuidMap } from './cpuid-hooks.js';
import { HostEventBus } from './host-events.js';
import type { V3OsHooks, V3StreamHooks } from './os-hooks.js';
import { Telemetry } from './telemetry.js';
import { VmTime } from './time.js';

/** A VM's run state (Palacios' `v3_vm_state`). */
export type V3VmState = 'created' | 'running' | 'paused' | 'stopped' | 'error';

/** Why a VM's run ended. */
export type V3ExitReason = 'poweroff' | 'reset' | 'shutdown' | 'halted' | 'stopped' | 'error';

/** How a VM ended, as `v3_wait_vm` reports it. */
export interface V3VmExit {
  reason: V3ExitReason;
  /** One line saying why. */
  message: string;
  /** The fail-stop error, when `reason` is `error`. */
  error?: V3Error;
}

/**
 * One virtual machine (Palacios' `struct v3_vm_info`): configuration, memory map, port table,
 * interrupt routing, time, devices and cores. Hosts hold it as an opaque handle and pass it to
 * the `v3_` calls.
 */
export class V3VmInfo {
  state: V3VmState = 'created';
  readonly telemetry = new Telemetry();
  readonly io: IoMap;
  readonly mem: MemoryMap;
  readonly intr = new InterruptRouting();
  readonly msr: MsrMap;
  readonly cpuid: CpuidMap;
  readonly hostEvents = new HostEventBus();
  readonly time: VmTime;
  readonly devMgr: DeviceManager;
  readonly cores: V3Core[] = [];
  /** Host pages holding guest RAM. */
  readonly ramPaddr: number;
  /** Other host pages the VMM took for this VM (shadow page tables), given back by `free`. */
  private readonly vmmPages: { paddr: number; pages: number }[] = [];
  /** A power request from a device, handled at the next instruction boundary. */
  powerRequest: { request: PowerRequest; why: string } | null = null;
  /** Streams devices opened; closed when the VM is freed. */
  private readonly streams: CharStream[] = [];
  private readonly switches: DebugSwitches;
  private exitInfo: V3VmExit | null = null;
  private readonly exitWaiters: ((e: V3VmExit) => void)[] = [];

  constructor(
    readonly name: string,
    readonly config: V3VmConfigResolved,
    readonly privData: unknown,
    readonly hooks: V3OsHooks,
    private readonly streamHooks: V3StreamHooks | null,
  ) {
    try {
      this.switches = new DebugSwitches(config.debug);
    } catch (e) {
      throw new V3Error({ component: 'config' }, (e as Error).message);
    }
    this.io = new IoMap(this.telemetry);
    this.msr = new MsrMap(this.telemetry);
    this.cpuid = new CpuidMap(this.telemetry);
    this.io.unhooked = config.unhookedIo;
    this.telemetry.floatedPorts = this.io.floated;
    this.time = new VmTime(config.clock, config.virtualMips);
    const pages = Math.ceil((config.memory * 1024 * 1024) / 4096);
    const alloc = this.hooks.allocate_pages;
    if (!alloc) throw new V3Error({ component: 'vmm', vm: name }, 'the host provides no allocate_pages hook: cannot allocate guest RAM');
    const got = alloc.call(this.hooks, pages, 4096, -1, 0);
    if (!got) throw new V3Error({ component: 'vmm', vm: name }, `the host could not allocate ${config.memory} MiB of guest RAM`);
    this.ramPaddr = got.paddr;
    got.bytes.fill(0);
    this.mem = new MemoryMap(got.bytes, this.telemetry);
    this.mem.unmapped = config.unmappedMemory;
    this.mem.onFramesChanged = () => {
      for (const c of this.cores) c.engine.flushTlb();
    };
    mapFirmware(this.mem, config);
    this.devMgr = new DeviceManager(this);
    this.intr.onRaise = () => this.kickCores();
  }

  /** Make every core look at interrupts and the run state at its next instruction boundary. */
  kickCores(): void {
    for (const c of this.cores) c.kick();
  }

  /** Whether `component`'s debug output is on at run time. */
  debugOn(component: string): boolean {
    return this.switches.enabled(component);
  }

  /** PrintDebug. */
  debug(component: string, message: string): void {
    this.hooks.print(`[${this.name}] ${component}: ${message}\n`);
  }

  /** PrintError: always printed. */
  printError(message: string): void {
    this.hooks.print(`[${this.name}] ERROR: ${message}\n`);
  }

  /** V3_Print: a plain line for the host console. */
  print(message: string): void {
    this.hooks.print(`${message}\n`);
  }

  /** A device asks to power off or reset; the core acts at the next instruction boundary. */
  requestPower(request: PowerRequest, why: string): void {
    if (!this.powerRequest || request === 'poweroff') this.powerRequest = { request, why };
    for (const c of this.cores) c.kick();
  }

  /** Open a host stream for a device (the host's stream hooks decide what it is). */
  openStream(name: string, onInput: (bytes: Uint8Array) => void, owner: string): CharStream {
    if (!this.streamHooks) {
      throw new V3Error({ component: owner, vm: this.name }, `needs host stream '${name}', but the host registered no stream hooks`);
    }
    const wake = (bytes: Uint8Array): void => {
      onInput(bytes);
      for (const c of this.cores) c.kick();
    };
    const s = this.streamHooks.open(this, name, wake);
    this.streams.push(s);
    return s;
  }

  /** True when a device holds a host stream (host input could still wake a halted guest). */
  get hasInputStreams(): boolean {
    return this.streams.length > 0;
  }

  /** Record how the VM ended and wake everyone awaiting it (first ending wins). */
  end(exit: V3VmExit): void {
    if (this.exitInfo) return;
    this.exitInfo = exit;
    this.state = exit.reason === 'error' ? 'error' : 'stopped';
    for (const w of this.exitWaiters.splice(0)) w(exit);
  }

  /** How the VM ended, or null while it runs. */
  get exit(): V3VmExit | null {
    return this.exitInfo;
  }

  /** Resolves when the VM ends. */
  waitForExit(): Promise<V3VmExit> {
    if (this.exitInfo) return Promise.resolve(this.exitInfo);
    return new Promise((resolve) => this.exitWaiters.push(resolve));
  }

  /**
   * Host pages for the VMM's own use (not guest RAM), through `allocate_pages`; `what` names the
   * user in the error when the host has none left. Released by `free`.
   */
  allocateVmmPages(pages: number, what: string): Uint8Array {
    const got = this.hooks.allocate_pages?.call(this.hooks, pages, 4096, -1, 0) ?? null;
    if (!got) throw new V3Error({ component: 'vmm', vm: this.name }, `the host could not allocate ${pages} pages for ${what}`);
    this.vmmPages.push({ paddr: got.paddr, pages });
    got.bytes.fill(0);
    return got.bytes;
  }

  /** Release devices, streams, the VMM's pages and guest RAM. */
  free(): void {
    this.devMgr.freeAll();
    for (const s of this.streams.splice(0)) s.close();
    for (const p of this.vmmPages.splice(0)) this.hooks.free_pages?.(p.paddr, p.pages);
    this.hooks.free_pages?.(this.ramPaddr, Math.ceil(this.mem.ram.length / 4096));
  }
}
