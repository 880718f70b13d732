import { FW_CFG_ARCH_LOCAL, FW_CFG_ENTRY_MASK } from './regs.js';
import type { FwCfgState } from './state.js';
import type { ItemTable } from './items.js';

/** What the chip needs from its surroundings (no host imports). */
export interface FwCfgEnv {
  /** Fail stop on behalf of the device. */
  fail(reason: string): never;
  /** Whether debug output is on. */
  traceOn(): boolean;
  /** One debug line. */
  trace(message: string): void;
}

/**
 * The selector/data interface: a write to the selector picks an item and rewinds the offset;
 * each data read returns the next byte of that item, then 0 past its end. A selector naming no
 * item (an unknown key) selects nothing, and its reads return 0, as in QEMU.
 */
export class FwCfg {
  private selector = 0;
  /** The selected item, or null for an unknown key. */
  private current: Uint8Array | null = null;
  private offset = 0;

  constructor(
    private readonly table: ItemTable,
    private readonly env: FwCfgEnv,
  ) {
    this.reset();
  }

  /** A 16-bit write to the selector register. */
  select(value: number): void {
    this.selector = value & 0xffff;
    this.offset = 0;
    this.current = this.table.items.get(this.selector & (FW_CFG_ARCH_LOCAL | FW_CFG_ENTRY_MASK)) ?? null;
    if (this.env.traceOn()) {
      const size = this.current ? `${this.current.length} bytes` : 'no such item, reads 0';
      this.env.trace(`fw_cfg: select 0x${this.selector.toString(16).padStart(4, '0')} (${size})`);
    }
  }

  /** A byte read of the data register. */
  readData(): number {
    const item = this.current;
    if (!item || this.offset >= item.length) return 0;
    return item[this.offset++] as number;
  }

  /** A byte write of the data register: a no-op since QEMU 2.4 (the spec's words). */
  writeData(value: number): void {
    if (this.env.traceOn()) this.env.trace(`fw_cfg: data write 0x${(value & 0xff).toString(16)} ignored`);
  }

  /** Power-on state: selector 0 (the signature), offset 0. */
  reset(): void {
    this.select(0);
  }

  save(): FwCfgState {
    return { selector: this.selector, offset: this.offset };
  }

  /** Restore a state `save()` returned; fails stop on a malformed one. */
  load(state: unknown): void {
    const s = state as Partial<FwCfgState> | null;
    const int = (v: unknown, max: number): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= max;
    if (typeof s !== 'object' || s === null || !int(s.selector, 0xffff) || !int(s.offset, 0xffff_ffff)) {
      this.env.fail(`fw_cfg: load: bad state ${JSON.stringify(state)} (expected { selector: 0-0xFFFF, offset: integer >= 0 })`);
    }
    this.select(s.selector);
    this.offset = s.offset;
  }
}
