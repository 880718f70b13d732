// THE opcode table. One row per opcode (or per /r group): the mnemonic(s), the SDM operand codes
// and the handler. The 512-entry dispatch array OPS (0x000-0x0FF one-byte map, 0x100-0x1FF the 0F
// map) and the disassembler are both built from these rows.
//
// Operand codes (SDM Vol. 2 Appendix A notation): E* ModRM r/m, G* ModRM reg, I* immediate,
// Ibs sign-extended imm8, J* relative offset, Ap far pointer, M/Mp memory only, O* moffs,
// Sw segment register, Cd/Dd control/debug register, Z* register in the opcode's low bits,
// and literal registers in lower case (al, cl, dx, es, 1; eAX = ax or eax by operand size).
// Suffix b=byte, w=word, d=dword, v=word or dword by operand size.
import type { Cpu } from '../cpu.js';
import { CS, DS, ES, FS, GS, SS } from '../consts.js';
import * as A from '../ops/alu.js';
import * as B from '../ops/bcd.js';
import * as C from '../ops/control.js';
import * as D from '../ops/data.js';
import * as I from '../ops/io.js';
import * as MD from '../ops/muldiv.js';
import * as SH from '../ops/shift.js';
import * as ST from '../ops/stack.js';
import * as STR from '../ops/string.js';
import * as SYS from '../ops/system.js';

/** An instruction handler: executes one decoded opcode on the CPU. */
export type Handler = (c: Cpu) => void;

/** One row of the opcode table. */
export interface OpRow {
  /** 0x00-0xFF one-byte opcodes, 0x100-0x1FF for 0F xx. */
  op: number;
  /** Mnemonic; for /r groups, one per reg value ('' = invalid). */
  name: string | readonly string[];
  /** Operand codes, comma separated; per reg value for groups where they differ. */
  operands: string | readonly string[];
  /** Handler. */
  exec: Handler;
  /** ModRM follows the opcode. */
  modrm: boolean;
  /** A LOCK prefix is allowed (memory destination forms; groups check their reg field). */
  lockable: boolean;
  /** 'prefix' rows change decode state; 'invalid' raise #UD; 'unimplemented' fail stop. */
  kind: 'op' | 'prefix' | 'invalid' | 'unimplemented';
}

const ROWS: OpRow[] = [];

function row(op: number, name: string | readonly string[], operands: string | readonly string[], exec: Handler,
  opts: { modrm?: boolean; lock?: boolean; kind?: OpRow['kind'] } = {}): void {
  ROWS.push({
    op, name, operands, exec,
    modrm: opts.modrm ?? /(^|,)(E|G|M|S|C|D|R)/.test(Array.isArray(operands) ? operands.join(',') : (operands as string)),
    lockable: opts.lock ?? false,
    kind: opts.kind ?? 'op',
  });
}

// ---- prefixes ----

/** Limit on the instruction length (SDM Vol. 2 §2.1: 15 bytes, else #GP(0)). */
function next(c: Cpu): void {
  c.prefixed = true;
  if (((c.eip - c.startEip) & 0xffffffff) >= 15) c.gp(0);
  const op = c.fetch8();
  if (c.lock !== 0 && LOCKABLE[op] === 0) c.ud();
  OPS[op](c);
}

function segPrefix(s: number): Handler {
  return (c) => { c.segOvr = s; next(c); };
}

function opsize(c: Cpu): void { c.os32 = !c.cs32; next(c); }
function addrsize(c: Cpu): void { c.as32 = !c.cs32; next(c); }
function lockPrefix(c: Cpu): void { c.lock = 1; next(c); }
function repne(c: Cpu): void { c.rep = 2; next(c); }
function repe(c: Cpu): void { c.rep = 1; next(c); }

function twoByte(c: Cpu): void {
  const op = 0x100 | c.fetch8();
  if (c.lock !== 0 && LOCKABLE[op] === 0) c.ud();
  OPS[op](c);
}

function invalid(c: Cpu): void { c.ud(); }
function unimplementedOp(c: Cpu): void { c.unimplemented('opcode'); }

// ---- the one-byte map ----

const ALU = ['add', 'or', 'adc', 'sbb', 'and', 'sub', 'xor', 'cmp'] as const;
const ALU_FORMS = ['Eb,Gb', 'Ev,Gv', 'Gb,Eb', 'Gv,Ev', 'al,Ib', 'eAX,Iv'];
for (let op = 0; op < 8; op++) {
  for (let f = 0; f < 6; f++) row(op * 8 + f, ALU[op], ALU_FORMS[f], A.makeAlu(op, f), { lock: f < 2 && op !== 7 });
}
const SEGN = ['es', 'cs', 'ss', 'ds', 'fs', 'gs'];
for (const s of [ES, CS, SS, DS]) {
  row(s * 8 + 6, 'push', SEGN[s], ST.makePushSeg(s));
  if (s !== CS) row(s * 8 + 7, 'pop', SEGN[s], ST.makePopSeg(s));
}
row(0x0f, '', '', twoByte, { kind: 'prefix', lock: true });
row(0x26, 'es', '', segPrefix(ES), { kind: 'prefix', lock: true });
row(0x2e, 'cs', '', segPrefix(CS), { kind: 'prefix', lock: true });
row(0x36, 'ss', '', segPrefix(SS), { kind: 'prefix', lock: true });
row(0x3e, 'ds', '', segPrefix(DS), { kind: 'prefix', lock: true });
row(0x64, 'fs', '', segPrefix(FS), { kind: 'prefix', lock: true });
row(0x65, 'gs', '', segPrefix(GS), { kind: 'prefix', lock: true });
row(0x66, 'o16/o32', '', opsize, { kind: 'prefix', lock: true });
row(0x67, 'a16/a32', '', addrsize, { kind: 'prefix', lock: true });
row(0xf0, 'lock', '', lockPrefix, { kind: 'prefix', lock: true });
row(0xf2, 'repne', '', repne, { kind: 'prefix', lock: true });
row(0xf3, 'rep', '', repe, { kind: 'prefix', lock: true });
row(0x27, 'daa', '', B.daa);
row(0x2f, 'das', '', B.das);
row(0x37, 'aaa', '', B.aaa);
row(0x3f, 'aas', '', B.aas);
for (let r = 0; r < 8; r++) {
  row(0x40 + r, 'inc', 'Zv', A.makeIncDecZv(false, r));
  row(0x48 + r, 'dec', 'Zv', A.makeIncDecZv(true, r));
  row(0x50 + r, 'push', 'Zv', ST.makePushZv(r));
  row(0x58 + r, 'pop', 'Zv', ST.makePopZv(r));
  row(0x90 + r, r === 0 ? 'nop' : 'xchg', r === 0 ? '' : 'Zv,eAX', r === 0 ? D.nop : D.makeXchgZv(r));
  row(0xb0 + r, 'mov', 'Zb,Ib', D.makeMovZbIb(r));
  row(0xb8 + r, 'mov', 'Zv,Iv', D.makeMovZvIv(r));
}
row(0x60, 'pusha', '', ST.pusha);
row(0x61, 'popa', '', ST.popa);
row(0x62, 'bound', 'Gv,M', C.bound);
row(0x63, 'arpl', 'Ew,Gw', SYS.arpl);
row(0x68, 'push', 'Iv', ST.pushIv);
row(0x69, 'imul', 'Gv,Ev,Iv', MD.imulGvEvIv);
row(0x6a, 'push', 'Ibs', ST.pushIb);
row(0x6b, 'imul', 'Gv,Ev,Ibs', MD.imulGvEvIb);
row(0x6c, 'insb', '', STR.insb);
row(0x6d, 'insv', '', STR.insv);
row(0x6e, 'outsb', '', STR.outsb);
row(0x6f, 'outsv', '', STR.outsv);
const CC = ['o', 'no', 'b', 'ae', 'e', 'ne', 'be', 'a', 's', 'ns', 'p', 'np', 'l', 'ge', 'le', 'g'];
for (let cc = 0; cc < 16; cc++) {
  row(0x70 + cc, 'j' + CC[cc], 'Jb', C.makeJccJb(cc));
  row(0x180 + cc, 'j' + CC[cc], 'Jv', C.makeJccJz(cc));
  row(0x140 + cc, 'cmov' + CC[cc], 'Gv,Ev', D.makeCmov(cc));
  row(0x190 + cc, 'set' + CC[cc], 'Eb', D.makeSetcc(cc));
}
row(0x80, ALU, 'Eb,Ib', A.grp1EbIb, { lock: true });
row(0x81, ALU, 'Ev,Iv', A.grp1EvIv, { lock: true });
row(0x82, ALU, 'Eb,Ib', A.grp1EbIb, { lock: true });
row(0x83, ALU, 'Ev,Ibs', A.grp1EvIb, { lock: true });
row(0x84, 'test', 'Eb,Gb', A.testEbGb);
row(0x85, 'test', 'Ev,Gv', A.testEvGv);
row(0x86, 'xchg', 'Eb,Gb', D.xchgEbGb, { lock: true });
row(0x87, 'xchg', 'Ev,Gv', D.xchgEvGv, { lock: true });
row(0x88, 'mov', 'Eb,Gb', D.movEbGb);
row(0x89, 'mov', 'Ev,Gv', D.movEvGv);
row(0x8a, 'mov', 'Gb,Eb', D.movGbEb);
row(0x8b, 'mov', 'Gv,Ev', D.movGvEv);
row(0x8c, 'mov', 'Ew,Sw', SYS.movEwSw);
row(0x8d, 'lea', 'Gv,M', D.leaGvM);
row(0x8e, 'mov', 'Sw,Ew', SYS.movSwEw);
row(0x8f, ['pop', '', '', '', '', '', '', ''], 'Ev', ST.popEv);
row(0x98, 'cbw/cwde', '', D.cbw);
row(0x99, 'cwd/cdq', '', D.cwd);
row(0x9a, 'call', 'Ap', C.callAp);
row(0x9b, 'fwait', '', SYS.fwait);
row(0x9c, 'pushf', '', D.pushf);
row(0x9d, 'popf', '', D.popf);
row(0x9e, 'sahf', '', D.sahf);
row(0x9f, 'lahf', '', D.lahf);
row(0xa0, 'mov', 'al,Ob', D.movAlOb);
row(0xa1, 'mov', 'eAX,Ov', D.movEaxOv);
row(0xa2, 'mov', 'Ob,al', D.movObAl);
row(0xa3, 'mov', 'Ov,eAX', D.movOvEax);
row(0xa4, 'movsb', '', STR.movsb);
row(0xa5, 'movsv', '', STR.movsv);
row(0xa6, 'cmpsb', '', STR.cmpsb);
row(0xa7, 'cmpsv', '', STR.cmpsv);
row(0xa8, 'test', 'al,Ib', A.testAlIb);
row(0xa9, 'test', 'eAX,Iv', A.testEaxIv);
row(0xaa, 'stosb', '', STR.stosb);
row(0xab, 'stosv', '', STR.stosv);
row(0xac, 'lodsb', '', STR.lodsb);
row(0xad, 'lodsv', '', STR.lodsv);
row(0xae, 'scasb', '', STR.scasb);
row(0xaf, 'scasv', '', STR.scasv);
const SHIFT = ['rol', 'ror', 'rcl', 'rcr', 'shl', 'shr', 'sal', 'sar'] as const;
row(0xc0, SHIFT, 'Eb,Ib', SH.grp2EbIb);
row(0xc1, SHIFT, 'Ev,Ib', SH.grp2EvIb);
row(0xc2, 'ret', 'Iw', C.retIw);
row(0xc3, 'ret', '', C.ret);
row(0xc4, 'les', 'Gv,Mp', SYS.les);
row(0xc5, 'lds', 'Gv,Mp', SYS.lds);
row(0xc6, ['mov', '', '', '', '', '', '', ''], 'Eb,Ib', D.movEbIb);
row(0xc7, ['mov', '', '', '', '', '', '', ''], 'Ev,Iv', D.movEvIv);
row(0xc8, 'enter', 'Iw,Ib', ST.enter);
row(0xc9, 'leave', '', ST.leave);
row(0xca, 'retf', 'Iw', C.retfIw);
row(0xcb, 'retf', '', C.retf);
row(0xcc, 'int3', '', C.int3);
row(0xcd, 'int', 'Ib', C.intIb);
row(0xce, 'into', '', C.into);
row(0xcf, 'iret', '', C.iret);
row(0xd0, SHIFT, 'Eb,1', SH.grp2Eb1);
row(0xd1, SHIFT, 'Ev,1', SH.grp2Ev1);
row(0xd2, SHIFT, 'Eb,cl', SH.grp2EbCl);
row(0xd3, SHIFT, 'Ev,cl', SH.grp2EvCl);
row(0xd4, 'aam', 'Ib', B.aam);
row(0xd5, 'aad', 'Ib', B.aad);
row(0xd6, 'salc', '', D.salc);
row(0xd7, 'xlat', '', D.xlat);
for (let op = 0xd8; op <= 0xdf; op++) row(op, 'esc', 'E', SYS.makeFpuEscape(op));
row(0xe0, 'loopne', 'Jb', C.loopne);
row(0xe1, 'loope', 'Jb', C.loope);
row(0xe2, 'loop', 'Jb', C.loop);
row(0xe3, 'jcxz', 'Jb', C.jcxz);
row(0xe4, 'in', 'al,Ib', I.inAlIb);
row(0xe5, 'in', 'eAX,Ib', I.inEaxIb);
row(0xe6, 'out', 'Ib,al', I.outIbAl);
row(0xe7, 'out', 'Ib,eAX', I.outIbEax);
row(0xe8, 'call', 'Jv', C.callJz);
row(0xe9, 'jmp', 'Jv', C.jmpJz);
row(0xea, 'jmp', 'Ap', C.jmpAp);
row(0xeb, 'jmp', 'Jb', C.jmpJb);
row(0xec, 'in', 'al,dx', I.inAlDx);
row(0xed, 'in', 'eAX,dx', I.inEaxDx);
row(0xee, 'out', 'dx,al', I.outDxAl);
row(0xef, 'out', 'dx,eAX', I.outDxEax);
row(0xf1, 'int1', '', C.int1);
row(0xf4, 'hlt', '', C.hlt);
row(0xf5, 'cmc', '', D.cmc);
row(0xf6, ['test', 'test', 'not', 'neg', 'mul', 'imul', 'div', 'idiv'], ['Eb,Ib', 'Eb,Ib', 'Eb', 'Eb', 'Eb', 'Eb', 'Eb', 'Eb'], MD.grp3Eb, { lock: true });
row(0xf7, ['test', 'test', 'not', 'neg', 'mul', 'imul', 'div', 'idiv'], ['Ev,Iv', 'Ev,Iv', 'Ev', 'Ev', 'Ev', 'Ev', 'Ev', 'Ev'], MD.grp3Ev, { lock: true });
row(0xf8, 'clc', '', D.clc);
row(0xf9, 'stc', '', D.stc);
row(0xfa, 'cli', '', D.cli);
row(0xfb, 'sti', '', D.sti);
row(0xfc, 'cld', '', D.cld);
row(0xfd, 'std', '', D.std);
row(0xfe, ['inc', 'dec', '', '', '', '', '', ''], 'Eb', A.grp4, { lock: true });
row(0xff, ['inc', 'dec', 'call', 'callf', 'jmp', 'jmpf', 'push', ''], ['Ev', 'Ev', 'Ev', 'Mp', 'Ev', 'Mp', 'Ev', 'Ev'], grp5, { lock: true });

/** FF: INC/DEC Ev, CALL/JMP near and far indirect, PUSH Ev. */
function grp5(c: Cpu): void {
  c.decodeModrm();
  const op = c.regf;
  if (c.lock !== 0 && op > 1) c.ud();
  if (op === 0) {
    if (c.os32) c.writeEd(A.inc(c, c.readEd(), A.M32, A.S32)); else c.writeEw(A.inc(c, c.readEw(), A.M16, A.S16));
  } else if (op === 1) {
    if (c.os32) c.writeEd(A.dec(c, c.readEd(), A.M32, A.S32)); else c.writeEw(A.dec(c, c.readEw(), A.M16, A.S16));
  } else if (op === 7) {
    c.ud();
  } else {
    C.grp5Indirect(c, op);
  }
}

// ---- the 0F map ----

row(0x100, ['sldt', 'str', 'lldt', 'ltr', 'verr', 'verw', '', ''], 'Ew', SYS.grp6);
row(0x101, ['sgdt', 'sidt', 'lgdt', 'lidt', 'smsw', '', 'lmsw', 'invlpg'], ['M', 'M', 'M', 'M', 'Ew', '', 'Ew', 'M'], SYS.grp7);
row(0x102, 'lar', 'Gv,Ew', SYS.lar);
row(0x103, 'lsl', 'Gv,Ew', SYS.lsl);
row(0x106, 'clts', '', SYS.clts);
row(0x108, 'invd', '', SYS.invd);
row(0x109, 'wbinvd', '', SYS.invd);
row(0x10b, 'ud2', '', invalid, { kind: 'invalid' });
// 0F 18-1F: the P6 hint/multi-byte NOP space (NOP Ev).
for (let op = 0x118; op <= 0x11f; op++) row(op, 'nop', 'Ev', (c) => { c.decodeModrm(); });
row(0x120, 'mov', 'Rd,Cd', SYS.movRdCd, { modrm: true });
row(0x121, 'mov', 'Rd,Dd', SYS.movRdDd, { modrm: true });
row(0x122, 'mov', 'Cd,Rd', SYS.movCdRd, { modrm: true });
row(0x123, 'mov', 'Dd,Rd', SYS.movDdRd, { modrm: true });
row(0x130, 'wrmsr', '', SYS.wrmsr);
row(0x131, 'rdtsc', '', SYS.rdtsc);
row(0x132, 'rdmsr', '', SYS.rdmsr);
row(0x133, 'rdpmc', '', SYS.rdpmc);
row(0x134, 'sysenter', '', SYS.sysenter);
row(0x135, 'sysexit', '', SYS.sysexit);
row(0x1a0, 'push', 'fs', ST.makePushSeg(FS));
row(0x1a1, 'pop', 'fs', ST.makePopSeg(FS));
row(0x1a2, 'cpuid', '', SYS.cpuid);
row(0x1a3, 'bt', 'Ev,Gv', D.btEvGv0);
row(0x1a4, 'shld', 'Ev,Gv,Ib', SH.shldEvGvIb);
row(0x1a5, 'shld', 'Ev,Gv,cl', SH.shldEvGvCl);
row(0x1a8, 'push', 'gs', ST.makePushSeg(GS));
row(0x1a9, 'pop', 'gs', ST.makePopSeg(GS));
row(0x1ab, 'bts', 'Ev,Gv', D.btsEvGv, { lock: true });
row(0x1ac, 'shrd', 'Ev,Gv,Ib', SH.shrdEvGvIb);
row(0x1ad, 'shrd', 'Ev,Gv,cl', SH.shrdEvGvCl);
row(0x1af, 'imul', 'Gv,Ev', MD.imulGvEv);
row(0x1b0, 'cmpxchg', 'Eb,Gb', D.cmpxchgEbGb, { lock: true });
row(0x1b1, 'cmpxchg', 'Ev,Gv', D.cmpxchgEvGv, { lock: true });
row(0x1b2, 'lss', 'Gv,Mp', SYS.lss);
row(0x1b3, 'btr', 'Ev,Gv', D.btrEvGv, { lock: true });
row(0x1b4, 'lfs', 'Gv,Mp', SYS.lfs);
row(0x1b5, 'lgs', 'Gv,Mp', SYS.lgs);
row(0x1b6, 'movzx', 'Gv,Eb', D.movzxGvEb);
row(0x1b7, 'movzx', 'Gv,Ew', D.movzxGvEw);
row(0x1b9, 'ud1', '', invalid, { kind: 'invalid' });
row(0x1ba, ['', '', '', '', 'bt', 'bts', 'btr', 'btc'], 'Ev,Ib', D.grp8, { lock: true });
row(0x1bb, 'btc', 'Ev,Gv', D.btcEvGv, { lock: true });
row(0x1bc, 'bsf', 'Gv,Ev', D.bsfGvEv);
row(0x1bd, 'bsr', 'Gv,Ev', D.bsrGvEv);
row(0x1be, 'movsx', 'Gv,Eb', D.movsxGvEb);
row(0x1bf, 'movsx', 'Gv,Ew', D.movsxGvEw);
row(0x1c0, 'xadd', 'Eb,Gb', D.xaddEbGb, { lock: true });
row(0x1c1, 'xadd', 'Ev,Gv', D.xaddEvGv, { lock: true });
row(0x1c7, ['', 'cmpxchg8b', '', '', '', '', '', ''], 'M', D.grp9, { lock: true });
for (let r = 0; r < 8; r++) row(0x1c8 + r, 'bswap', 'Zd', D.bswap(r));
row(0x1ff, 'ud0', '', invalid, { kind: 'invalid' });

// Opcodes a P6-class CPU (with MMX/SSE, x87, SYSENTER, RDPMC) defines but we do not: fail stop.
const P6_UNIMPLEMENTED = [
  ...range(0x110, 0x117), ...range(0x128, 0x12f), 0x138, 0x13a,
  ...range(0x150, 0x17f), 0x1ae, ...range(0x1c2, 0x1c6), ...range(0x1d0, 0x1fe),
];
for (const op of P6_UNIMPLEMENTED) row(op, '(unimplemented)', '', unimplementedOp, { kind: 'unimplemented' });

function range(a: number, b: number): number[] {
  const out: number[] = [];
  for (let i = a; i <= b; i++) out.push(i);
  return out;
}

// ---- build ----

/** The dispatch array: every slot without a row raises #UD (architecturally invalid). */
export const OPS: Handler[] = new Array<Handler>(512).fill(invalid);
/** 1 where LOCK may precede the opcode. */
export const LOCKABLE = new Uint8Array(512);
/** Rows by opcode index, for the disassembler. */
export const ROW_BY_OP: (OpRow | undefined)[] = new Array<OpRow | undefined>(512).fill(undefined);

for (const r of ROWS) {
  OPS[r.op] = r.exec;
  LOCKABLE[r.op] = r.lockable ? 1 : 0;
  ROW_BY_OP[r.op] = r;
}

/** All rows (for tests and tools). */
export const OPCODE_ROWS: readonly OpRow[] = ROWS;
