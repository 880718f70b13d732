import { describe, expect, it } from 'vitest';
import { Machine32, describeFailure, effectiveSegmentPrefix, type Test32 } from './x86-32.js';

const CODE = 0x00400000;
const DATA = 0x00600000;
const HLT = 0xf4;

/** A test in the x86-32-hw shape: `bytes` at CODE followed by HLT, registers zero unless given. */
function vector(bytes: number[], regs: Record<string, number>, final: Record<string, number>, ram: [number, number][] = [], finalRam: [number, number][] = []): Test32 {
  const base = { eax: 0, ecx: 0, edx: 0, ebx: 0, esp: 0x00610000, ebp: 0, esi: 0, edi: 0, eip: CODE, eflags: 2 };
  const initial = { ...base, ...regs };
  return {
    idx: 7,
    name: 'synthetic',
    bytes,
    initial: { regs: initial, ram: [...bytes.map((b, i) => [CODE + i, b] as [number, number]), [CODE + bytes.length, HLT], ...ram] },
    final: { regs: { ...initial, eip: CODE + bytes.length, ...final }, ram: finalRam },
  };
}

const le32 = (addr: number, v: number): [number, number][] => [0, 1, 2, 3].map((i) => [addr + i, (v >>> (8 * i)) & 0xff]);

describe('the x86-32-hw machine', () => {
  const m = new Machine32();

  it('passes an instruction whose result matches (add eax, ebx: 0xFFFFFFFF + 1 = 0, CF ZF PF AF)', () => {
    const t = vector([0x01, 0xd8], { eax: 0xffffffff, ebx: 1 }, { eax: 0, eflags: 0x2 | 0x1 | 0x4 | 0x10 | 0x40 });
    expect(m.run(t)).toEqual({ kind: 'pass' });
  });

  it('names every register and flag that differs, with both values', () => {
    const t = vector([0x01, 0xd8], { eax: 0xffffffff, ebx: 1 }, { eax: 5, eflags: 0x2 | 0x4 | 0x10 | 0x40 });
    const out = m.run(t);
    expect(out.kind).toBe('fail');
    if (out.kind !== 'fail') return;
    expect(out.differences).toEqual([
      { what: 'eax', actual: 0, expected: 5 },
      { what: 'CF', actual: 1, expected: 0 },
    ]);
    const lines = describeFailure('add_rm32_r32', t, out);
    expect(lines[0]).toBe('add_rm32_r32 #7: synthetic [01 d8]');
    expect(lines.slice(1)).toEqual(['    eax: got 0, expected 5', '    CF: got 1, expected 0']);
  });

  it('masks the flags and registers the capture calls undefined', () => {
    const t = { ...vector([0x01, 0xd8], { eax: 0xffffffff, ebx: 1 }, { eax: 5, eflags: 0x2 }), undefined_flags: 0xd5, undefined_regs: ['eax'] };
    expect(m.run(t)).toEqual({ kind: 'pass' });
  });

  it('reports a memory byte the capture leaves alone but the CPU changed', () => {
    // mov [eax], ebx with the capture claiming memory is unchanged.
    const t = vector([0x89, 0x18], { eax: DATA, ebx: 0x11223344 }, {}, le32(DATA, 0));
    const out = m.run(t);
    expect(out.kind).toBe('fail');
    if (out.kind === 'fail') expect(out.differences[0]).toEqual({ what: 'mem[600000] (unchanged in the capture)', actual: 0x44, expected: 0 });
  });

  it('a write through a CS override: #GP(0) as captured, and the captured result through DS', () => {
    const t = vector([0x2e, 0x89, 0x18], { eax: DATA, ebx: 0x11223344 }, {}, le32(DATA, 0), le32(DATA, 0x11223344));
    expect(m.run(t)).toEqual({ kind: 'pass', note: 'cs-write' });
    const wrong = vector([0x2e, 0x89, 0x18], { eax: DATA, ebx: 0x11223344 }, {}, le32(DATA, 0), le32(DATA, 0x55667788));
    const out = m.run(wrong);
    expect(out.kind).toBe('fail');
    if (out.kind === 'fail') expect(out.note).toBe('CS-override write, rerun with DS');
  });

  it('a read through a CS override needs no #GP (the code segment is execute/read)', () => {
    const t = vector([0x2e, 0x8b, 0x18], { eax: DATA }, { ebx: 0x11223344 }, le32(DATA, 0x11223344));
    expect(m.run(t)).toEqual({ kind: 'pass' });
  });

  it('an exception the capture does not have is an error, not a pass', () => {
    // div ecx with ECX = 0: #DE.
    const t = vector([0xf7, 0xf1], {}, {});
    expect(m.run(t)).toEqual({ kind: 'error', message: 'exception 0 where the capture has none' });
  });

  it('finds the override that applies among the prefixes, not a 0x2E in ModRM or an immediate', () => {
    expect(effectiveSegmentPrefix([0x2e, 0x89, 0x18])).toBe(0);
    expect(effectiveSegmentPrefix([0x2e, 0xf0, 0x3e, 0x01, 0x18])).toBe(2);
    expect(effectiveSegmentPrefix([0x66, 0x81, 0x2e, 0x00, 0x00])).toBe(-1);
  });
});

describe('the strict CS-write rule', () => {
  const m = new Machine32();
  it('MOVS with a CS-override source writes through ES:EDI and needs no #GP', () => {
    const movs = vector([0x2e, 0xa4], { esi: DATA, edi: DATA + 0x10 }, { esi: DATA + 1, edi: DATA + 0x11 }, [[DATA, 0x5a], [DATA + 0x10, 0]], [[DATA + 0x10, 0x5a]]);
    expect(m.run(movs)).toEqual({ kind: 'pass' });
  });
});
