// pnpm sst <dir>: run every *.json.gz single-step test file in <dir> against @v3/x86.
// Two formats are understood: the 80286 real-mode set (SingleStepTests/80286, see its README)
// and the x86-32-hw protected-mode set. Prints a per-file failure summary and then exactly
// `sst: N passed, M failed`. Exit code 0 whenever the tests ran; 2 when they could not.
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join, basename } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { Cpu, X86Unimplemented } from '../../../packages/x86/src/index.js';
import { Machine32, describeFailure, type Test32 } from './x86-32.js';
import type { X86Bus } from '../../../packages/x86/src/index.js';

type Regs = Record<string, number>;
interface Test {
  idx?: number;
  name: string;
  bytes?: number[];
  initial: { regs: Regs; ram: [number, number][] };
  final: { regs: Regs; ram: [number, number][] };
  exception?: { number: number; flag_address: number };
  notes386?: string[];
  hash?: string;
  undefined_flags?: number;
  undefined_regs?: string[];
}

const RAM_SIZE = 16 << 20;
const ram = new Uint8Array(RAM_SIZE);
const frameFlags = new Uint8Array(1 << 20);
const bus: X86Bus = {
  // Port reads return 0xFF per byte; writes are ignored (80286 README, step 4).
  ioRead: (_port, size) => (size === 1 ? 0xff : size === 2 ? 0xffff : 0xffffffff),
  ioWrite: () => {},
  memRead: (_p, size) => (size === 1 ? 0xff : size === 2 ? 0xffff : 0xffffffff),
  memWrite: () => {},
};
const cpu = new Cpu({ ram, frameFlags }, bus);
const machine32 = new Machine32();

const REGS16 = ['ax', 'bx', 'cx', 'dx', 'cs', 'ss', 'ds', 'es', 'sp', 'bp', 'si', 'di'];

/**
 * 286-versus-386 exclusions for the 80286-real set (README "286 vs 386+"). A test excluded here is
 * not applicable to a 386+ CPU and counts neither as passed nor as failed.
 */
function excluded286(file: string, t: Test): string | undefined {
  const notes = t.notes386 ?? [];
  // LOCK on a non-lockable instruction: the 286 executes it, a 386+ raises #UD.
  if (notes.includes('lock')) return 'lock';
  // More than 10 bytes: the 286 raised INT 13, a 386+ accepts up to 15 bytes.
  if (notes.includes('len>10')) return 'len>10';
  // 8C/8E with reg 4/5: INT 6 on the 286, MOV FS/GS on a 386+.
  if (notes.includes('fs_gs')) return 'fs_gs';
  // D8: 286 without a coprocessor; our x87 escape behaviour differs by design.
  if (file === 'D8') return 'fpu';
  // String instructions that overrun a segment: the 286 has already advanced SI/DI/CX when it
  // raises INT 13; a 386+ faults precisely with the registers of the faulting iteration.
  if (t.exception?.number === 13 && /^(A[4-7]|A[A-F]|6[C-F])$/.test(file)) return 'string-overrun';
  return undefined;
}

interface FileResult { passed: number; failed: number; skipped: number; csWrites: number; firstFailures: string[] }  // report lines of the first three failures

function load286Meta(dir: string): Record<string, { flags_mask: number }> | undefined {
  const p = join(dir, 'metadata.json');
  if (!existsSync(p)) return undefined;
  const m = JSON.parse(readFileSync(p, 'utf8')) as { files: Record<string, { flags_mask: number }>; revoked_hashes?: string[] };
  revoked = new Set(m.revoked_hashes ?? []);
  return m.files;
}
let revoked = new Set<string>();

function clearRam(t: Test): void {
  for (const [a] of t.initial.ram) ram[a] = 0;
  for (const [a] of t.final.ram) ram[a] = 0;
}

/** Vector of the first interrupt dispatched by the test (the instruction under test). */
let firstVector = -1;

function runUntilHalt(limit: number): string | undefined {
  firstVector = -1;
  for (let i = 0; i < limit; i++) {
    cpu.lastVector = -1;
    cpu.run(1);
    if (firstVector < 0) firstVector = cpu.lastVector;
    if (cpu.halted) return undefined;
    if (cpu.shutdown) return 'shutdown';
  }
  return 'no HLT';
}

function run286(file: string, t: Test, mask: number): string | undefined {
  const r = t.initial.regs;
  cpu.reset();
  for (const [a, v] of t.initial.ram) ram[a] = v;
  const seg = (sel: number) => ({ selector: sel, base: sel << 4, limit: 0xffff, access: 0x93 });
  cpu.setState({
    eax: r.ax, ebx: r.bx, ecx: r.cx, edx: r.dx, esp: r.sp, ebp: r.bp, esi: r.si, edi: r.di,
    eip: r.ip, eflags: (r.flags & 0x0fff) | 2, cr0: 0x60000010,
    cs: seg(r.cs), ss: seg(r.ss), ds: seg(r.ds), es: seg(r.es), fs: seg(0), gs: seg(0),
    idtr: { base: 0, limit: 0x3ff },
  });
  let err: string | undefined;
  cpu.lastVector = -1;
  try {
    err = runUntilHalt(400);
  } catch (e) {
    if (!(e instanceof X86Unimplemented)) throw e;
    err = e.message;
  }
  // A 386+ raises #SS (12) where this 286 raised INT 13 for SS-relative overruns (README).
  if (t.exception?.number === 13 && firstVector === 12) return 'skip:ss-overrun';
  if (err) return err;
  const exp: Regs = { ...r, ...t.final.regs };
  const st = cpu.getState();
  const act: Regs = {
    ax: st.eax & 0xffff, bx: st.ebx & 0xffff, cx: st.ecx & 0xffff, dx: st.edx & 0xffff,
    cs: st.cs.selector, ss: st.ss.selector, ds: st.ds.selector, es: st.es.selector,
    sp: st.esp & 0xffff, bp: st.ebp & 0xffff, si: st.esi & 0xffff, di: st.edi & 0xffff,
  };
  for (const k of REGS16) if (act[k] !== exp[k]) return `${k}=${act[k].toString(16)} want ${exp[k].toString(16)}`;
  if ((st.eip & 0xffff) !== (exp.ip & 0xffff)) return `ip=${st.eip.toString(16)} want ${exp.ip.toString(16)}`;
  let fm = mask;
  // POPF/IRET with IOPL/NT bits: a 386+ loads them in real mode; compare the low 12 bits only.
  if ((t.notes386 ?? []).includes('iopl_nt')) fm &= 0x0fff;
  // 8-bit rotates by imm8: OF is architecturally undefined for counts other than 1 (README).
  if (/^(C0|D2)\.[0-3]$/.test(file)) fm &= ~0x800;
  const ef = exp.flags ?? r.flags;
  if (((st.eflags ^ ef) & fm) !== 0) return `flags=${(st.eflags & 0xffff).toString(16)} want ${ef.toString(16)} mask ${fm.toString(16)}`;
  const fin = new Map(t.final.ram);
  // The pushed FLAGS image of an exception frame holds the undefined flags: compared under the mask below.
  // Its address follows from the final SS:SP (flag_address is off by one in a few odd-SP captures).
  const fa0 = t.exception && mask !== 0xffff ? (exp.ss << 4) + ((exp.sp + 4) & 0xffff) : -10;
  for (const [a, v] of t.final.ram) {
    if (a === fa0 || a === fa0 + 1) continue;
    if (ram[a] !== v) return `mem[${a.toString(16)}]=${ram[a].toString(16)} want ${v.toString(16)}`;
  }
  for (const [a, v] of t.initial.ram) if (!fin.has(a) && ram[a] !== v && a !== fa0 && a !== fa0 + 1) return `mem[${a.toString(16)}] changed to ${ram[a].toString(16)} (was ${v.toString(16)})`;
  if (t.exception && mask !== 0xffff) {
    const fa = fa0;
    const pushed = ram[fa] | (ram[fa + 1] << 8);
    const want = (fin.get(fa) ?? ram[fa]) | ((fin.get(fa + 1) ?? ram[fa + 1]) << 8);
    if (((pushed ^ want) & fm) !== 0) return `pushed flags ${pushed.toString(16)} want ${want.toString(16)}`;
  }
  return undefined;
}

function main(): number {
  const dir = process.argv[2];
  if (!dir || !existsSync(dir)) {
    console.error('usage: sst <directory of *.json.gz test files>');
    return 2;
  }
  const filter = process.argv[3];
  const meta = load286Meta(dir);
  const files = readdirSync(dir).filter((f) => f.endsWith('.json.gz')).sort();
  if (files.length === 0) {
    console.error(`sst: no *.json.gz files in ${dir}`);
    return 2;
  }
  let passed = 0, failed = 0, skipped = 0, csWrites = 0;
  for (const f of files) {
    const name = basename(f, '.json.gz');
    if (filter && !name.startsWith(filter)) continue;
    const tests = JSON.parse(gunzipSync(readFileSync(join(dir, f))).toString('utf8')) as Test[];
    const res: FileResult = { passed: 0, failed: 0, skipped: 0, csWrites: 0, firstFailures: [] };
    const mask = meta?.[name]?.flags_mask ?? 0xffff;
    for (const t of tests) {
      if (t.initial.regs.eax !== undefined) {
        const outcome = machine32.run(t as Test32);
        if (outcome.kind === 'pass') {
          res.passed++;
          if (outcome.note === 'cs-write') res.csWrites++;
        } else {
          res.failed++;
          if (res.failed <= 3) res.firstFailures.push(...describeFailure(name, t as Test32, outcome));
        }
        continue;
      }
      if ((t.hash && revoked.has(t.hash)) || excluded286(name, t)) { res.skipped++; clearRam(t); continue; }
      let why: string | undefined;
      try {
        why = run286(name, t, mask);
      } catch (e) {
        why = `exception: ${(e as Error).message}`;
      }
      clearRam(t);
      if (why === undefined) res.passed++;
      else if (why.startsWith('skip:')) res.skipped++;
      else {
        res.failed++;
        if (res.failed <= 3) res.firstFailures.push(`${name} #${t.idx ?? '?'}: ${t.name}`, `    ${why}`);
      }
    }
    passed += res.passed; failed += res.failed; skipped += res.skipped; csWrites += res.csWrites;
    if (res.failed > 0) {
      console.log(`${name}: ${res.failed} failed, ${res.passed} passed${res.skipped ? `, ${res.skipped} not applicable` : ''}`);
      for (const l of res.firstFailures) console.log(`  ${l}`);
    }
  }
  if (csWrites > 0) console.log(`(${csWrites} writes through a CS override passed twice: #GP(0) as captured, in 32-bit protected mode, and the captured result with DS; see tools/sst/README.md)`);
  if (skipped > 0) console.log(`(${skipped} tests not applicable to this CPU were skipped (rules in tools/sst))`);
  console.log(`sst: ${passed} passed, ${failed} failed`);
  return 0;
}

process.exitCode = main();
