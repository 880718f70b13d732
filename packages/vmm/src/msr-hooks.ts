import { V3Error, type MsrOps } from '@v3/device-api';
import type { Telemetry } from './telemetry.js';

/**
 * Hooked model-specific registers (Palacios' `v3_hook_msr`). RDMSR/WRMSR of a hooked MSR is a
 * data exit to its owner; an MSR nobody hooks is the CPU's own business (it implements the
 * architectural ones and raises #GP for MSRs that do not exist).
 */
export class MsrMap {
  private readonly hooks = new Map<number, { owner: string; ops: MsrOps }>();

  constructor(private readonly telemetry: Telemetry) {}

  /** Give `msr` to `owner`; a taken MSR is refused, naming both. */
  hook(msr: number, ops: MsrOps, owner: string): void {
    const held = this.hooks.get(msr >>> 0);
    if (held) throw new V3Error({ component: owner }, `MSR 0x${(msr >>> 0).toString(16)} already hooked by ${held.owner}, requested by ${owner}`);
    this.hooks.set(msr >>> 0, { owner, ops });
  }

  /** Release an MSR `owner` holds. */
  unhook(msr: number, owner: string): void {
    const held = this.hooks.get(msr >>> 0);
    if (!held || held.owner !== owner) throw new V3Error({ component: owner }, `MSR 0x${(msr >>> 0).toString(16)} is not hooked by ${owner}`);
    this.hooks.delete(msr >>> 0);
  }

  /** RDMSR: the hooked value, or null when nobody hooks `msr`. */
  read(msr: number): bigint | null {
    const h = this.hooks.get(msr >>> 0);
    if (!h) return null;
    this.telemetry.msrExits++;
    return BigInt.asUintN(64, h.ops.read());
  }

  /** WRMSR: true when a hook took it. */
  write(msr: number, value: bigint): boolean {
    const h = this.hooks.get(msr >>> 0);
    if (!h) return false;
    this.telemetry.msrExits++;
    h.ops.write(BigInt.asUintN(64, value));
    return true;
  }
}
