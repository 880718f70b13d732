import { describe, expect, it } from 'vitest';
import { Cpu } from './cpu.js';
import { RecordingBus, protectedMode, setGate } from './test-machine.js';
import type { Machine } from './test-machine.js';
import { X87_MF, X87_OK, X87_UD, X87_WRITE_AX, X87_WRITE_FLAGS } from './x87.js';
import type { X87Context, X87Unit } from './x87.js';

/** A stand-in unit: records what the CPU passed and answers per opcode/modrm. */
class FakeUnit implements X87Unit {
  calls: { op: number; modrm: number; ea: number; offset: number; mem: boolean; word: number }[] = [];
  inits = 0;
  readonly ferr = false;
  reset(): void { this.inits++; }
  waitCheck(): boolean { return false; }
  exec(op: number, modrm: number, ctx: X87Context): number {
    const word = ctx.mem ? ctx.mem.read16(ctx.ea) : -1;
    this.calls.push({ op, modrm, ea: ctx.ea, offset: ctx.offset, mem: ctx.mem !== null, word });
    if (op === 0xdf && modrm === 0xe0) { ctx.ax = 0x3800; return X87_WRITE_AX; }
    if (op === 0xdb && modrm === 0xe8) { ctx.flags = 0x41; return X87_WRITE_FLAGS; }
    if (op === 0xd9 && modrm === 0xd8) return X87_UD;
    if (op === 0xdd && modrm === 0xc0) return X87_MF;
    return X87_OK;
  }
}

function rig(): Machine & { unit: FakeUnit } {
  const ram = new Uint8Array(4 << 20);
  const frameFlags = new Uint8Array(1 << 20);
  const bus = new RecordingBus();
  const unit = new FakeUnit();
  const cpu = new Cpu({ ram, frameFlags }, bus, { x87: unit });
  const m = { cpu, ram, frameFlags, bus, dv: new DataView(ram.buffer), unit };
  protectedMode(m, 0x5000);
  return m;
}

describe('x87 plug-in', () => {
  it('hands memory forms the linear address and effective address; register results come back', () => {
    const m = rig();
    expect(m.unit.inits).toBe(1);
    m.dv.setUint16(0x8010, 0x037f, true);
    m.ram.set([0xd9, 0x6b, 0x10, 0xdf, 0xe0, 0xdb, 0xe8, 0xf4], 0x5000); // fldcw [ebx+0x10]; fnstsw ax; fucomi st0,st0
    m.cpu.setState({ ebx: 0x8000, eflags: 0x8d5 | 2 });
    m.cpu.run(10);
    expect(m.unit.calls[0]).toEqual({ op: 0xd9, modrm: 0x6b, ea: 0x8010, offset: 0x8010, mem: true, word: 0x037f });
    const st = m.cpu.getState();
    expect(st.eax & 0xffff).toBe(0x3800);
    // FCOMI family: ZF, PF, CF from the unit; OF, SF, AF cleared.
    expect(st.eflags & 0x8d5).toBe(0x41);
  });

  it('reports FPU in CPUID only with a unit present', () => {
    const m = rig();
    m.ram.set([0xb8, 1, 0, 0, 0, 0x0f, 0xa2, 0xf4], 0x5000);
    m.cpu.run(10);
    expect(m.cpu.getState().edx & 1).toBe(1);
  });

  it('#UD and #MF (CR0.NE = 1) from the unit are delivered as exceptions', () => {
    const m = rig();
    setGate(m, 6, 0x6000);
    setGate(m, 16, 0x6100);
    m.ram[0x6000] = 0xf4;
    m.ram[0x6100] = 0xf4;
    m.ram.set([0xd9, 0xd8], 0x5000);
    m.cpu.run(5);
    expect(m.cpu.getState().eip).toBe(0x6001);
    protectedMode(m, 0x5000);
    m.cpu.halted = false;
    m.cpu.setState({ cr0: 0x60000031 });
    m.ram.set([0xdd, 0xc0], 0x5000);
    m.cpu.run(5);
    expect(m.cpu.getState().eip).toBe(0x6101);
    expect(m.dv.getUint32(0x90000 - 12, true)).toBe(0x5000); // fault: EIP of the x87 instruction
  });

  it('CR0.TS raises #NM before the unit sees the instruction', () => {
    const m = rig();
    setGate(m, 7, 0x6000);
    m.ram[0x6000] = 0xf4;
    m.ram.set([0xdf, 0xe0], 0x5000);
    m.cpu.setState({ cr0: 0x60000019 });
    m.cpu.run(5);
    expect(m.unit.calls.length).toBe(0);
    expect(m.cpu.getState().eip).toBe(0x6001);
  });
});
