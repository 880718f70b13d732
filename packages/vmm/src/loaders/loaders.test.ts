import { describe, expect, it } from 'vitest';
import type { CpuState } from '@v3/x86';
import type { V3Engine } from '../engine.js';
import { MemoryMap } from '../mem.js';
import { Telemetry } from '../telemetry.js';
import type { V3VmInfo } from '../vm.js';
import { bootLinux, isLinuxKernel } from './linux.js';
import { bootMultiboot, findMultibootHeader } from './multiboot.js';
import { detectKernelKind } from './index.js';

function fakeVm(mib: number): { vm: V3VmInfo; engine: V3Engine; state: Partial<CpuState>; ram: Uint8Array } {
  const ram = new Uint8Array(mib * 1024 * 1024);
  const vm = { name: 't', mem: new MemoryMap(ram, new Telemetry()), devMgr: { devices: [] } } as unknown as V3VmInfo;
  const state: Partial<CpuState> = {};
  const engine = { setState: (s: Partial<CpuState>) => Object.assign(state, s), cpuid: () => [0x633, 0, 0, 0x201] } as unknown as V3Engine;
  return { vm, engine, state, ram };
}

/** A minimal bzImage: 4 setup sectors + boot sector, boot protocol 2.10, then a protected-mode body. */
function fakeBzImage(body: number[]): Uint8Array {
  const img = new Uint8Array(5 * 512 + body.length);
  const dv = new DataView(img.buffer);
  img[0x1f1] = 4;
  dv.setUint16(0x1fe, 0xaa55, true);
  img[0x200] = 0xeb;
  img[0x201] = 0x66; // setup header runs to 0x268
  dv.setUint32(0x202, 0x53726448, true);
  dv.setUint16(0x206, 0x020a, true);
  img[0x211] = 0x01; // LOADED_HIGH
  dv.setUint32(0x22c, 0x37ffffff, true);
  dv.setUint32(0x238, 2047, true);
  img.set(body, 5 * 512);
  return img;
}

const u32 = (b: Uint8Array, at: number) => new DataView(b.buffer, b.byteOffset).getUint32(at, true);

describe('Linux boot protocol loader', () => {
  it('builds the zero page, places kernel, command line and initrd, and enters at 1 MiB', () => {
    const { vm, engine, state, ram } = fakeVm(32);
    const kernel = fakeBzImage([0xf4, 0x90, 0x90]);
    const initrd = new Uint8Array(10_000).fill(0x42);
    expect(isLinuxKernel(kernel)).toBe(true);
    bootLinux(vm, engine, kernel, initrd, 'console=ttyS0 panic=-1');
    // The protected-mode kernel at 1 MiB.
    expect(Array.from(ram.subarray(0x100000, 0x100003))).toEqual([0xf4, 0x90, 0x90]);
    const zp = ram.subarray(0x10000, 0x11000);
    expect(u32(zp, 0x202)).toBe(0x53726448); // header copied
    expect(zp[0x210]).toBe(0xff); // type_of_loader
    expect(zp[0x211]! & 0x81).toBe(0x81); // LOADED_HIGH | CAN_USE_HEAP
    const cmdPtr = u32(zp, 0x228);
    expect(String.fromCharCode(...ram.subarray(cmdPtr, cmdPtr + 22))).toBe('console=ttyS0 panic=-1');
    expect(ram[cmdPtr + 22]).toBe(0);
    const rdAt = u32(zp, 0x218);
    expect(u32(zp, 0x21c)).toBe(10_000);
    expect(rdAt % 4096).toBe(0);
    expect(rdAt + 10_000).toBeLessThanOrEqual(32 * 1024 * 1024);
    expect(ram[rdAt]).toBe(0x42);
    // e820: conventional memory and extended memory from 1 MiB up to the top of RAM.
    expect(zp[0x1e8]).toBe(4);
    expect(u32(zp, 0x2d0 + 3 * 20)).toBe(0x100000);
    expect(u32(zp, 0x2d0 + 3 * 20 + 8)).toBe(31 * 1024 * 1024);
    expect(u32(zp, 0x2d0 + 3 * 20 + 16)).toBe(1);
    // 32-bit entry state of the protocol.
    expect(state).toMatchObject({ eip: 0x100000, esi: 0x10000, cs: { selector: 0x10 }, ds: { selector: 0x18 } });
    expect(state.cr0! & 1).toBe(1);
  });

  it('refuses what is not a bzImage and a command line too long for the kernel', () => {
    const { vm, engine } = fakeVm(4);
    expect(() => bootLinux(vm, engine, new Uint8Array(4096), null, '')).toThrow(/no boot-protocol setup header/);
    expect(() => bootLinux(vm, engine, fakeBzImage([0]), null, 'x'.repeat(5000))).toThrow(/at most 2047/);
  });
});

describe('Multiboot loader', () => {
  function fakeMultiboot(): Uint8Array {
    // a.out kludge: header at file offset 0x40, loaded at 0x100000 (header_addr 0x100040).
    const img = new Uint8Array(0x200);
    const dv = new DataView(img.buffer);
    const flags = 0x00010003;
    dv.setUint32(0x40, 0x1badb002, true);
    dv.setUint32(0x44, flags, true);
    dv.setUint32(0x48, (-(0x1badb002 + flags)) >>> 0, true);
    dv.setUint32(0x4c, 0x100040, true); // header_addr
    dv.setUint32(0x50, 0x100000, true); // load_addr
    dv.setUint32(0x54, 0, true); // load_end_addr: whole file
    dv.setUint32(0x58, 0x102000, true); // bss_end_addr
    dv.setUint32(0x5c, 0x100100, true); // entry
    img[0x100] = 0xf4;
    return img;
  }

  it('finds the header and loads by the address fields, with the info structure in EBX', () => {
    const { vm, engine, state, ram } = fakeVm(16);
    const img = fakeMultiboot();
    expect(findMultibootHeader(img)).toBe(0x40);
    expect(detectKernelKind(img)).toBe('multiboot');
    bootMultiboot(vm, engine, img, 'root=x', [{ bytes: Uint8Array.of(1, 2, 3), string: 'initrd' }]);
    expect(ram[0x100100]).toBe(0xf4);
    expect(state).toMatchObject({ eip: 0x100100, eax: 0x2badb002 });
    const info = ram.subarray(state.ebx!);
    const flags = u32(info, 0);
    expect(flags & 0x4d).toBe(0x4d); // memory, cmdline, mods, mmap
    expect(u32(info, 8)).toBe(15 * 1024); // mem_upper in KiB
    expect(u32(info, 20)).toBe(1); // mods_count
    const mod = u32(info, 24);
    const start = u32(ram, mod);
    expect(start).toBe(0x102000); // page-aligned after the bss
    expect(Array.from(ram.subarray(start, start + 3))).toEqual([1, 2, 3]);
    const cmd = u32(info, 16);
    expect(String.fromCharCode(...ram.subarray(cmd, cmd + 6))).toBe('root=x');
  });

  it('tells flat images from kernels', () => {
    expect(detectKernelKind(Uint8Array.of(0xfa, 0xf4))).toBe('flat');
    expect(detectKernelKind(fakeBzImage([0]))).toBe('linux');
  });
});
