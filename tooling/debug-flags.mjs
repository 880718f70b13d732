// The manual's DEBUG_<COMPONENT> switches. Each becomes a compile-time constant
// `__DEBUG_<COMPONENT>__` (tsup/esbuild `define`), true when DEBUG_<COMPONENT>=1 or DEBUG_ALL=1
// is in the build environment. Code guarded by a false constant is dead and esbuild drops it,
// strings and all. Device packages add their component here when they add a switch.
export const DEBUG_COMPONENTS = [
  'ALL', 'SHADOW_PAGING', 'CTRL_REGS', 'INTERRUPTS', 'IO', 'KEYBOARD', 'PIC', 'PIT', 'NVRAM',
  'GENERIC', 'EMULATOR', 'RAMDISK', 'XED', 'HALT', 'DEV_MGR', 'APIC', 'SERIAL', 'OS_DEBUG',
  'BOCHS_DEBUG', 'TIME', 'MEM', 'IDE', 'VGA', 'FW_CFG', 'DMA',
];

const on = (v) => v !== undefined && v !== '' && v !== '0' && v !== 'false';

/** Compile-time defines for the given environment (process.env by default). */
export function debugDefines(env = process.env) {
  const all = on(env.DEBUG_ALL);
  const defines = {};
  for (const name of DEBUG_COMPONENTS) {
    defines[`__DEBUG_${name}__`] = all || on(env[`DEBUG_${name}`]) ? 'true' : 'false';
  }
  return defines;
}
