import { defineDevice, type DeviceConfig, type DeviceInstance, type DeviceTimer } from '@v3/device-api';
import { Pit, type PitEnv } from './pit.js';
import { PIT_CH0, PIT_PORT_B } from './regs.js';
import type { PitState } from './state.js';

/** Configuration of the `8254_PIT` device. */
export interface PitConfig extends DeviceConfig {
  /** The IRQ line counter 0's OUT drives (default 0). */
  irq?: number;
}

/** A created 8254. */
export interface PitDevice extends DeviceInstance {
  /** The timer registered with the VMM: its deadline is counter 0's next OUT change. */
  readonly timer: DeviceTimer;
  /** A plain copy of the counters, port 0x61 and the IRQ level. */
  save(): PitState;
  /** Restore what `save()` returned; fails stop on a malformed state. */
  load(state: unknown): void;
  /** Power-on state: no counter programmed, OUT pins low. */
  reset(): void;
}

/** The PC's Intel 8254 timer with port 0x61 (Palacios class `8254_PIT`). */
export const i8254 = defineDevice<PitConfig, PitDevice>({
  className: '8254_PIT',
  validate(cfg) {
    const problems: string[] = [];
    for (const k of Object.keys(cfg)) {
      if (k !== 'class' && k !== 'id' && k !== 'irq') problems.push(`${k}: unknown option (the 8254_PIT takes irq)`);
    }
    const irq = cfg.irq;
    if (irq !== undefined && (typeof irq !== 'number' || !Number.isInteger(irq) || irq < 0 || irq > 255)) {
      problems.push('irq: expected an integer IRQ line 0-255');
    }
    return problems;
  },
  create(host, cfg) {
    let port: number | undefined;
    const env: PitEnv = {
      irq: host.irq(cfg.irq ?? 0),
      fail: (reason) => host.fail(reason, port === undefined ? undefined : { port }),
      traceOn: () => host.debugOn('PIT'),
      trace: (message) => host.debug('PIT', message),
    };
    const pit = new Pit(env);
    const at = <T>(p: number, f: () => T): T => {
      port = p;
      try {
        return f();
      } finally {
        port = undefined;
      }
    };
    host.hookIo(PIT_CH0, 4, {
      read: (off) => at(PIT_CH0 + off, () => pit.readPort(off, host.clock.now())),
      write: (off, _size, value) => at(PIT_CH0 + off, () => pit.writePort(off, value, host.clock.now())),
    }, { sizes: [1] });
    host.hookIo(PIT_PORT_B, 1, {
      read: () => pit.readPortB(host.clock.now()),
      write: (_off, _size, value) => pit.writePortB(value, host.clock.now()),
    }, { sizes: [1] });
    const timer: DeviceTimer = {
      update: (nowNs) => pit.update(nowNs),
      nextDeadline: () => pit.nextDeadline(),
    };
    host.addTimer(timer);
    pit.reset(host.clock.now());
    return {
      timer,
      save: () => pit.save(),
      load: (state) => pit.load(state),
      reset: () => pit.reset(host.clock.now()),
      free: () => host.removeTimer(timer),
    };
  },
});
