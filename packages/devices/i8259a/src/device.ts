import { defineDevice, type DeviceConfig, type DeviceInstance, type InterruptController } from '@v3/device-api';
import type { ChipEnv } from './chip.js';
import { PicPair } from './pair.js';
import { PIC_ELCR1, PIC_MASTER_CMD, PIC_SLAVE_CMD } from './regs.js';
import type { PicState } from './state.js';

/** Configuration of the `8259A` device: no options beyond `class` and `id`. */
export type PicConfig = DeviceConfig;

/** A created 8259A pair. */
export interface Pic extends DeviceInstance {
  /** The interrupt controller registered with the VMM. */
  readonly controller: InterruptController;
  /** A plain copy of both chips' registers. */
  save(): PicState;
  /** Restore what `save()` returned; fails stop on a malformed state. */
  load(state: unknown): void;
  /** Back to power-on (uninitialized) state; input levels are kept. */
  reset(): void;
}

/** The PC's master/slave 8259A pair with its ELCR (Palacios class `8259A`). */
export const i8259a = defineDevice<PicConfig, Pic>({
  className: '8259A',
  validate(cfg) {
    return Object.keys(cfg)
      .filter((k) => k !== 'class' && k !== 'id')
      .map((k) => `${k}: unknown option (the 8259A takes none)`);
  },
  create(host) {
    // The port being accessed, so a refusal names it.
    let port: number | undefined;
    const env: ChipEnv = {
      fail: (reason) => host.fail(reason, port === undefined ? undefined : { port }),
      traceOn: () => host.debugOn('PIC'),
      trace: (message) => host.debug('PIC', message),
    };
    const pair = new PicPair(env);
    const at = <T>(p: number, f: () => T): T => {
      port = p;
      try {
        return f();
      } finally {
        port = undefined;
      }
    };
    for (const [base, which] of [[PIC_MASTER_CMD, 0], [PIC_SLAVE_CMD, 1]] as const) {
      host.hookIo(base, 2, {
        read: (off) => at(base + off, () => pair.read(which, off)),
        write: (off, _size, value) => at(base + off, () => pair.write(which, off, value)),
      }, { sizes: [1] });
    }
    host.hookIo(PIC_ELCR1, 2, {
      read: (off) => pair.readElcr(off === 0 ? 0 : 1),
      write: (off, _size, value) => pair.writeElcr(off === 0 ? 0 : 1, value),
    }, { sizes: [1] });
    host.registerIntrController(pair);
    return {
      controller: pair,
      save: () => pair.save(),
      load: (state) => pair.load(state),
      reset: () => pair.reset(),
    };
  },
});
