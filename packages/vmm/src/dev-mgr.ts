import {
  V3Error,
  type AccessSize,
  type CharStream,
  type DeviceClass,
  type DeviceConfig,
  type DeviceHost,
  type DeviceInstance,
  type IrqLine,
} from '@v3/device-api';
import { configError } from './config.js';
import type { V3VmInfo } from './vm.js';

/** The registry of device classes (Palacios builds it from a linker section; we take a list). */
export class DeviceRegistry {
  private readonly classes = new Map<string, DeviceClass>();

  /** `device_register`: a second class under the same name is refused. */
  register(cls: DeviceClass): void {
    const had = this.classes.get(cls.className);
    if (had && had !== cls) throw new V3Error({ component: 'dev_mgr' }, `device class '${cls.className}' is registered twice`);
    this.classes.set(cls.className, cls);
  }

  get(name: string): DeviceClass | undefined {
    return this.classes.get(name);
  }

  names(): string[] {
    return [...this.classes.keys()].sort();
  }

  /** Problems with a device list: unknown classes and each class's own option checks. */
  validate(devices: readonly DeviceConfig[]): string[] {
    const problems: string[] = [];
    devices.forEach((d, i) => {
      const cls = this.classes.get(d.class);
      if (!cls) {
        problems.push(`devices[${i}].class: expected one of ${this.names().join(', ') || '(none registered)'}, got '${d.class}'`);
        return;
      }
      for (const p of cls.validate?.(d) ?? []) problems.push(`devices[${i}] (${d.id}).${p}`);
    });
    return problems;
  }
}

/** One created device: its id, class and instance. */
export interface AttachedDevice {
  id: string;
  className: string;
  instance: DeviceInstance;
}

/**
 * The VM's device manager (Palacios' `vmm_dev_mgr.c`): creates devices from the configuration
 * in order, gives each a {@link DeviceHost} that owns its hooks under its id, and finds devices
 * by id for the ones that need another (IDE asking for its PCI bus).
 */
export class DeviceManager {
  readonly devices: AttachedDevice[] = [];
  private readonly byId = new Map<string, AttachedDevice>();
  private nextDriver = 1;

  constructor(private readonly vm: V3VmInfo) {}

  /** Create every configured device; classes were validated with the configuration. */
  createAll(registry: DeviceRegistry, configs: readonly DeviceConfig[]): void {
    for (const cfg of configs) {
      const cls = registry.get(cfg.class);
      if (!cls) throw configError([`devices: unknown class '${cfg.class}'`]);
      if (__DEBUG_DEV_MGR__ && this.vm.debugOn('DEV_MGR')) this.vm.debug('DEV_MGR', `dev_mgr: creating ${cfg.class} '${cfg.id}'`);
      const instance = cls.create(this.hostFor(cfg.id), cfg);
      const dev = { id: cfg.id, className: cfg.class, instance };
      this.devices.push(dev);
      this.byId.set(cfg.id, dev);
    }
  }

  /** A device by id. */
  find(id: string): AttachedDevice | undefined {
    return this.byId.get(id);
  }

  /** Reset every device (VM reset); a device that cannot reset stops the VM. */
  resetAll(): void {
    for (const d of this.devices) {
      if (!d.instance.reset) throw new V3Error({ component: d.id }, `device class ${d.className} cannot reset`);
      d.instance.reset();
    }
  }

  /** Free every device, last created first. */
  freeAll(): void {
    for (let i = this.devices.length - 1; i >= 0; i--) (this.devices[i] as AttachedDevice).instance.free?.();
  }

  private hostFor(id: string): DeviceHost {
    const vm = this.vm;
    const driver = this.nextDriver++;
    const lines = new Map<number, IrqLine>();
    const host: DeviceHost = {
      id,
      vmName: vm.name,
      clock: vm.time,
      memory: {
        read: (addr, length) => vm.mem.dmaRead(addr, length),
        write: (addr, data) => vm.mem.dmaWrite(addr, data),
      },
      hookIo(base, count, ops, opts) {
        const read = ops.read ? (port: number, size: AccessSize) => (ops.read as NonNullable<typeof ops.read>)(port - base, size) : null;
        const write = ops.write
          ? (port: number, size: AccessSize, value: number) => (ops.write as NonNullable<typeof ops.write>)(port - base, size, value)
          : null;
        for (let p = base; p < base + count; p++) {
          const held = vm.io.ownerOf(p);
          if (held) throw new V3Error({ component: id, port: p }, `port already hooked by ${held}, requested by ${id}`);
        }
        for (let p = base; p < base + count; p++) vm.io.hook(p, read, write, id, opts?.sizes);
      },
      unhookIo(base, count) {
        for (let p = base; p < base + count; p++) vm.io.unhook(p, id);
      },
      hookMmio(base, size, ops) {
        vm.mem.hook(base, size, ops, id);
      },
      unhookMmio(base) {
        vm.mem.unhook(base, id);
      },
      irq(line): IrqLine {
        const existing = lines.get(line);
        if (existing) return existing;
        let level = false;
        const irq: IrqLine = {
          irq: line,
          get level() {
            return level;
          },
          raise() {
            level = true;
            vm.intr.drive(line, driver, true);
          },
          lower() {
            level = false;
            vm.intr.drive(line, driver, false);
          },
          pulse() {
            level = false;
            vm.intr.pulse(line, driver);
          },
        };
        lines.set(line, irq);
        return irq;
      },
      hookMsr(msr, ops) {
        vm.msr.hook(msr, ops, id);
      },
      hookCpuid(leaf, hook) {
        vm.cpuid.hook(leaf, hook, id);
      },
      kick() {
        vm.kickCores();
      },
      onHostEvent(kind, handler) {
        vm.hostEvents.on(kind, handler);
      },
      registerIntrController(ctrl) {
        vm.intr.registerController(ctrl);
      },
      addTimer(timer) {
        vm.time.addTimer(timer);
      },
      removeTimer(timer) {
        vm.time.removeTimer(timer);
      },
      openStream(name, onInput): CharStream {
        return vm.openStream(name, onInput, id);
      },
      findDevice<T>(other: string): T {
        const dev = vm.devMgr.find(other);
        if (!dev) throw new V3Error({ component: id }, `needs device '${other}', which is not configured before it`);
        return dev.instance as T;
      },
      requestPower(request, why) {
        vm.requestPower(request, `${id}: ${why}`);
      },
      debug(component, message) {
        if (vm.debugOn(component)) vm.debug(component, message);
      },
      debugOn(component) {
        return vm.debugOn(component);
      },
      error(message) {
        vm.printError(`${id}: ${message}`);
      },
      print(message) {
        vm.print(message);
      },
      fail(reason, detail): never {
        throw new V3Error({ component: id, ...detail }, reason);
      },
    };
    return host;
  }
}
