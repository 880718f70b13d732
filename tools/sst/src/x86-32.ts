// The x86-32-hw format (../shared/cpu-tests/x86-32-hw/README.md): one instruction in a flat 32-bit
// protected-mode machine, followed by HLT. This module sets the machine up, runs a test and lists
// every register, flag and memory byte that differs from the captured result.
import { Cpu, X86Unimplemented } from '../../../packages/x86/src/index.js';
import type { X86Bus } from '../../../packages/x86/src/index.js';

export type Regs = Record<string, number>;

export interface Test32 {
  idx?: number;
  name: string;
  bytes?: number[];
  initial: { regs: Regs; ram: [number, number][] };
  final: { regs: Regs; ram: [number, number][] };
  undefined_flags?: number;
  undefined_regs?: string[];
}

/** One difference between the CPU and the capture, already phrased for the report. */
export interface Difference {
  what: string;
  actual: number;
  expected: number;
}

/** How one test went: passed, failed with its differences, or could not run (unimplemented, no HLT). */
export type Outcome =
  | { kind: 'pass'; note?: string }
  | { kind: 'fail'; differences: Difference[]; note?: string }
  | { kind: 'error'; message: string; note?: string };

export const REGS32 = ['eax', 'ecx', 'edx', 'ebx', 'esp', 'ebp', 'esi', 'edi'] as const;

/** EFLAGS bits the README says to compare (CF PF AF ZF SF TF IF DF OF = 0x0FD5 less TF/IF: 0x0CD5). */
const COMPARED_FLAGS = 0x0cd5;
const FLAG_NAMES: [number, string][] = [
  [0x001, 'CF'], [0x004, 'PF'], [0x010, 'AF'], [0x040, 'ZF'], [0x080, 'SF'], [0x400, 'DF'], [0x800, 'OF'],
];

const CODE = 0xc09b;   // present, DPL 0, execute/read, accessed; D=1, G=1
const DATA = 0xc093;   // present, DPL 0, read/write, accessed; B=1, G=1
const X86_GP = 13;

/** Legacy prefix bytes: LOCK, REP/REPNE, the six segment overrides, operand and address size. */
const PREFIXES = new Set([0xf0, 0xf2, 0xf3, 0x26, 0x2e, 0x36, 0x3e, 0x64, 0x65, 0x66, 0x67]);
const SEG_PREFIXES = new Set([0x26, 0x2e, 0x36, 0x3e, 0x64, 0x65]);

/**
 * Index of the segment-override prefix that applies (the last one among the leading prefix
 * bytes), or -1. A 0x2E byte in ModRM, displacement or immediate is not a prefix.
 */
export function effectiveSegmentPrefix(bytes: readonly number[]): number {
  let at = -1;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    if (!PREFIXES.has(b)) break;
    if (SEG_PREFIXES.has(b)) at = i;
  }
  return at;
}

/** MOVS, STOS or INS: the destination is always ES:EDI, the override only picks MOVS's source. */
function writesThroughEs(bytes: readonly number[]): boolean {
  const op = bytes.find((b) => !PREFIXES.has(b)) ?? -1;
  return op === 0xa4 || op === 0xa5 || op === 0xaa || op === 0xab || op === 0x6c || op === 0x6d;
}

/** A machine for the x86-32-hw tests: sparse-enough flat RAM and a bus with nothing on it. */
export class Machine32 {
  readonly ram = new Uint8Array(16 << 20);
  private readonly frameFlags = new Uint8Array(1 << 20);
  private readonly bus: X86Bus = {
    ioRead: (_port, size) => (size === 1 ? 0xff : size === 2 ? 0xffff : 0xffffffff),
    ioWrite: () => {},
    memRead: (_p, size) => (size === 1 ? 0xff : size === 2 ? 0xffff : 0xffffffff),
    memWrite: () => {},
  };
  readonly cpu = new Cpu({ ram: this.ram, frameFlags: this.frameFlags }, this.bus);

  /**
   * Run one test. A write through a CS override is the one case where the capture (taken in 64-bit
   * mode, where CS is flat and ignored) and this 32-bit machine part ways: here a code segment is
   * never writable, so the SDM (Vol. 3 §5.4.1, Vol. 2 "Protected Mode Exceptions": #GP(0) "if the
   * destination is located in a non-writable segment") requires #GP(0) with nothing changed.
   * Such a test is run twice: as captured, where it must raise #GP(0) and leave every register and
   * byte as it was, and with the override replaced by DS (flat too, and writable), where it must
   * produce the captured result. It passes only if both hold.
   */
  run(t: Test32): Outcome {
    const bytes = t.bytes ?? [];
    const seg = effectiveSegmentPrefix(bytes);
    const first = this.runOnce(t);
    if (first.kind === 'error') return first;
    const csPrefix = seg >= 0 && bytes[seg] === 0x2e;
    const csWrite = csPrefix && first.vector === X86_GP;
    if (csPrefix && !csWrite && t.final.ram.length > 0 && !writesThroughEs(bytes)) {
      // The capture shows memory written through CS: this machine must have refused the write.
      // (MOVS, STOS and INS write through ES:EDI whatever the override says, SDM Vol. 2 MOVS.)
      this.clear(t);
      return { kind: 'error', message: 'a write through a CS override completed; 32-bit protected mode requires #GP(0)' };
    }
    if (first.vector >= 0 && !csWrite) {
      this.clear(t);
      return { kind: 'error', message: `exception ${first.vector} where the capture has none` };
    }
    if (!csWrite) return first.differences.length === 0 ? { kind: 'pass' } : { kind: 'fail', differences: first.differences };
    // The CS-override write: check the architectural #GP(0) first.
    const gp = this.checkGeneralProtection(t);
    if (gp.length > 0) return { kind: 'fail', differences: gp, note: 'CS-override write: #GP(0) expected with nothing changed' };
    const asDs = bytes.slice();
    asDs[seg] = 0x3e;
    const second = this.runOnce({ ...t, initial: { ...t.initial, ram: patchCode(t, asDs) } });
    if (second.kind === 'error') return second;
    if (second.vector >= 0) {
      this.clear(t);
      return { kind: 'error', message: `exception ${second.vector} with the override as DS` };
    }
    if (second.differences.length > 0) return { kind: 'fail', differences: second.differences, note: 'CS-override write, rerun with DS' };
    return { kind: 'pass', note: 'cs-write' };
  }

  private setUp(t: Test32, ram: [number, number][]): void {
    const r = t.initial.regs;
    this.cpu.reset();
    for (const [a, v] of ram) this.ram[a] = v;
    const data = { selector: 0x10, base: 0, limit: 0xffffffff, access: DATA };
    this.cpu.setState({
      eax: r.eax, ecx: r.ecx, edx: r.edx, ebx: r.ebx, esp: r.esp, ebp: r.ebp, esi: r.esi, edi: r.edi,
      eip: r.eip, eflags: r.eflags, cr0: 0x60000011,
      cs: { selector: 0x08, base: 0, limit: 0xffffffff, access: CODE },
      ss: data, ds: data, es: data, fs: data, gs: data,
      // An empty IDT: the first exception is recorded in lastVector, then the CPU shuts down.
      idtr: { base: 0, limit: 0 },
    });
  }

  private runOnce(t: Test32): { kind: 'ran'; vector: number; differences: Difference[] } | { kind: 'error'; message: string } {
    this.setUp(t, t.initial.ram);
    let vector = -1;
    try {
      for (let i = 0; i < 200 && !this.cpu.halted && !this.cpu.shutdown; i++) {
        this.cpu.lastVector = -1;
        this.cpu.run(1);
        if (vector < 0) vector = this.cpu.lastVector;
      }
    } catch (e) {
      this.clear(t);
      if (e instanceof X86Unimplemented) return { kind: 'error', message: e.message };
      throw e;
    }
    // An exception: the caller judges it (a CS-override write) or reports it; RAM is still set.
    if (vector >= 0) return { kind: 'ran', vector, differences: [] };
    if (!this.cpu.halted) {
      this.clear(t);
      return { kind: 'error', message: 'did not reach the HLT after the instruction' };
    }
    const differences = this.compare(t);
    this.clear(t);
    return { kind: 'ran', vector, differences };
  }

  /** After #GP(0): registers, EIP (at the instruction), flags and memory exactly as before. */
  private checkGeneralProtection(t: Test32): Difference[] {
    const out: Difference[] = [];
    const st = this.cpu.getState() as unknown as Regs;
    const r = t.initial.regs;
    for (const k of REGS32) if (st[k] !== r[k]) out.push({ what: k, actual: st[k], expected: r[k] });
    if (st.eip !== r.eip) out.push({ what: 'eip', actual: st.eip, expected: r.eip });
    for (const [a, v] of t.initial.ram) if (this.ram[a] !== v) out.push({ what: `mem[${hex(a)}]`, actual: this.ram[a], expected: v });
    this.clear(t);
    return out;
  }

  /** Every register, flag and byte that differs from the capture, masked as the README says. */
  private compare(t: Test32): Difference[] {
    const out: Difference[] = [];
    const st = this.cpu.getState() as unknown as Regs;
    const f = t.final.regs;
    const undef = new Set(t.undefined_regs ?? []);
    for (const k of REGS32) if (!undef.has(k) && st[k] !== f[k]) out.push({ what: k, actual: st[k], expected: f[k] });
    // EIP is one past the HLT that follows the instruction.
    if (st.eip - 1 !== f.eip) out.push({ what: 'eip', actual: st.eip - 1, expected: f.eip });
    const mask = COMPARED_FLAGS & ~(t.undefined_flags ?? 0);
    for (const [bit, name] of FLAG_NAMES) {
      if ((mask & bit) !== 0 && ((st.eflags ^ f.eflags) & bit) !== 0) {
        out.push({ what: name, actual: (st.eflags & bit) !== 0 ? 1 : 0, expected: (f.eflags & bit) !== 0 ? 1 : 0 });
      }
    }
    const fin = new Map(t.final.ram);
    for (const [a, v] of t.final.ram) if (this.ram[a] !== v) out.push({ what: `mem[${hex(a)}]`, actual: this.ram[a], expected: v });
    for (const [a, v] of t.initial.ram) {
      if (!fin.has(a) && this.ram[a] !== v) out.push({ what: `mem[${hex(a)}] (unchanged in the capture)`, actual: this.ram[a], expected: v });
    }
    return out;
  }

  private clear(t: Test32): void {
    for (const [a] of t.initial.ram) this.ram[a] = 0;
    for (const [a] of t.final.ram) this.ram[a] = 0;
  }
}

/** The initial RAM with the instruction bytes at EIP replaced by `bytes`. */
function patchCode(t: Test32, bytes: number[]): [number, number][] {
  const eip = t.initial.regs.eip;
  return t.initial.ram.map(([a, v]) => (a >= eip && a < eip + bytes.length ? [a, bytes[a - eip]] : [a, v]));
}

function hex(v: number): string {
  return (v >>> 0).toString(16);
}

/** The report lines of a failed test: what ran, then one line per difference. */
export function describeFailure(file: string, t: Test32, outcome: Exclude<Outcome, { kind: 'pass' }>): string[] {
  const bytes = (t.bytes ?? []).map((b) => b.toString(16).padStart(2, '0')).join(' ');
  const head = `${file} #${t.idx ?? '?'}: ${t.name} [${bytes}]${outcome.note ? ` (${outcome.note})` : ''}`;
  if (outcome.kind === 'error') return [head, `    ${outcome.message}`];
  return [head, ...outcome.differences.map((d) => `    ${d.what}: got ${hex(d.actual)}, expected ${hex(d.expected)}`)];
}
