import {
  V3Error,
  type AccessSize,
  type CharStream,
  type DeviceClass,
  type DeviceConfig,
  type DeviceHost,
  type DeviceInstance,
  type DeviceTimer,
  type GuestClock,
  type InterruptController,
  type IoHookOptions,
  type IoOps,
  type IrqLine,
  type MmioOps,
  type MsrOps,
  type CpuidHook,
  type CpuidResult,
  type HostEvents,
  type PowerRequest,
} from '@v3/device-api';

/** What the fake VMM records about one IRQ line. */
export interface IrqProbe {
  /** Current level (OR of every device driving it). */
  readonly level: boolean;
  /** Rising edges seen since creation or the last `reset()`. */
  readonly pulses: number;
  /** Every raise/lower, in order, with the clock at the time. */
  readonly events: readonly { kind: 'raise' | 'lower'; atNs: number }[];
  /** Forget edges and events (the level stays). */
  reset(): void;
}

interface PortEntry {
  owner: string;
  base: number;
  ops: IoOps;
  sizes: readonly AccessSize[] | undefined;
}

interface MmioEntry {
  owner: string;
  base: number;
  size: number;
  ops: MmioOps;
}

class Probe implements IrqProbe {
  level = false;
  pulses = 0;
  events: { kind: 'raise' | 'lower'; atNs: number }[] = [];
  readonly drivers = new Set<string>();
  reset(): void {
    this.pulses = 0;
    this.events = [];
  }
}

/** A stream opened by a device, with what it wrote and a way to type into it. */
export interface TestStream {
  /** Everything the device wrote, as bytes. */
  readonly output: number[];
  /** Everything the device wrote, as a latin-1 string. */
  text(): string;
  /** Deliver input to the device as the host would. */
  input(data: string | Uint8Array): void;
  readonly closed: boolean;
}

/**
 * A fake VMM that implements {@link DeviceHost} in memory, for register-level device tests
 * (QEMU's qtest idea): `outb`/`inb` on ports, `clock.step(ns)` on a virtual clock, `irq(n)` to
 * watch lines, a stand-in interrupt controller, streams that record output.
 */
export class TestHost {
  /** Virtual time in ns; only `step`/`stepTo` move it. */
  private nowNs = 0;
  private readonly ports = new Map<number, PortEntry>();
  private readonly mmio: MmioEntry[] = [];
  private readonly probes = new Map<number, Probe>();
  private readonly timers: DeviceTimer[] = [];
  private readonly msrs = new Map<number, { owner: string; ops: MsrOps }>();
  private readonly cpuidHooks = new Map<number, { owner: string; hook: CpuidHook }>();
  /** How many times devices called `kick()` (asked the core to look at interrupts again). */
  kicks = 0;
  private readonly eventHandlers: { [K in keyof HostEvents]: ((e: HostEvents[K]) => void)[] } = { keyboard: [], mouse: [] };
  private readonly devices = new Map<string, DeviceInstance>();
  private readonly streams = new Map<string, TestStream & { deliver?: (b: Uint8Array) => void }>();
  /** Interrupt controllers registered by devices under test. */
  readonly controllers: InterruptController[] = [];
  /** Lines printed through debug/error/print, prefixed by kind. */
  readonly log: string[] = [];
  /** Power requests made by devices. */
  readonly powerRequests: { request: PowerRequest; why: string }[] = [];
  /** Guest RAM devices reach by DMA (16 MiB, zeroed); tests read and fill it directly. */
  readonly ram = new Uint8Array(16 << 20);
  /** Components whose debug output is on. */
  readonly debugComponents = new Set<string>();

  /** The virtual clock devices see, plus stepping. */
  readonly clock: GuestClock & { step(ns: number): void; stepTo(ns: number): void } = {
    kind: 'virtual',
    now: () => this.nowNs,
    step: (ns: number) => this.advance(this.nowNs + ns),
    stepTo: (ns: number) => this.advance(ns),
  };

  /** Create a device of `cls` from `cfg` (id defaults to the class name). */
  attach<Cfg extends DeviceConfig, Inst extends DeviceInstance>(
    cls: DeviceClass<Cfg, Inst>,
    cfg: Omit<Cfg, 'class'> & { id?: string },
  ): Inst {
    const full = { ...cfg, class: cls.className, id: cfg.id ?? cls.className } as unknown as Cfg;
    const problems = cls.validate?.(full) ?? [];
    if (problems.length > 0) throw new V3Error({ component: full.id }, `bad configuration: ${problems.join('; ')}`);
    const inst = cls.create(this.hostFor(full.id), full);
    this.devices.set(full.id, inst);
    return inst;
  }

  /** Register an object other devices can find by id (a stand-in bus, say). */
  provide(id: string, device: DeviceInstance): void {
    this.devices.set(id, device);
  }

  /** The DeviceHost a device with this id receives. */
  hostFor(id: string): DeviceHost {
    // eslint-disable-next-line @typescript-eslint/no-this-alias -- because: the host object closes over the fake VMM
    const vm = this;
    return {
      id,
      vmName: 'test-vm',
      clock: this.clock,
      memory: {
        read: (addr, length) => {
          const out = new Uint8Array(length).fill(0xff);
          for (let i = 0; i < length; i++) if (addr + i < vm.ram.length) out[i] = vm.ram[addr + i] as number;
          return out;
        },
        write: (addr, data) => {
          for (let i = 0; i < data.length; i++) if (addr + i < vm.ram.length) vm.ram[addr + i] = data[i] as number;
        },
      },
      hookIo(base, count, ops, opts?: IoHookOptions) {
        for (let p = base; p < base + count; p++) {
          const held = vm.ports.get(p);
          if (held) {
            throw new V3Error({ component: id, port: p }, `port already hooked by ${held.owner}, requested by ${id}`);
          }
        }
        for (let p = base; p < base + count; p++) vm.ports.set(p, { owner: id, base, ops, sizes: opts?.sizes });
      },
      unhookIo(base, count) {
        for (let p = base; p < base + count; p++) if (vm.ports.get(p)?.owner === id) vm.ports.delete(p);
      },
      hookMmio(base, size, ops) {
        for (const m of vm.mmio) {
          if (base < m.base + m.size && m.base < base + size) {
            throw new V3Error({ component: id, addr: base }, `memory already hooked by ${m.owner}, requested by ${id}`);
          }
        }
        vm.mmio.push({ owner: id, base, size, ops });
      },
      unhookMmio(base) {
        const i = vm.mmio.findIndex((m) => m.base === base && m.owner === id);
        if (i >= 0) vm.mmio.splice(i, 1);
      },
      irq(line: number): IrqLine {
        let level = false;
        return {
          irq: line,
          get level() {
            return level;
          },
          raise() {
            level = true;
            vm.drive(line, id, true);
          },
          lower() {
            level = false;
            vm.drive(line, id, false);
          },
          pulse() {
            vm.drive(line, id, true);
            vm.drive(line, id, false);
            level = false;
          },
        };
      },
      hookMsr(msr, ops) {
        const held = vm.msrs.get(msr);
        if (held) throw new V3Error({ component: id }, `MSR 0x${msr.toString(16)} already hooked by ${held.owner}, requested by ${id}`);
        vm.msrs.set(msr, { owner: id, ops });
      },
      hookCpuid(leaf, hook) {
        const held = vm.cpuidHooks.get(leaf >>> 0);
        if (held) throw new V3Error({ component: id }, `CPUID leaf 0x${(leaf >>> 0).toString(16)} already hooked by ${held.owner}, requested by ${id}`);
        vm.cpuidHooks.set(leaf >>> 0, { owner: id, hook });
      },
      kick() {
        vm.kicks++;
      },
      onHostEvent(kind, handler) {
        (vm.eventHandlers[kind] as ((e: unknown) => void)[]).push(handler as (e: unknown) => void);
      },
      registerIntrController(ctrl) {
        vm.controllers.push(ctrl);
      },
      addTimer(timer) {
        vm.timers.push(timer);
      },
      removeTimer(timer) {
        const i = vm.timers.indexOf(timer);
        if (i >= 0) vm.timers.splice(i, 1);
      },
      openStream(name, onInput): CharStream {
        const output: number[] = [];
        let closed = false;
        const stream = {
          output,
          text: () => String.fromCharCode(...output),
          input: (data: string | Uint8Array) => onInput(typeof data === 'string' ? Uint8Array.from(data, (c) => c.charCodeAt(0)) : data),
          get closed() {
            return closed;
          },
        };
        vm.streams.set(name, stream);
        return {
          write(bytes) {
            for (const b of bytes) output.push(b);
          },
          close() {
            closed = true;
          },
        };
      },
      findDevice<T>(other: string): T {
        const dev = vm.devices.get(other);
        if (!dev) throw new V3Error({ component: id }, `no device with id '${other}'`);
        return dev as T;
      },
      requestPower(request, why) {
        vm.powerRequests.push({ request, why });
      },
      debug(component, message) {
        if (vm.debugComponents.has(component)) vm.log.push(`debug ${component}: ${message}`);
      },
      debugOn(component) {
        return vm.debugComponents.has(component);
      },
      error(message) {
        vm.log.push(`error ${id}: ${message}`);
      },
      print(message) {
        vm.log.push(`print ${id}: ${message}`);
      },
      fail(reason, detail) {
        throw new V3Error({ component: id, ...detail }, reason);
      },
    };
  }

  /** The recorder of IRQ line `n`. */
  irq(n: number): IrqProbe {
    return this.probe(n);
  }

  /** The stream a device opened under `name`. */
  stream(name: string): TestStream {
    const s = this.streams.get(name);
    if (!s) throw new Error(`no stream '${name}' was opened`);
    return s;
  }

  /** A device created by `attach`, by id. */
  device<T extends DeviceInstance>(id: string): T {
    const d = this.devices.get(id);
    if (!d) throw new Error(`no device '${id}'`);
    return d as T;
  }

  outb(port: number, value: number): void {
    this.out(port, 1, value);
  }
  outw(port: number, value: number): void {
    this.out(port, 2, value);
  }
  outl(port: number, value: number): void {
    this.out(port, 4, value);
  }
  inb(port: number): number {
    return this.in(port, 1);
  }
  inw(port: number): number {
    return this.in(port, 2);
  }
  inl(port: number): number {
    return this.in(port, 4);
  }

  /** RDMSR as the core would dispatch it to a hooked MSR. */
  rdmsr(msr: number): bigint {
    const m = this.msrs.get(msr);
    if (!m) throw new V3Error({ component: 'msr' }, `RDMSR 0x${msr.toString(16)}: nothing hooks it`);
    return m.ops.read();
  }
  /** WRMSR as the core would dispatch it. */
  wrmsr(msr: number, value: bigint): void {
    const m = this.msrs.get(msr);
    if (!m) throw new V3Error({ component: 'msr' }, `WRMSR 0x${msr.toString(16)}: nothing hooks it`);
    m.ops.write(value);
  }
  /**
   * CPUID as the core would answer it: `native` (the CPU's own answer, all zeros by default)
   * passed through the hook a device holds on `leaf`, if any.
   */
  cpuid(leaf: number, subleaf = 0, native: CpuidResult = [0, 0, 0, 0]): CpuidResult {
    const h = this.cpuidHooks.get(leaf >>> 0);
    return h ? h.hook(leaf >>> 0, subleaf >>> 0, native) : native;
  }

  /** Deliver a host event (a key press, a mouse packet) to the devices listening. */
  hostEvent<K extends keyof HostEvents>(kind: K, event: HostEvents[K]): void {
    for (const h of this.eventHandlers[kind] as ((e: HostEvents[K]) => void)[]) h(event);
  }

  /** An MMIO read as the VMM would dispatch it. */
  mmioRead(addr: number, size: AccessSize): number {
    const m = this.mmioAt(addr);
    return m.ops.read(addr - m.base, size);
  }
  /** An MMIO write as the VMM would dispatch it. */
  mmioWrite(addr: number, size: AccessSize, value: number): void {
    const m = this.mmioAt(addr);
    m.ops.write(addr - m.base, size, value);
  }

  /** Whether any device hooks `port`. */
  isHooked(port: number): boolean {
    return this.ports.has(port);
  }

  /** The earliest deadline among registered timers. */
  nextDeadline(): number {
    let next = Infinity;
    for (const t of this.timers) next = Math.min(next, t.nextDeadline());
    return next;
  }

  /**
   * The controller the core would take an interrupt from now, as the VMM chooses it: a local
   * controller (one defining `acceptsExtInt`, the local APIC) first; the others (the 8259A)
   * only while every local controller accepts ExtINT.
   */
  pendingController(): InterruptController | null {
    const local = this.controllers.filter((c) => c.acceptsExtInt);
    for (const c of local) if (c.intrPending()) return c;
    if (!local.every((c) => (c.acceptsExtInt as () => boolean)())) return null;
    for (const c of this.controllers) if (!c.acceptsExtInt && c.intrPending()) return c;
    return null;
  }

  /**
   * Acknowledge an interrupt as the core would at entry: ask the registered controllers for a
   * pending vector ({@link pendingController}), begin it, and return it (or -1 when none is).
   */
  acknowledge(): number {
    const c = this.pendingController();
    if (!c) return -1;
    const v = c.getIntrNumber();
    c.beginIrq(v);
    return v;
  }

  private out(port: number, size: AccessSize, value: number): void {
    const e = this.portEntry(port, 'OUT');
    if (!e.ops.write) throw new V3Error({ component: e.owner, port }, `OUT to a read-only port`);
    if (e.sizes && !e.sizes.includes(size)) {
      if (!e.sizes.includes(1)) throw new V3Error({ component: e.owner, port }, `${size}-byte OUT not supported`);
      for (let i = 0; i < size; i++) this.out(port + i, 1, (value >>> (8 * i)) & 0xff);
      return;
    }
    e.ops.write(port - e.base, size, value);
  }

  private in(port: number, size: AccessSize): number {
    const e = this.portEntry(port, 'IN');
    if (!e.ops.read) throw new V3Error({ component: e.owner, port }, `IN from a write-only port`);
    if (e.sizes && !e.sizes.includes(size)) {
      if (!e.sizes.includes(1)) throw new V3Error({ component: e.owner, port }, `${size}-byte IN not supported`);
      let v = 0;
      for (let i = 0; i < size; i++) v |= this.in(port + i, 1) << (8 * i);
      return v >>> 0;
    }
    return e.ops.read(port - e.base, size);
  }

  private portEntry(port: number, what: string): PortEntry {
    const e = this.ports.get(port);
    if (!e) throw new V3Error({ component: 'io', port }, `${what} to a port nothing hooks`);
    return e;
  }

  private mmioAt(addr: number): MmioEntry {
    const m = this.mmio.find((r) => addr >= r.base && addr < r.base + r.size);
    if (!m) throw new V3Error({ component: 'mem', addr }, 'access to memory nothing hooks');
    return m;
  }

  private probe(n: number): Probe {
    let p = this.probes.get(n);
    if (!p) {
      p = new Probe();
      this.probes.set(n, p);
    }
    return p;
  }

  private drive(line: number, owner: string, high: boolean): void {
    const p = this.probe(line);
    const before = p.level;
    if (high) p.drivers.add(owner);
    else p.drivers.delete(owner);
    p.level = p.drivers.size > 0;
    p.events.push({ kind: high ? 'raise' : 'lower', atNs: this.nowNs });
    if (high && !before) p.pulses++;
    for (const c of this.controllers) {
      if (high) c.raiseIntr(line);
      else c.lowerIntr(line);
    }
  }

  /** Move the clock to `target`, firing timers at each deadline on the way, in order. */
  private advance(target: number): void {
    if (target < this.nowNs) throw new Error('the clock only moves forward');
    for (;;) {
      let next = Infinity;
      for (const t of this.timers) next = Math.min(next, t.nextDeadline());
      if (next > target) break;
      this.nowNs = Math.max(this.nowNs, next);
      for (const t of this.timers.slice()) t.update(this.nowNs);
      // A timer whose deadline did not move would loop forever: that is a device bug.
      let again = Infinity;
      for (const t of this.timers) again = Math.min(again, t.nextDeadline());
      if (again <= this.nowNs) throw new Error('a timer left its deadline in the past after update()');
    }
    this.nowNs = target;
    for (const t of this.timers.slice()) t.update(this.nowNs);
  }
}

/** A new fake VMM. */
export function createTestHost(): TestHost {
  return new TestHost();
}

/**
 * The V3Error `fn` throws; anything else it throws, or not throwing at all, is an error. Tests
 * then assert on its component and message.
 */
export function v3ErrorFrom(fn: () => unknown): V3Error {
  try {
    fn();
  } catch (e) {
    if (e instanceof V3Error) return e;
    throw e;
  }
  throw new Error('expected a V3Error, but nothing was thrown');
}

/** A seeded xorshift32 generator of unsigned 32-bit numbers: fuzz runs repeat exactly. */
export function seededRandom(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s;
  };
}

/**
 * The seeded register fuzz every device gets: random writes and reads over `ports`. Only
 * V3Errors that name the device are allowed to escape; anything else (a TypeError) is rethrown.
 * Returns how many accesses failed stop.
 */
export function fuzzPorts(host: TestHost, ports: readonly number[], opts: { seed?: number; steps?: number; deviceId: string }): number {
  const rand = seededRandom(opts.seed ?? 1);
  let stops = 0;
  const steps = opts.steps ?? 2000;
  for (let i = 0; i < steps; i++) {
    const port = ports[rand() % ports.length] as number;
    try {
      if (rand() & 1) host.outb(port, rand() & 0xff);
      else host.inb(port);
      if ((rand() & 15) === 0) host.clock.step(rand() % 1_000_000);
    } catch (e) {
      if (e instanceof V3Error && e.detail.component === opts.deviceId) {
        stops++;
        continue;
      }
      throw e;
    }
  }
  return stops;
}
