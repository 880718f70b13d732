import { wallMs } from './wall-clock.js';
import { V3Error } from '@v3/device-api';
import { ExitReason } from '@v3/x86';
import { createX86Engine, toV3Error, type V3Engine } from './engine.js';
import { bootGuest } from './loaders/index.js';
import type { V3VmInfo } from './vm.js';

/** The longest slice, in instructions, before the core comes back to look at the world. */
const MAX_SLICE = 200_000;
/** Host clock: the slice length between timer updates. */
const HOST_SLICE = 20_000;
/** Wall milliseconds between yields to the host scheduler (I/O, other threads). */
const YIELD_EVERY_MS = 8;
/** Host clock: the longest sleep of a halted core before it looks again. */
const MAX_HALT_SLEEP_US = 10_000;

/**
 * One virtual core (Palacios' `struct guest_info`) and its run loop, shaped like
 * `v3_start_svm_guest`: check the run state, update time, inject pending interrupts, enter the
 * guest for a slice, handle the exit, repeat. Exactly one place catches errors: {@link run}.
 */
export class V3Core {
  readonly engine: V3Engine;
  private pauseRequested = false;
  private stopRequested = false;
  private pausedAck: (() => void) | null = null;
  private resume: (() => void) | null = null;
  private wake: (() => void) | null = null;
  private lastYieldMs = 0;
  /** The host CPU this core's thread runs on (set when the VM starts). */
  hostCpu = 0;

  constructor(
    readonly vm: V3VmInfo,
    readonly id: number,
  ) {
    this.engine = createX86Engine(vm, id);
  }

  /** Make a running slice end at the next instruction boundary and a sleeping core wake. */
  kick(): void {
    this.engine.requestExit();
    if (this.wake) {
      const w = this.wake;
      this.wake = null;
      // Let the host's scheduler know first, then stop waiting on its timer ourselves.
      this.vm.hooks.wakeup_cpu?.(this.hostCpu);
      w();
    }
  }

  /** Ask the loop to pause; resolves once it has. */
  pause(): Promise<void> {
    return new Promise((resolve) => {
      this.pausedAck = resolve;
      this.pauseRequested = true;
      this.kick();
    });
  }

  /** Let a paused loop go on. */
  continue(): void {
    this.pauseRequested = false;
    const r = this.resume;
    this.resume = null;
    r?.();
  }

  /** Ask the loop to stop. */
  stop(): void {
    this.stopRequested = true;
    this.continue();
    this.kick();
  }

  /** The core thread's body. Never throws: every ending goes to `vm.end`. */
  async run(): Promise<void> {
    const vm = this.vm;
    const t = vm.telemetry;
    try {
      bootGuest(vm, this.engine);
      this.lastYieldMs = wallMs();
      for (;;) {
        // 1. The run state: stop, pause, power requests from devices.
        if (this.stopRequested) return vm.end({ reason: 'stopped', message: 'stopped by the host' });
        if (this.pauseRequested) {
          await this.parkPaused();
          continue;
        }
        if (vm.powerRequest && this.handlePower()) return;

        // 2. Time: tell the timers where guest time is.
        vm.time.setRetired(this.engine.retired);
        vm.time.update();

        // 3. Inject a pending interrupt, or ask for an exit when the guest can take one.
        this.injectPending();

        // 4. Enter the guest for one slice.
        const started = wallMs();
        const before = this.engine.retired;
        const reason = this.engine.run(this.sliceBudget());
        const ended = wallMs();
        t.runWallMs += ended - started;
        t.instructions += this.engine.retired - before;

        // 5. Handle the exit.
        if (await this.handleExit(reason)) return;

        // 6. Let the host run its threads now and then.
        if (ended - this.lastYieldMs >= YIELD_EVERY_MS) {
          await this.vm.hooks.yield_cpu?.();
          this.lastYieldMs = wallMs();
        }
      }
    } catch (err) {
      this.failStop(err);
    }
  }

  /** Exit dispatch (Palacios' `v3_handle_svm_exit`). Returns true when the VM's run is over. */
  private async handleExit(reason: ExitReason): Promise<boolean> {
    const t = this.vm.telemetry;
    switch (reason) {
      case ExitReason.Budget:
        t.budgetExits++;
        return false;
      case ExitReason.Requested:
        t.requestedExits++;
        return false;
      case ExitReason.InterruptWindow:
        t.intrWindowExits++;
        this.engine.interruptWindowExit = false;
        return false;
      case ExitReason.Halt:
        t.hltExits++;
        return this.handleHalt();
      case ExitReason.Shutdown:
        t.shutdownExits++;
        return this.handleShutdown();
      default:
        throw new V3Error({ component: 'vmm' }, `unknown exit reason ${String(reason)} from the engine`);
    }
  }

  /**
   * HLT: the core waits for an interrupt. Under the virtual clock, guest time jumps to the next
   * timer deadline; under the host clock, the host sleeps until then. A core halted with
   * interrupts disabled, or with nothing that could ever raise one, has ended its run.
   */
  private async handleHalt(): Promise<boolean> {
    const vm = this.vm;
    vm.time.setRetired(this.engine.retired);
    vm.time.update();
    if (vm.powerRequest || this.stopRequested || this.pauseRequested) return false;
    const deliverable = this.engine.interruptsDeliverable();
    if (!deliverable) {
      vm.end({ reason: 'halted', message: 'the CPU halted with interrupts disabled; nothing can wake it' });
      return true;
    }
    if (vm.intr.pendingController()) return false;
    const deadline = vm.time.nextDeadline();
    if (deadline === Infinity && !vm.hasInputStreams) {
      vm.end({ reason: 'halted', message: 'the CPU halted and no timer or input can raise an interrupt' });
      return true;
    }
    if (__DEBUG_HALT__ && vm.debugOn('HALT')) vm.debug('HALT', `halt until ${deadline} ns (now ${vm.time.now()} ns)`);
    if (vm.time.kind === 'virtual' && deadline !== Infinity) {
      vm.time.skipTo(deadline);
      return false;
    }
    const now = vm.time.now();
    const us = deadline === Infinity ? MAX_HALT_SLEEP_US : Math.min(MAX_HALT_SLEEP_US, Math.max(0, (deadline - now) / 1000));
    await this.sleep(us);
    return false;
  }

  /** Triple fault: the chipset resets the machine, unless the configuration says stop. */
  private handleShutdown(): boolean {
    if (this.vm.config.onReset === 'stop') {
      this.vm.end({ reason: 'shutdown', message: 'triple fault: the CPU shut down' });
      return true;
    }
    this.resetMachine();
    return false;
  }

  /** A device asked to power off or reset. Returns true when the run is over. */
  private handlePower(): boolean {
    const req = this.vm.powerRequest;
    this.vm.powerRequest = null;
    if (!req) return false;
    if (req.request === 'poweroff') {
      this.vm.end({ reason: 'poweroff', message: `the guest powered off (${req.why})` });
      return true;
    }
    if (this.vm.config.onReset === 'stop') {
      this.vm.end({ reason: 'reset', message: `the guest reset the machine (${req.why}) and resets stop this VM` });
      return true;
    }
    this.resetMachine();
    return false;
  }

  private resetMachine(): void {
    this.vm.devMgr.resetAll();
    this.engine.reset();
    bootGuest(this.vm, this.engine);
  }

  /** `v3_intr_pending` / `v3_get_intr` at guest entry. */
  private injectPending(): void {
    const ctrl = this.vm.intr.pendingController();
    if (!ctrl) {
      this.engine.interruptWindowExit = false;
      return;
    }
    if (!this.engine.interruptsDeliverable()) {
      this.engine.interruptWindowExit = true;
      return;
    }
    const vector = ctrl.getIntrNumber();
    ctrl.beginIrq(vector);
    this.engine.interruptWindowExit = false;
    this.engine.injectInterrupt(vector);
    this.vm.telemetry.irqsInjected++;
    if (__DEBUG_INTERRUPTS__ && this.vm.debugOn('INTERRUPTS')) {
      this.vm.debug('INTERRUPTS', `injected vector 0x${vector.toString(16)} from ${ctrl.name}`);
    }
  }

  private sliceBudget(): number {
    const time = this.vm.time;
    if (time.kind === 'host') return HOST_SLICE;
    const deadline = time.nextDeadline();
    if (deadline === Infinity) return MAX_SLICE;
    return Math.max(1, Math.min(MAX_SLICE, time.instructionsUntil(deadline)));
  }

  private async parkPaused(): Promise<void> {
    this.vm.state = 'paused';
    this.vm.time.pause();
    const ack = this.pausedAck;
    this.pausedAck = null;
    const resumed = new Promise<void>((resolve) => (this.resume = resolve));
    ack?.();
    if (this.pauseRequested) await resumed;
    this.vm.time.resume();
    if (this.vm.state === 'paused') this.vm.state = 'running';
  }

  private sleep(us: number): Promise<void> {
    const hooks = this.vm.hooks;
    if (!hooks.sleep_cpu) {
      throw new V3Error({ component: 'vmm', vm: this.vm.name }, 'the host provides no sleep_cpu hook: a halted core cannot wait');
    }
    return new Promise<void>((resolve) => {
      this.wake = resolve;
      void (hooks.sleep_cpu as (us: number) => Promise<void>)(us).then(() => {
        if (this.wake === resolve) this.wake = null;
        resolve();
      });
    });
  }

  /**
   * Fail stop: the one catch of the core. The VM is marked `error`, the guest state is printed
   * through the host, and the run ends with the error.
   */
  private failStop(err: unknown): void {
    const vm = this.vm;
    const error = toV3Error(err, vm, this);
    vm.hooks.print(`V3 FAIL STOP: ${error.message}\n`);
    vm.hooks.print(this.engine.dumpState() + '\n');
    vm.end({ reason: 'error', message: error.message, error });
  }
}
