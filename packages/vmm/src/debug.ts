import { DEBUG_SWITCHES } from './config.js';

/**
 * Which DEBUG_<COMPONENT> switches this build compiled in. Every constant is replaced at build
 * time (tooling/debug-flags.mjs); in a unified build (the apps) the devices share the same values.
 */
const COMPILED: Record<(typeof DEBUG_SWITCHES)[number], boolean> = {
  ALL: __DEBUG_ALL__,
  SHADOW_PAGING: __DEBUG_SHADOW_PAGING__,
  CTRL_REGS: __DEBUG_CTRL_REGS__,
  INTERRUPTS: __DEBUG_INTERRUPTS__,
  IO: __DEBUG_IO__,
  KEYBOARD: __DEBUG_KEYBOARD__,
  PIC: __DEBUG_PIC__,
  PIT: __DEBUG_PIT__,
  NVRAM: __DEBUG_NVRAM__,
  GENERIC: __DEBUG_GENERIC__,
  EMULATOR: __DEBUG_EMULATOR__,
  RAMDISK: __DEBUG_RAMDISK__,
  XED: __DEBUG_XED__,
  HALT: __DEBUG_HALT__,
  DEV_MGR: __DEBUG_DEV_MGR__,
  APIC: __DEBUG_APIC__,
  SERIAL: __DEBUG_SERIAL__,
  OS_DEBUG: __DEBUG_OS_DEBUG__,
  BOCHS_DEBUG: __DEBUG_BOCHS_DEBUG__,
  TIME: __DEBUG_TIME__,
  MEM: __DEBUG_MEM__,
  IDE: __DEBUG_IDE__,
  VGA: __DEBUG_VGA__,
  FW_CFG: __DEBUG_FW_CFG__,
  DMA: __DEBUG_DMA__,
};

/** Whether component `name`'s debug output was compiled into this build. */
export function v3_debug_compiled_in(name: string): boolean {
  return COMPILED[name as keyof typeof COMPILED] === true || COMPILED.ALL;
}

/** The components whose debug output this build carries. */
export function v3_debug_compiled_list(): string[] {
  return DEBUG_SWITCHES.filter((n) => n !== 'ALL' && v3_debug_compiled_in(n));
}

/**
 * The run-time switches of one VM. With none requested, every compiled-in component prints;
 * a request narrows the output to the named components (`ALL` = everything compiled in).
 * Asking for a component that is compiled out is refused: it could never print.
 */
export class DebugSwitches {
  private readonly on = new Set<string>();

  constructor(requested: readonly string[]) {
    const wanted = requested.length === 0 || requested.includes('ALL') ? v3_debug_compiled_list() : requested;
    const missing = requested.filter((n) => n !== 'ALL' && !v3_debug_compiled_in(n));
    if (missing.length > 0) {
      throw new Error(
        `debug: ${missing.join(', ')} compiled out of this build; rebuild with ${missing.map((n) => `DEBUG_${n}=1`).join(' ')}`,
      );
    }
    for (const n of wanted) this.on.add(n);
  }

  /** Whether `component` prints now. */
  enabled(component: string): boolean {
    return this.on.has(component);
  }
}
