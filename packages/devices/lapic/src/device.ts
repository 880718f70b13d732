import { defineDevice, type FirmwareDescription, type DeviceConfig, type DeviceHost, type DeviceInstance, type InterruptController, type MmioOps } from '@v3/device-api';
import { LocalApic, regName } from './apic.js';
import { ApicBus, type ApicBusPort, type ApicMessage } from './bus.js';
import {
  APIC_BASE_ADDR_MASK,
  APIC_BASE_BSP,
  APIC_BASE_ENABLE,
  APIC_BASE_EXTD,
  APIC_BASE_WRITABLE,
  APIC_DEFAULT_BASE,
  APIC_MMIO_SIZE,
  APIC_VERSION_VALUE,
  CPUID_01_EDX_APIC,
  MSR_IA32_APIC_BASE,
} from './regs.js';
import type { LapicState, LocalApicState } from './state.js';

/** Configuration of the `LAPIC` device. */
export interface LapicConfig extends DeviceConfig {
  /**
   * Number of cores, one local APIC each. Only 1 for now: the device API gives MMIO, MSR and
   * interrupt-controller calls no core number yet (see the README).
   */
  cores?: number;
}

/** A created `LAPIC` device: the local APICs and the bus an IO-APIC talks to. */
export interface Lapic extends DeviceInstance, ApicBusPort {
  /** The interrupt controller registered with the VMM (core 0's APIC). */
  readonly controller: InterruptController;
  /** The local APICs, by core. */
  readonly apics: readonly LocalApic[];
  /**
   * Whether the 8259A's INTR may reach core 0 now (LINT0 in ExtINT mode and unmasked, or the
   * APIC globally disabled). The VMM must not take a vector from the PIC while this is false.
   */
  acceptsPicInterrupts(): boolean;
  /** IA32_APIC_BASE[11] of core 0: what CPUID.01H:EDX[9] (APIC) reports (the device hooks leaf 1). */
  isEnabled(): boolean;
  /** Where the local APICs are, for the MP table. */
  firmwareDescription(): FirmwareDescription;
  save(): LapicState;
  load(state: unknown): void;
  reset(): void;
  free(): void;
}

const KEYS = new Set(['class', 'id', 'cores']);
const hex = (n: number): string => '0x' + (n >>> 0).toString(16);

/** Check a state `load()` receives. */
function checkState(host: DeviceHost, v: unknown, cores: number): LapicState {
  const bad = (what: string): never => host.fail(`apic: load: bad state (${what})`);
  if (typeof v !== 'object' || v === null || !Array.isArray((v as LapicState).cores)) return bad('expected { cores: [...] }');
  const list = (v as LapicState).cores;
  if (list.length !== cores) bad(`${list.length} cores saved, ${cores} configured`);
  const u32 = (x: unknown): boolean => typeof x === 'number' && Number.isInteger(x) && x >= 0 && x <= 0xffffffff;
  list.forEach((c: unknown, i) => {
    if (typeof c !== 'object' || c === null) return bad(`cores[${i}]: not an object`);
    const o = c as Record<string, unknown>;
    for (const k of ['base', 'id', 'tpr', 'ldr', 'dfr', 'svr', 'esr', 'esrPending', 'icrLow', 'icrHigh', 'timerInitial', 'timerDcr', 'timerAnchorCount'] as const) {
      if (!u32(o[k])) bad(`cores[${i}].${k}: expected a 32-bit unsigned integer`);
    }
    for (const k of ['isr', 'tmr', 'irr'] as const) {
      const a = o[k];
      if (!Array.isArray(a) || a.length !== 8 || !a.every(u32)) bad(`cores[${i}].${k}: expected eight 32-bit words`);
    }
    const lvt = o.lvt;
    if (!Array.isArray(lvt) || lvt.length !== 6 || !lvt.every(u32)) bad(`cores[${i}].lvt: expected six 32-bit words`);
    for (const k of ['enabled', 'timerRunning'] as const) if (typeof o[k] !== 'boolean') bad(`cores[${i}].${k}: expected a boolean`);
    if (typeof o.timerAnchorNs !== 'number' || !Number.isFinite(o.timerAnchorNs)) bad(`cores[${i}].timerAnchorNs: expected a number`);
    if (((o.base as number) & 0xfff) !== 0) bad(`cores[${i}].base: expected a 4 KiB aligned address`);
  });
  return v as LapicState;
}

/**
 * `LAPIC`: the local APIC of each core (one for now), memory-mapped at IA32_APIC_BASE (default
 * 0xFEE00000) and relocated or disabled through that MSR. See the package README.
 */
export const lapic = defineDevice<LapicConfig, Lapic>({
  className: 'LAPIC',

  validate(cfg) {
    const problems: string[] = [];
    for (const k of Object.keys(cfg)) if (!KEYS.has(k)) problems.push(`${k}: unknown key (expected cores)`);
    const cores = cfg.cores;
    if (cores !== undefined && cores !== 1) {
      problems.push(`cores: expected 1 (one local APIC; the device API cannot yet tell which core makes an MMIO access), got ${JSON.stringify(cores)}`);
    }
    return problems;
  },

  create(host, cfg) {
    const count = cfg.cores ?? 1;
    // The register being accessed, so a refusal names its address.
    let addr: number | undefined;
    const fail = (reason: string, offset?: number): never => {
      const at = addr ?? (offset === undefined ? undefined : (apics[0] as LocalApic).base + offset);
      return host.fail(reason, at === undefined ? undefined : { addr: at });
    };
    const apics: LocalApic[] = [];
    const bus: ApicBus = new ApicBus(apics, { fail });
    for (let i = 0; i < count; i++) {
      apics.push(
        new LocalApic(i, {
          now: () => host.clock.now(),
          fail,
          traceOn: () => host.debugOn('APIC'),
          trace: (message) => host.debug('APIC', message),
          sendIpi: (from, lo, hi) => bus.sendIpi(from, lo, hi),
          eoiBroadcast: (vector) => bus.eoiBroadcast(vector),
        }),
      );
    }
    const bsp = apics[0] as LocalApic;

    // The xAPIC registers: 32-bit loads and stores on 16-byte boundaries only (SDM 10.4.1).
    const mmio: MmioOps = {
      read(offset, size) {
        addr = bsp.base + offset;
        try {
          if (size !== 4 || (offset & 0xf) !== 0) {
            return host.fail(`apic: ${size}-byte read at offset ${hex(offset)} (${regName(offset & ~0xf)}): only aligned 32-bit accesses are defined`, { addr });
          }
          return bsp.read(offset);
        } finally {
          addr = undefined;
        }
      },
      write(offset, size, value) {
        addr = bsp.base + offset;
        try {
          if (size !== 4 || (offset & 0xf) !== 0) {
            return host.fail(`apic: ${size}-byte write at offset ${hex(offset)} (${regName(offset & ~0xf)}): only aligned 32-bit accesses are defined`, { addr });
          }
          bsp.write(offset, value);
          // An EOI, a TPR or SVR write, a self-IPI or an unmasked LINT0 may let an interrupt
          // through that no IRQ line announces: the core looks again at the next boundary.
          host.kick();
        } finally {
          addr = undefined;
        }
      },
    };

    // Where the register page is hooked now (null: globally disabled, nothing hooked).
    let hooked: number | null = null;
    const remap = (): void => {
      const want = bsp.enabled ? bsp.base : null;
      if (want === hooked) return;
      if (hooked !== null) host.unhookMmio(hooked);
      hooked = null;
      if (want !== null) host.hookMmio(want, APIC_MMIO_SIZE, mmio);
      hooked = want;
      if (__DEBUG_APIC__ && host.debugOn('APIC')) host.debug('APIC', `apic: register page ${want === null ? 'unmapped (globally disabled)' : `at ${hex(want)}`}`);
    };

    // IA32_APIC_BASE (SDM 10.4.4, figure 10-5).
    host.hookMsr(MSR_IA32_APIC_BASE, {
      read: () => BigInt(bsp.base) | (bsp.bsp ? APIC_BASE_BSP : 0n) | (bsp.enabled ? APIC_BASE_ENABLE : 0n),
      write(value) {
        const show = `0x${value.toString(16)}`;
        if ((value & ~APIC_BASE_WRITABLE) !== 0n) {
          host.fail(`apic: WRMSR IA32_APIC_BASE ${show} sets reserved bits (a #GP on hardware; the device API cannot inject one)`);
        }
        if ((value & APIC_BASE_EXTD) !== 0n) host.fail(`apic: WRMSR IA32_APIC_BASE ${show}: x2APIC mode is not implemented`);
        if (((value & APIC_BASE_BSP) !== 0n) !== bsp.bsp) host.fail(`apic: WRMSR IA32_APIC_BASE ${show}: the BSP flag cannot be changed`);
        const base = Number(value & APIC_BASE_ADDR_MASK);
        if (base > 0xffffffff) host.fail(`apic: WRMSR IA32_APIC_BASE ${show}: a base above 4 GiB is not implemented`);
        const enable = (value & APIC_BASE_ENABLE) !== 0n;
        // Clearing the global enable loses the APIC's state (SDM 10.4.3): back to power-up values.
        if (bsp.enabled && !enable) bsp.powerUp();
        bsp.base = base;
        bsp.enabled = enable;
        if (__DEBUG_APIC__ && host.debugOn('APIC')) host.debug('APIC', `apic: WRMSR IA32_APIC_BASE ${show}`);
        remap();
        host.kick();
      },
    });

    // CPUID.01H:EDX[9] reports the APIC while it is globally enabled (SDM 10.4.3: with
    // IA32_APIC_BASE[11] clear the processor is one without an on-chip APIC, CPUID flag included).
    host.hookCpuid(1, (_leaf, _subleaf, [eax, ebx, ecx, edx]) => [eax, ebx, ecx, bsp.enabled ? (edx | CPUID_01_EDX_APIC) >>> 0 : (edx & ~CPUID_01_EDX_APIC) >>> 0]);

    const controller: InterruptController = {
      name: host.id,
      // LINT0 and LINT1 are not VMM lines: the ISA and PCI lines reach the APIC through an IO-APIC.
      raiseIntr: () => {},
      lowerIntr: () => {},
      intrPending: () => bsp.intrPending(),
      getIntrNumber: () => bsp.getIntrNumber(),
      beginIrq: (vector) => bsp.beginIrq(vector),
      // The local controller of core 0: the 8259A's INTR reaches the core only through LINT0.
      acceptsExtInt: () => bsp.passesExtInt(),
    };
    host.registerIntrController(controller);

    const timer = {
      update(now: number) {
        for (const a of apics) a.timerUpdate(now);
      },
      nextDeadline() {
        let next = Infinity;
        for (const a of apics) next = Math.min(next, a.timerDeadline());
        return next;
      },
    };
    host.addTimer(timer);
    remap();

    return {
      controller,
      apics,
      deliver(message: ApicMessage) {
        const accepted = bus.deliver(message);
        // An EOI re-delivers a level-triggered pin from inside the guest's EOI write.
        if (accepted) host.kick();
        return accepted;
      },
      onEoi: (listener) => bus.onEoi(listener),
      acceptsPicInterrupts: () => bsp.passesExtInt(),
      isEnabled: () => bsp.enabled,
      firmwareDescription: () => ({ kind: 'local-apic', base: bsp.base, apicIds: apics.map((a) => a.apicId), version: APIC_VERSION_VALUE & 0xff }),
      save: () => ({ cores: apics.map((a) => a.save()) }),
      load(state) {
        const s = checkState(host, state, apics.length);
        s.cores.forEach((c: LocalApicState, i) => (apics[i] as LocalApic).load(c));
        remap();
      },
      reset() {
        for (const a of apics) {
          a.base = APIC_DEFAULT_BASE;
          a.enabled = true;
          a.powerUp();
        }
        remap();
      },
      free() {
        host.removeTimer(timer);
        if (hooked !== null) host.unhookMmio(hooked);
        hooked = null;
      },
    };
  },
});
