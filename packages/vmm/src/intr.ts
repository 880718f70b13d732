import type { InterruptController } from '@v3/device-api';

/**
 * IRQ lines and interrupt controllers of one VM (Palacios' `vmm_intr.c`). Devices raise and
 * lower lines; each line's level is the OR of the devices driving it, and only its transitions
 * reach every controller, as on a PC where each ISA line runs both to the 8259A pair and to the
 * IO-APIC (so a shared line behaves like a wired-OR). Controllers are asked for a vector before
 * the core enters the guest.
 *
 * Local and external controllers: a controller that defines `acceptsExtInt` is the core's local
 * interrupt controller (the local APIC). It is asked first. The others (the 8259A) reach the core
 * through the local APIC's LINT0 as ExtINT, so they are asked only while every local controller
 * accepts ExtINT (LINT0 unmasked in ExtINT mode, or the local APIC disabled: virtual-wire mode).
 * A VM without a local APIC has the 8259A on the CPU's INTR pin directly.
 */
export class InterruptRouting {
  private readonly controllers: InterruptController[] = [];
  /** Per line: bit set of driver ids currently holding it high. */
  private readonly drivers = new Map<number, Set<number>>();
  /** Called after any line goes high, so a running core leaves its slice and injects. */
  onRaise: () => void = () => {};

  /** The local controllers (those defining `acceptsExtInt`), in registration order. */
  private readonly local: InterruptController[] = [];
  /** The external controllers, in registration order. */
  private readonly external: InterruptController[] = [];

  /** `v3_register_intr_controller`. */
  registerController(ctrl: InterruptController): void {
    this.controllers.push(ctrl);
    (ctrl.acceptsExtInt ? this.local : this.external).push(ctrl);
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

  /**
   * `v3_intr_pending`: the controller with an interrupt for the core, or null. A local
   * controller's interrupt comes first; an external controller's only while the ExtINT path
   * through every local controller is open.
   */
  pendingController(): InterruptController | null {
    for (const c of this.local) if (c.intrPending()) return c;
    for (const c of this.local) if (!(c.acceptsExtInt as () => boolean)()) return null;
    for (const c of this.external) if (c.intrPending()) return c;
    return null;
  }
}
