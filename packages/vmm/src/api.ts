import { V3Error, type DeviceClass, type HostKeyboardEvent, type HostMouseEvent, type MmioOps, type MsrOps } from '@v3/device-api';
import type { V3IoRead, V3IoWrite } from './io-hooks.js';
import type { V3CpuidHook } from './cpuid-hooks.js';
import { configError, parseVmConfig } from './config.js';
import { V3Core } from './core.js';
import { DeviceRegistry } from './dev-mgr.js';
import type { V3OsHooks, V3StreamHooks, V3Thread } from './os-hooks.js';
import { formatTelemetry, type V3Telemetry } from './telemetry.js';
import { V3VmInfo, type V3VmExit, type V3VmState } from './vm.js';

/**
 * What `v3_init` keeps: the host's hooks and the registered device classes (Palacios keeps
 * `os_hooks` and the device table as globals of the VMM library in the same way). VM and core
 * state never live here.
 */
interface VmmGlobals {
  hooks: V3OsHooks;
  cpuMask: number;
  streams: V3StreamHooks | null;
  registry: DeviceRegistry;
  vms: Set<V3VmInfo>;
}

let vmm: VmmGlobals | null = null;

function initialized(call: string): VmmGlobals {
  if (!vmm) throw new V3Error({ component: 'vmm' }, `${call} called before v3_init`);
  return vmm;
}

/** Options of {@link v3_init} beyond Palacios' two arguments. */
export interface V3InitOptions {
  /** Device classes to register (Palacios finds them in a linker section). */
  devices?: readonly DeviceClass[];
  /** The host's stream interface (Palacios' `V3_Init_Stream`). */
  streams?: V3StreamHooks;
}

/**
 * `Init_V3`: give the VMM the host's hooks, the mask of host CPUs it may use, and the device
 * classes it can create. Called once; {@link v3_shutdown} undoes it.
 */
export function v3_init(hooks: V3OsHooks, cpuMask: number, opts: V3InitOptions = {}): void {
  if (vmm) throw new V3Error({ component: 'vmm' }, 'v3_init called twice (call v3_shutdown first)');
  if (typeof hooks?.print !== 'function') throw new V3Error({ component: 'vmm' }, 'os_hooks.print is required');
  const registry = new DeviceRegistry();
  for (const cls of opts.devices ?? []) registry.register(cls);
  vmm = { hooks, cpuMask, streams: opts.streams ?? null, registry, vms: new Set() };
}

/** `Shutdown_V3`: forget the hooks and classes. Refused while a VM exists. */
export function v3_shutdown(): void {
  if (vmm && vmm.vms.size > 0) throw new V3Error({ component: 'vmm' }, `v3_shutdown with ${vmm.vms.size} VM(s) not freed`);
  vmm = null;
}

/** `V3_Init_Stream`: register (or replace) the host's stream interface. */
export function V3_Init_Stream(streams: V3StreamHooks): void {
  initialized('V3_Init_Stream').streams = streams;
}

/** Register a device class after `v3_init` (an app adding its own device). */
export function v3_register_device(cls: DeviceClass): void {
  initialized('v3_register_device').registry.register(cls);
}

/**
 * `v3_create_vm`: validate `config` and build the VM: guest RAM from `allocate_pages`, the
 * devices in configuration order, the boot image loaded. A bad configuration throws a
 * {@link V3Error} (component `config`) listing each problem as `key.path: expected …`, before
 * anything is allocated.
 */
export function v3_create_vm(config: unknown, privData: unknown, name: string): V3VmInfo {
  const g = initialized('v3_create_vm');
  const cfg = parseVmConfig(config);
  const problems = g.registry.validate(cfg.devices);
  if (problems.length) throw configError(problems);
  const vm = new V3VmInfo(name || cfg.name || 'vm', cfg, privData, g.hooks, g.streams);
  try {
    vm.devMgr.createAll(g.registry, cfg.devices);
    for (let i = 0; i < cfg.cores; i++) vm.cores.push(new V3Core(vm, i));
  } catch (e) {
    vm.free();
    throw e;
  }
  g.vms.add(vm);
  return vm;
}

/**
 * `v3_start_vm`: start one host thread per core (through `create_thread_on_cpu` and
 * `start_thread`, or `start_kernel_thread`). Returns 0; await {@link v3_wait_vm} for the end.
 */
export function v3_start_vm(vm: V3VmInfo, cpuMask: number): number {
  const g = initialized('v3_start_vm');
  if (vm.state !== 'created') throw new V3Error({ component: 'vmm', vm: vm.name }, `cannot start a VM that is ${vm.state}`);
  const mask = cpuMask & g.cpuMask;
  if (mask === 0) throw new V3Error({ component: 'vmm', vm: vm.name }, `cpu mask 0x${cpuMask.toString(16)} leaves no host CPU`);
  vm.state = 'running';
  for (const core of vm.cores) {
    const hostCpu = pickCpu(mask, core.id);
    core.hostCpu = hostCpu;
    const body = (): Promise<void> => core.run();
    let thread: V3Thread | null = null;
    if (g.hooks.create_thread_on_cpu && g.hooks.start_thread) {
      thread = g.hooks.create_thread_on_cpu(hostCpu, body, core, `${vm.name}-core${core.id}`);
      if (thread) g.hooks.start_thread(thread);
    } else if (g.hooks.start_kernel_thread) {
      thread = g.hooks.start_kernel_thread(body, core, `${vm.name}-core${core.id}`);
    } else {
      throw new V3Error({ component: 'vmm', vm: vm.name }, 'the host provides neither create_thread_on_cpu/start_thread nor start_kernel_thread');
    }
    if (!thread) throw new V3Error({ component: 'vmm', vm: vm.name }, `the host could not start a thread for core ${core.id}`);
  }
  return 0;
}

function pickCpu(mask: number, coreId: number): number {
  const cpus: number[] = [];
  for (let i = 0; i < 32; i++) if (mask & (1 << i)) cpus.push(i);
  return cpus[coreId % cpus.length] as number;
}

/** Resolves when the VM's run ends, with why (power off, reset, halt, stop, fail stop). */
export function v3_wait_vm(vm: V3VmInfo): Promise<V3VmExit> {
  return vm.waitForExit();
}

/** `v3_pause_vm`: resolves (0) once every core has parked. */
export async function v3_pause_vm(vm: V3VmInfo): Promise<number> {
  if (vm.state !== 'running') throw new V3Error({ component: 'vmm', vm: vm.name }, `cannot pause a VM that is ${vm.state}`);
  await Promise.race([Promise.all(vm.cores.map((c) => c.pause())), vm.waitForExit()]);
  return 0;
}

/** `v3_continue_vm`: let a paused VM run on. */
export function v3_continue_vm(vm: V3VmInfo): number {
  if (vm.state !== 'paused') throw new V3Error({ component: 'vmm', vm: vm.name }, `cannot continue a VM that is ${vm.state}`);
  vm.state = 'running';
  for (const c of vm.cores) c.continue();
  return 0;
}

/** `v3_stop_vm`: stop the cores; resolves (0) when the run has ended. */
export async function v3_stop_vm(vm: V3VmInfo): Promise<number> {
  if (vm.state === 'created') {
    vm.end({ reason: 'stopped', message: 'stopped before it started' });
    return 0;
  }
  for (const c of vm.cores) c.stop();
  await vm.waitForExit();
  return 0;
}

/** `v3_free_vm`: release a VM that is not running. */
export function v3_free_vm(vm: V3VmInfo): number {
  const g = initialized('v3_free_vm');
  if (vm.state === 'running' || vm.state === 'paused') {
    throw new V3Error({ component: 'vmm', vm: vm.name }, `cannot free a VM that is ${vm.state}; stop it first`);
  }
  vm.free();
  g.vms.delete(vm);
  return 0;
}

/** The VM's run state. */
export function v3_get_state(vm: V3VmInfo): V3VmState {
  return vm.state;
}

/** `v3_deliver_irq`: a host interrupt for the VM (passthrough): one edge on `irq`. */
export function v3_deliver_irq(vm: V3VmInfo, irq: number): number {
  vm.intr.pulse(irq, 0);
  return 0;
}

/** Exit counts, instructions and MIPS of a VM. */
export function v3_get_telemetry(vm: V3VmInfo): V3Telemetry {
  return vm.telemetry.snapshot();
}

/** The telemetry as printable lines. */
export function v3_format_telemetry(vm: V3VmInfo): string {
  return formatTelemetry(vm.telemetry.snapshot());
}

/**
 * `v3_hook_io_port`: hook one port for the host or an extension (devices hook through their
 * DeviceHost). A port somebody holds is refused, naming both owners.
 */
export function v3_hook_io_port(
  vm: V3VmInfo,
  port: number,
  read: V3IoRead | null,
  write: V3IoWrite | null,
  owner: string,
): number {
  vm.io.hook(port, read, write, owner);
  return 0;
}

/** `v3_unhook_io_port`: release a port `owner` holds. */
export function v3_unhook_io_port(vm: V3VmInfo, port: number, owner: string): number {
  vm.io.unhook(port, owner);
  return 0;
}

/** `v3_hook_full_mem`: route guest-physical `[start, end)` to handlers. */
export function v3_hook_full_mem(vm: V3VmInfo, start: number, end: number, ops: MmioOps, owner: string): number {
  vm.mem.hook(start, end - start, ops, owner);
  return 0;
}

/** `v3_unhook_mem`: remove the hook that starts at `start`. */
export function v3_unhook_mem(vm: V3VmInfo, start: number, owner: string): number {
  vm.mem.unhook(start, owner);
  return 0;
}

/** `v3_hook_msr`: give an MSR to the host or an extension. */
export function v3_hook_msr(vm: V3VmInfo, msr: number, ops: MsrOps, owner: string): number {
  vm.msr.hook(msr, ops, owner);
  return 0;
}

/** `v3_unhook_msr`. */
export function v3_unhook_msr(vm: V3VmInfo, msr: number, owner: string): number {
  vm.msr.unhook(msr, owner);
  return 0;
}

/** `v3_deliver_keyboard_event`: a scan code from the host keyboard. Returns how many devices took it. */
export function v3_deliver_keyboard_event(vm: V3VmInfo, event: HostKeyboardEvent): number {
  const n = vm.hostEvents.deliver('keyboard', event);
  for (const c of vm.cores) c.kick();
  return n;
}

/** `v3_deliver_mouse_event`: a PS/2 packet from the host mouse. Returns how many devices took it. */
export function v3_deliver_mouse_event(vm: V3VmInfo, event: HostMouseEvent): number {
  const n = vm.hostEvents.deliver('mouse', event);
  for (const c of vm.cores) c.kick();
  return n;
}

/** `v3_hook_cpuid`: answer CPUID `leaf` for the guest. */
export function v3_hook_cpuid(vm: V3VmInfo, leaf: number, hook: V3CpuidHook, owner: string): number {
  vm.cpuid.hook(leaf, hook, owner);
  return 0;
}

/** `v3_unhook_cpuid`. */
export function v3_unhook_cpuid(vm: V3VmInfo, leaf: number, owner: string): number {
  vm.cpuid.unhook(leaf, owner);
  return 0;
}

/**
 * A device of a VM by its configuration id, for the host or app that drives it from outside (a
 * terminal drawing the VGA text screen, a test reading a register). Undefined when no such id.
 */
export function v3_find_device<T = unknown>(vm: V3VmInfo, id: string): T | undefined {
  return vm.devMgr.find(id)?.instance as T | undefined;
}

/**
 * What a chipset model drives to shadow the legacy BIOS area (the i440FX's PAM registers): route
 * one segment's reads to RAM or to the ROM side, and its writes to RAM or to the ROM side
 * (dropped). It has the shape of `@v3/dev-i440fx`'s `PamMemoryControl`.
 */
export interface V3ShadowControl {
  onPamChange(segmentBase: number, size: number, readRam: boolean, writeRam: boolean): void;
}

/**
 * The VM's legacy-area routing for a chipset device, which the app connects
 * (`northbridge.connectMemory(v3_shadow_control(vm))`). Each change updates the memory map and
 * flushes every core's TLB.
 */
export function v3_shadow_control(vm: V3VmInfo): V3ShadowControl {
  return { onPamChange: (base, size, readRam, writeRam) => vm.mem.setShadow(base, size, readRam, writeRam) };
}
