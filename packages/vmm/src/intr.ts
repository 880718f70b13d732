import type { InterruptController } from '@v3/device-api';

/**
 * IRQ lines and interrupt controllers of one VM (Palacios' `vmm_intr.c`). Devices raise and
 * lower lines; each line's level is the OR of the devices driving it, and only its transitions
 * reach the controllers (so a shared line behaves like a wired-OR). Controllers are asked for a
 * vector before the core enters the guest.
 */
export class InterruptRouting {
  private readonly controllers: InterruptController[] = [];
  /** Per line: bit set of driver ids currently holding it high. */
  private readonly drivers = new Map<number, Set<number>>();
  /** Called after any line goes high, so a running core leaves its slice and injects. */
  onRaise: () => void = () => {};

  /** `v3_register_intr_controller`. */
  registerController(ctrl: InterruptController): void {
    this.controllers.push(ctrl);
  }

  /** Drive `line` from `driver` (a per-device number). */
  drive(line: number, driver: number, high: boolean): void {
    let set = this.drivers.get(line);
    if (!set) {
      set = new Set();
      this.drivers.set(line, set);
    }
    const before = set.size > 0;
    if (high) set.add(driver);
    else set.delete(driver);
    const after = set.size > 0;
    if (after === before) return;
    for (const c of this.controllers) {
      if (after) c.raiseIntr(line);
      else c.lowerIntr(line);
    }
    if (after) this.onRaise();
  }

  /** An edge on `line` from `driver`: raise, then lower unless another driver holds it. */
  pulse(line: number, driver: number): void {
    this.drive(line, driver, true);
    this.drive(line, driver, false);
  }

  /** `v3_intr_pending`: the first controller with an interrupt for the core, or null. */
  pendingController(): InterruptController | null {
    for (const c of this.controllers) if (c.intrPending()) return c;
    return null;
  }
}
