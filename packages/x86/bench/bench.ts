/// <reference types="node" />
// pnpm --filter @v3/x86 bench: instruction throughput of the interpreter on three flat 32-bit
// programs assembled here from bytes. Prints `bench <name>: N MIPS`. A program, not a test.
import { Cpu, ExitReason } from '../src/index.js';
import type { X86Bus } from '../src/index.js';

const RAM = 32 << 20;
const CODE = 0x10000;

const bus: X86Bus = {
  ioRead: () => 0xff,
  ioWrite: () => {},
  memRead: () => 0xffffffff,
  memWrite: () => {},
};

function machine(code: number[], paging: boolean): Cpu {
  const ram = new Uint8Array(RAM);
  const frameFlags = new Uint8Array(1 << 20);
  ram.set(code, CODE);
  const cpu = new Cpu({ ram, frameFlags }, bus);
  const flat = (access: number) => ({ selector: 0x10, base: 0, limit: 0xffffffff, access });
  let cr0 = 0x60000011;
  if (paging) {
    // Identity-map the first 32 MiB with 4 KiB pages: page directory at 0x200000, tables after it.
    const dv = new DataView(ram.buffer);
    const pd = 0x200000;
    for (let t = 0; t < 8; t++) {
      const pt = pd + 0x1000 * (t + 1);
      dv.setUint32(pd + t * 4, pt | 7, true);
      for (let i = 0; i < 1024; i++) dv.setUint32(pt + i * 4, ((t * 1024 + i) << 12) | 7, true);
    }
    cr0 |= 0x80000000;
    cpu.setState({ cr3: pd });
  }
  cpu.setState({
    cr0, eip: CODE, esp: 0x180000, eflags: 2,
    cs: { selector: 8, base: 0, limit: 0xffffffff, access: 0xc09b },
    ds: flat(0xc093), es: flat(0xc093), ss: flat(0xc093), fs: flat(0xc093), gs: flat(0xc093),
  });
  return cpu;
}

const imm32 = (v: number) => [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff];

/** Register ALU loop: add/xor/sub/and/or/inc/cmp/dec/jnz. */
function aluProgram(): number[] {
  const body = [
    0x01, 0xd8, // add eax, ebx
    0x31, 0xc2, // xor edx, eax
    0x83, 0xeb, 0x03, // sub ebx, 3
    0x21, 0xd6, // and esi, edx
    0x09, 0xcf, // or edi, ecx
    0x40, // inc eax
    0x39, 0xd0, // cmp eax, edx
    0x49, // dec ecx
  ];
  return [0xb9, ...imm32(0x7fffffff), ...body, 0x75, (-(body.length + 2)) & 0xff, 0xf4];
}

/** The ALU loop with two memory operands per iteration, run with paging on. */
function aluMemProgram(): number[] {
  const body = [
    0x01, 0xd8, // add eax, ebx
    0x89, 0x86, ...imm32(0x100000), // mov [esi+0x100000], eax
    0x03, 0x96, ...imm32(0x100004), // add edx, [esi+0x100004]
    0x83, 0xc6, 0x04, // add esi, 4
    0x81, 0xe6, ...imm32(0xfffc), // and esi, 0xfffc
    0x49, // dec ecx
  ];
  return [0xb9, ...imm32(0x7fffffff), ...body, 0x75, (-(body.length + 2)) & 0xff, 0xf4];
}

/** String loop: reload ESI/EDI, then lodsd/stosd/movsb/scasb in a 256-iteration inner loop. */
function stringProgram(): number[] {
  const inner = [
    0xad, // lodsd
    0xab, // stosd
    0xa4, // movsb
    0xae, // scasb
    0x66, 0xa5, // movsw
    0x49, // dec ecx
  ];
  const outerHead = [
    0xbe, ...imm32(0x300000), // mov esi, 0x300000
    0xbf, ...imm32(0x400000), // mov edi, 0x400000
    0xb9, ...imm32(256), // mov ecx, 256
  ];
  const innerLoop = [...inner, 0x75, (-(inner.length + 2)) & 0xff];
  const all = [...outerHead, ...innerLoop];
  return [...all, 0xeb, (-(all.length + 2)) & 0xff, 0xf4];
}

function bench(name: string, code: number[], paging: boolean): void {
  const cpu = machine(code, paging);
  const slice = 1_000_000;
  // Warm up so the JIT has compiled the hot paths.
  for (let i = 0; i < 20; i++) cpu.run(slice);
  // Best of several windows, timed in process CPU time: the number should describe the
  // interpreter, not the machine's load.
  let best = 0;
  for (let w = 0; w < 8; w++) {
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    const r0 = cpu.retired;
    while (performance.now() - t0 < 300) {
      const exit: ExitReason = cpu.run(slice);
      if (exit !== ExitReason.Budget) throw new Error(`bench ${name}: unexpected exit ${exit}`);
    }
    const c1 = process.cpuUsage(c0);
    const rate = (cpu.retired - r0) / ((c1.user + c1.system) / 1e6);
    if (rate > best) best = rate;
  }
  process.stdout.write(`bench ${name}: ${(best / 1e6).toFixed(1)} MIPS\n`);
}

bench('alu', aluProgram(), false);
bench('alu-paging', aluMemProgram(), true);
bench('string', stringProgram(), false);
