/**
 * The OS-independent v3 VMM core, after Palacios: a host gives it a table of services
 * ({@link V3OsHooks}) with {@link v3_init}, then creates, starts and awaits VMs through the `v3_`
 * calls. Inside, each core runs a loop shaped like Palacios' `v3_start_svm_guest`, with the
 * @v3/x86 CPU in the role of the hardware virtualization extensions.
 * @packageDocumentation
 */
export {
  v3_init,
  v3_shutdown,
  V3_Init_Stream,
  v3_register_device,
  v3_create_vm,
  v3_start_vm,
  v3_wait_vm,
  v3_pause_vm,
  v3_continue_vm,
  v3_stop_vm,
  v3_free_vm,
  v3_get_state,
  v3_deliver_irq,
  v3_get_telemetry,
  v3_format_telemetry,
  v3_hook_io_port,
  v3_unhook_io_port,
  v3_hook_full_mem,
  v3_unhook_mem,
  v3_hook_msr,
  v3_hook_cpuid,
  v3_unhook_cpuid,
  v3_unhook_msr,
  v3_deliver_keyboard_event,
  v3_deliver_mouse_event,
  v3_find_device,
  v3_shadow_control,
} from './api.js';
export type { V3InitOptions, V3ShadowControl } from './api.js';
export type { V3OsHooks, V3HostPages, V3Mutex, V3Thread, V3ThreadFn, V3StreamHooks, V3HostStream } from './os-hooks.js';
export { V3VmInfo } from './vm.js';
export type { V3VmState, V3VmExit, V3ExitReason } from './vm.js';
export { vmConfigSchema, parseVmConfig, DEBUG_SWITCHES, MAX_BIOS_SIZE } from './config.js';
export type { V3VmConfig, V3VmConfigResolved } from './config.js';
export type { V3Telemetry } from './telemetry.js';
export type { V3Engine } from './engine.js';
export type { V3IoRead, V3IoWrite } from './io-hooks.js';
export type { V3CpuidHook, V3CpuidResult } from './cpuid-hooks.js';
export { detectKernelKind } from './loaders/index.js';
export { v3_debug_compiled_in, v3_debug_compiled_list } from './debug.js';
export { V3Error, v3Fail } from '@v3/device-api';
export type { DeviceClass, DeviceConfig } from '@v3/device-api';
