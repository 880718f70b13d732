/**
 * The contract between the v3 VMM and its devices. A device package depends on this package
 * only: it receives a {@link DeviceHost} in `create`, hooks ports, MMIO, IRQ lines and timers
 * through it, and stops the VM with a {@link V3Error} on anything it does not implement.
 * @packageDocumentation
 */
export { V3Error, v3Fail, assertNever } from './error.js';
export type { V3ErrorDetail } from './error.js';
export { defineDevice } from './device.js';
export { LineBuffer } from './line-buffer.js';
export type {
  AccessSize,
  IoOps,
  IoHookOptions,
  MmioOps,
  IrqLine,
  InterruptController,
  DeviceTimer,
  GuestClock,
  CharStream,
  GuestMemory,
  PowerRequest,
  MsrOps,
  CpuidResult,
  CpuidHook,
  FirmwareDescription,
  HostKeyboardEvent,
  HostMouseEvent,
  HostEvents,
  DeviceHost,
  DeviceInstance,
  DeviceConfig,
  DeviceClass,
} from './device.js';
