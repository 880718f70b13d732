import { V3Error, type CpuidHook, type CpuidResult } from '@v3/device-api';
import type { Telemetry } from './telemetry.js';

/** A CPUID answer: EAX, EBX, ECX, EDX. */
export type V3CpuidResult = CpuidResult;

/**
 * A CPUID intercept (Palacios' `v3_hook_cpuid`): gets the leaf, the subleaf (ECX) and the CPU's
 * own answer, and returns the answer the guest sees. Devices hook CPUID the same way through
 * `DeviceHost.hookCpuid`.
 */
export type V3CpuidHook = CpuidHook;

/** CPUID leaves hooked by the VMM, the host or devices. Every CPUID counts as an exit. */
export class CpuidMap {
  private readonly hooks = new Map<number, { owner: string; fn: V3CpuidHook }>();

  constructor(private readonly telemetry: Telemetry) {}

  /** Hook `leaf`; a leaf somebody holds is refused, naming both. */
  hook(leaf: number, fn: V3CpuidHook, owner: string): void {
    const held = this.hooks.get(leaf >>> 0);
    if (held) throw new V3Error({ component: owner }, `CPUID leaf 0x${(leaf >>> 0).toString(16)} already hooked by ${held.owner}, requested by ${owner}`);
    this.hooks.set(leaf >>> 0, { owner, fn });
  }

  /** Release a leaf `owner` holds. */
  unhook(leaf: number, owner: string): void {
    const held = this.hooks.get(leaf >>> 0);
    if (!held || held.owner !== owner) throw new V3Error({ component: owner }, `CPUID leaf 0x${(leaf >>> 0).toString(16)} is not hooked by ${owner}`);
    this.hooks.delete(leaf >>> 0);
  }

  /** The engine's CPUID callback: the hooked answer, or undefined to keep the CPU's own (`native`). */
  answer(leaf: number, subleaf: number, native: V3CpuidResult): V3CpuidResult | undefined {
    this.telemetry.cpuidExits++;
    const h = this.hooks.get(leaf >>> 0);
    return h ? h.fn(leaf >>> 0, subleaf >>> 0, native) : undefined;
  }
}
