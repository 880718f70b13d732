import { defineDevice, type DeviceConfig, type DeviceInstance } from '@v3/device-api';
import type { ControllerEnv } from './controller.js';
import { Dma, type DmaChannelInfo, type DmaController, type DmaRun } from './dma.js';
import { DMA1_BASE, DMA2_BASE, DMA2_SPAN, PAGE_BASE, PAGE_COUNT, PORT_POST } from './regs.js';
import type { DmaState } from './state.js';

/** Configuration of the `DMA` device. */
export interface DmaConfig extends DeviceConfig {
  /**
   * Also claim port 0x80 as a plain page register byte (default false: 0x80 is the POST code
   * port another device owns).
   */
  hookPort80?: boolean;
}

/** A created DMA subsystem: the {@link DmaController} interface plus checkpoint and reset. */
export interface DmaDevice extends DeviceInstance, DmaController {
  /** A plain copy of both controllers and the page registers. */
  save(): DmaState;
  /** Restore what `save()` returned; fails stop on a malformed state. */
  load(state: unknown): void;
  /** Power-on state: registers zero, all channels masked. */
  reset(): void;
}

const KEYS = new Set(['class', 'id', 'hookPort80']);

/** The PC/AT's two cascaded 8237A DMA controllers and page registers (class `DMA`). */
export const i8237 = defineDevice<DmaConfig, DmaDevice>({
  className: 'DMA',
  validate(cfg) {
    const problems: string[] = [];
    for (const k of Object.keys(cfg)) {
      if (!KEYS.has(k)) problems.push(`${k}: unknown option (DMA takes hookPort80)`);
    }
    if (cfg.hookPort80 !== undefined && typeof cfg.hookPort80 !== 'boolean') problems.push('hookPort80: expected true or false');
    return problems;
  },
  create(host, cfg) {
    let port: number | undefined;
    const env: ControllerEnv = {
      fail: (reason) => host.fail(reason, port === undefined ? undefined : { port }),
      traceOn: () => host.debugOn('IO'),
      trace: (message) => host.debug('IO', message),
    };
    const dma = new Dma(env);
    const at = <T>(p: number, f: () => T): T => {
      port = p;
      try {
        return f();
      } finally {
        port = undefined;
      }
    };
    host.hookIo(DMA1_BASE, 16, {
      read: (off) => at(DMA1_BASE + off, () => dma.dma1.read(off)),
      write: (off, _size, value) => at(DMA1_BASE + off, () => dma.dma1.write(off, value)),
    }, { sizes: [1] });
    // DMA2 register n answers at 0xC0 + 2n; A0 is not decoded, so 0xC1 + 2n aliases it.
    host.hookIo(DMA2_BASE, DMA2_SPAN, {
      read: (off) => at(DMA2_BASE + off, () => dma.dma2.read(off >> 1)),
      write: (off, _size, value) => at(DMA2_BASE + off, () => dma.dma2.write(off >> 1, value)),
    }, { sizes: [1] });
    const first = cfg.hookPort80 === true ? PORT_POST : PORT_POST + 1;
    host.hookIo(first, PAGE_BASE + PAGE_COUNT - first, {
      read: (off) => dma.readPage(first + off),
      write: (off, _size, value) => dma.writePage(first + off, value),
    }, { sizes: [1] });
    dma.reset();
    return {
      channelState: (channel: number): DmaChannelInfo => dma.channelState(channel),
      transfer: (channel: number, maxUnits: number): DmaRun | null => dma.transfer(channel, maxUnits),
      save: () => dma.save(),
      load: (state) => dma.load(state),
      reset: () => dma.reset(),
    };
  },
});
