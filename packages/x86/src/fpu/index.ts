/**
 * The x87 unit of `@v3/x86`: see README.md in this folder for the integration interface.
 * @packageDocumentation
 */
export {
  Fpu, FpuContext, FpuUnimplemented, FPU_OK, FPU_WRITE_AX, FPU_WRITE_FLAGS, FPU_UD, FPU_MF,
  SW_IE, SW_DE, SW_ZE, SW_OE, SW_UE, SW_PE, SW_SF, SW_ES, SW_C0, SW_C1, SW_C2, SW_C3, SW_B,
} from './fpu.js';
export type { FpuMemory, FpuState } from './fpu.js';
