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
  // One call site per opcode, as in Cpu.runInner.
  const ops = OPS;
  switch (op) {
    case 0x00: ops[0x00](c); break;
    case 0x01: ops[0x01](c); break;
    case 0x02: ops[0x02](c); break;
    case 0x03: ops[0x03](c); break;
    case 0x04: ops[0x04](c); break;
    case 0x05: ops[0x05](c); break;
    case 0x06: ops[0x06](c); break;
    case 0x07: ops[0x07](c); break;
    case 0x08: ops[0x08](c); break;
    case 0x09: ops[0x09](c); break;
    case 0x0a: ops[0x0a](c); break;
    case 0x0b: ops[0x0b](c); break;
    case 0x0c: ops[0x0c](c); break;
    case 0x0d: ops[0x0d](c); break;
    case 0x0e: ops[0x0e](c); break;
    case 0x0f: ops[0x0f](c); break;
    case 0x10: ops[0x10](c); break;
    case 0x11: ops[0x11](c); break;
    case 0x12: ops[0x12](c); break;
    case 0x13: ops[0x13](c); break;
    case 0x14: ops[0x14](c); break;
    case 0x15: ops[0x15](c); break;
    case 0x16: ops[0x16](c); break;
    case 0x17: ops[0x17](c); break;
    case 0x18: ops[0x18](c); break;
    case 0x19: ops[0x19](c); break;
    case 0x1a: ops[0x1a](c); break;
    case 0x1b: ops[0x1b](c); break;
    case 0x1c: ops[0x1c](c); break;
    case 0x1d: ops[0x1d](c); break;
    case 0x1e: ops[0x1e](c); break;
    case 0x1f: ops[0x1f](c); break;
    case 0x20: ops[0x20](c); break;
    case 0x21: ops[0x21](c); break;
    case 0x22: ops[0x22](c); break;
    case 0x23: ops[0x23](c); break;
    case 0x24: ops[0x24](c); break;
    case 0x25: ops[0x25](c); break;
    case 0x26: ops[0x26](c); break;
    case 0x27: ops[0x27](c); break;
    case 0x28: ops[0x28](c); break;
    case 0x29: ops[0x29](c); break;
    case 0x2a: ops[0x2a](c); break;
    case 0x2b: ops[0x2b](c); break;
    case 0x2c: ops[0x2c](c); break;
    case 0x2d: ops[0x2d](c); break;
    case 0x2e: ops[0x2e](c); break;
    case 0x2f: ops[0x2f](c); break;
    case 0x30: ops[0x30](c); break;
    case 0x31: ops[0x31](c); break;
    case 0x32: ops[0x32](c); break;
    case 0x33: ops[0x33](c); break;
    case 0x34: ops[0x34](c); break;
    case 0x35: ops[0x35](c); break;
    case 0x36: ops[0x36](c); break;
    case 0x37: ops[0x37](c); break;
    case 0x38: ops[0x38](c); break;
    case 0x39: ops[0x39](c); break;
    case 0x3a: ops[0x3a](c); break;
    case 0x3b: ops[0x3b](c); break;
    case 0x3c: ops[0x3c](c); break;
    case 0x3d: ops[0x3d](c); break;
    case 0x3e: ops[0x3e](c); break;
    case 0x3f: ops[0x3f](c); break;
    case 0x40: ops[0x40](c); break;
    case 0x41: ops[0x41](c); break;
    case 0x42: ops[0x42](c); break;
    case 0x43: ops[0x43](c); break;
    case 0x44: ops[0x44](c); break;
    case 0x45: ops[0x45](c); break;
    case 0x46: ops[0x46](c); break;
    case 0x47: ops[0x47](c); break;
    case 0x48: ops[0x48](c); break;
    case 0x49: ops[0x49](c); break;
    case 0x4a: ops[0x4a](c); break;
    case 0x4b: ops[0x4b](c); break;
    case 0x4c: ops[0x4c](c); break;
    case 0x4d: ops[0x4d](c); break;
    case 0x4e: ops[0x4e](c); break;
    case 0x4f: ops[0x4f](c); break;
    case 0x50: ops[0x50](c); break;
    case 0x51: ops[0x51](c); break;
    case 0x52: ops[0x52](c); break;
    case 0x53: ops[0x53](c); break;
    case 0x54: ops[0x54](c); break;
    case 0x55: ops[0x55](c); break;
    case 0x56: ops[0x56](c); break;
    case 0x57: ops[0x57](c); break;
    case 0x58: ops[0x58](c); break;
    case 0x59: ops[0x59](c); break;
    case 0x5a: ops[0x5a](c); break;
    case 0x5b: ops[0x5b](c); break;
    case 0x5c: ops[0x5c](c); break;
    case 0x5d: ops[0x5d](c); break;
    case 0x5e: ops[0x5e](c); break;
    case 0x5f: ops[0x5f](c); break;
    case 0x60: ops[0x60](c); break;
    case 0x61: ops[0x61](c); break;
    case 0x62: ops[0x62](c); break;
    case 0x63: ops[0x63](c); break;
    case 0x64: ops[0x64](c); break;
    case 0x65: ops[0x65](c); break;
    case 0x66: ops[0x66](c); break;
    case 0x67: ops[0x67](c); break;
    case 0x68: ops[0x68](c); break;
    case 0x69: ops[0x69](c); break;
    case 0x6a: ops[0x6a](c); break;
    case 0x6b: ops[0x6b](c); break;
    case 0x6c: ops[0x6c](c); break;
    case 0x6d: ops[0x6d](c); break;
    case 0x6e: ops[0x6e](c); break;
    case 0x6f: ops[0x6f](c); break;
    case 0x70: ops[0x70](c); break;
    case 0x71: ops[0x71](c); break;
    case 0x72: ops[0x72](c); break;
    case 0x73: ops[0x73](c); break;
    case 0x74: ops[0x74](c); break;
    case 0x75: ops[0x75](c); break;
    case 0x76: ops[0x76](c); break;
    case 0x77: ops[0x77](c); break;
    case 0x78: ops[0x78](c); break;
    case 0x79: ops[0x79](c); break;
    case 0x7a: ops[0x7a](c); break;
    case 0x7b: ops[0x7b](c); break;
    case 0x7c: ops[0x7c](c); break;
    case 0x7d: ops[0x7d](c); break;
    case 0x7e: ops[0x7e](c); break;
    case 0x7f: ops[0x7f](c); break;
    case 0x80: ops[0x80](c); break;
    case 0x81: ops[0x81](c); break;
    case 0x82: ops[0x82](c); break;
    case 0x83: ops[0x83](c); break;
    case 0x84: ops[0x84](c); break;
    case 0x85: ops[0x85](c); break;
    case 0x86: ops[0x86](c); break;
    case 0x87: ops[0x87](c); break;
    case 0x88: ops[0x88](c); break;
    case 0x89: ops[0x89](c); break;
    case 0x8a: ops[0x8a](c); break;
    case 0x8b: ops[0x8b](c); break;
    case 0x8c: ops[0x8c](c); break;
    case 0x8d: ops[0x8d](c); break;
    case 0x8e: ops[0x8e](c); break;
    case 0x8f: ops[0x8f](c); break;
    case 0x90: ops[0x90](c); break;
    case 0x91: ops[0x91](c); break;
    case 0x92: ops[0x92](c); break;
    case 0x93: ops[0x93](c); break;
    case 0x94: ops[0x94](c); break;
    case 0x95: ops[0x95](c); break;
    case 0x96: ops[0x96](c); break;
    case 0x97: ops[0x97](c); break;
    case 0x98: ops[0x98](c); break;
    case 0x99: ops[0x99](c); break;
    case 0x9a: ops[0x9a](c); break;
    case 0x9b: ops[0x9b](c); break;
    case 0x9c: ops[0x9c](c); break;
    case 0x9d: ops[0x9d](c); break;
    case 0x9e: ops[0x9e](c); break;
    case 0x9f: ops[0x9f](c); break;
    case 0xa0: ops[0xa0](c); break;
    case 0xa1: ops[0xa1](c); break;
    case 0xa2: ops[0xa2](c); break;
    case 0xa3: ops[0xa3](c); break;
    case 0xa4: ops[0xa4](c); break;
    case 0xa5: ops[0xa5](c); break;
    case 0xa6: ops[0xa6](c); break;
    case 0xa7: ops[0xa7](c); break;
    case 0xa8: ops[0xa8](c); break;
    case 0xa9: ops[0xa9](c); break;
    case 0xaa: ops[0xaa](c); break;
    case 0xab: ops[0xab](c); break;
    case 0xac: ops[0xac](c); break;
    case 0xad: ops[0xad](c); break;
    case 0xae: ops[0xae](c); break;
    case 0xaf: ops[0xaf](c); break;
    case 0xb0: ops[0xb0](c); break;
    case 0xb1: ops[0xb1](c); break;
    case 0xb2: ops[0xb2](c); break;
    case 0xb3: ops[0xb3](c); break;
    case 0xb4: ops[0xb4](c); break;
    case 0xb5: ops[0xb5](c); break;
    case 0xb6: ops[0xb6](c); break;
    case 0xb7: ops[0xb7](c); break;
    case 0xb8: ops[0xb8](c); break;
    case 0xb9: ops[0xb9](c); break;
    case 0xba: ops[0xba](c); break;
    case 0xbb: ops[0xbb](c); break;
    case 0xbc: ops[0xbc](c); break;
    case 0xbd: ops[0xbd](c); break;
    case 0xbe: ops[0xbe](c); break;
    case 0xbf: ops[0xbf](c); break;
    case 0xc0: ops[0xc0](c); break;
    case 0xc1: ops[0xc1](c); break;
    case 0xc2: ops[0xc2](c); break;
    case 0xc3: ops[0xc3](c); break;
    case 0xc4: ops[0xc4](c); break;
    case 0xc5: ops[0xc5](c); break;
    case 0xc6: ops[0xc6](c); break;
    case 0xc7: ops[0xc7](c); break;
    case 0xc8: ops[0xc8](c); break;
    case 0xc9: ops[0xc9](c); break;
    case 0xca: ops[0xca](c); break;
    case 0xcb: ops[0xcb](c); break;
    case 0xcc: ops[0xcc](c); break;
    case 0xcd: ops[0xcd](c); break;
    case 0xce: ops[0xce](c); break;
    case 0xcf: ops[0xcf](c); break;
    case 0xd0: ops[0xd0](c); break;
    case 0xd1: ops[0xd1](c); break;
    case 0xd2: ops[0xd2](c); break;
    case 0xd3: ops[0xd3](c); break;
    case 0xd4: ops[0xd4](c); break;
    case 0xd5: ops[0xd5](c); break;
    case 0xd6: ops[0xd6](c); break;
    case 0xd7: ops[0xd7](c); break;
    case 0xd8: ops[0xd8](c); break;
    case 0xd9: ops[0xd9](c); break;
    case 0xda: ops[0xda](c); break;
    case 0xdb: ops[0xdb](c); break;
    case 0xdc: ops[0xdc](c); break;
    case 0xdd: ops[0xdd](c); break;
    case 0xde: ops[0xde](c); break;
    case 0xdf: ops[0xdf](c); break;
    case 0xe0: ops[0xe0](c); break;
    case 0xe1: ops[0xe1](c); break;
    case 0xe2: ops[0xe2](c); break;
    case 0xe3: ops[0xe3](c); break;
    case 0xe4: ops[0xe4](c); break;
    case 0xe5: ops[0xe5](c); break;
    case 0xe6: ops[0xe6](c); break;
    case 0xe7: ops[0xe7](c); break;
    case 0xe8: ops[0xe8](c); break;
    case 0xe9: ops[0xe9](c); break;
    case 0xea: ops[0xea](c); break;
    case 0xeb: ops[0xeb](c); break;
    case 0xec: ops[0xec](c); break;
    case 0xed: ops[0xed](c); break;
    case 0xee: ops[0xee](c); break;
    case 0xef: ops[0xef](c); break;
    case 0xf0: ops[0xf0](c); break;
    case 0xf1: ops[0xf1](c); break;
    case 0xf2: ops[0xf2](c); break;
    case 0xf3: ops[0xf3](c); break;
    case 0xf4: ops[0xf4](c); break;
    case 0xf5: ops[0xf5](c); break;
    case 0xf6: ops[0xf6](c); break;
    case 0xf7: ops[0xf7](c); break;
    case 0xf8: ops[0xf8](c); break;
    case 0xf9: ops[0xf9](c); break;
    case 0xfa: ops[0xfa](c); break;
    case 0xfb: ops[0xfb](c); break;
    case 0xfc: ops[0xfc](c); break;
    case 0xfd: ops[0xfd](c); break;
    case 0xfe: ops[0xfe](c); break;
    case 0xff: ops[0xff](c); break;
  }
}

function segPrefix(s: number): Handler {
  return (c) => { c.segOvr = s; next(c); };
}

function opsize(c: Cpu): void { c.os32 = !c.cs32; next(c); }
function addrsize(c: Cpu): void { c.as32 = !c.cs32; next(c); }
function lockPrefix(c: Cpu): void { c.lock = 1; next(c); }
function repne(c: Cpu): void { c.rep = 2; next(c); }
function repe(c: Cpu): void { c.rep = 1; next(c); }

/** 0F: the second opcode byte, dispatched through one call site per opcode (see Cpu.runInner). */
function twoByte(c: Cpu): void {
  const b = c.fetch8();
  if (c.lock !== 0 && LOCKABLE[0x100 | b] === 0) c.ud();
  const ops = OPS;
  switch (b) {
    case 0x00: ops[0x100](c); break;
    case 0x01: ops[0x101](c); break;
    case 0x02: ops[0x102](c); break;
    case 0x03: ops[0x103](c); break;
    case 0x04: ops[0x104](c); break;
    case 0x05: ops[0x105](c); break;
    case 0x06: ops[0x106](c); break;
    case 0x07: ops[0x107](c); break;
    case 0x08: ops[0x108](c); break;
    case 0x09: ops[0x109](c); break;
    case 0x0a: ops[0x10a](c); break;
    case 0x0b: ops[0x10b](c); break;
    case 0x0c: ops[0x10c](c); break;
    case 0x0d: ops[0x10d](c); break;
    case 0x0e: ops[0x10e](c); break;
    case 0x0f: ops[0x10f](c); break;
    case 0x10: ops[0x110](c); break;
    case 0x11: ops[0x111](c); break;
    case 0x12: ops[0x112](c); break;
    case 0x13: ops[0x113](c); break;
    case 0x14: ops[0x114](c); break;
    case 0x15: ops[0x115](c); break;
    case 0x16: ops[0x116](c); break;
    case 0x17: ops[0x117](c); break;
    case 0x18: ops[0x118](c); break;
    case 0x19: ops[0x119](c); break;
    case 0x1a: ops[0x11a](c); break;
    case 0x1b: ops[0x11b](c); break;
    case 0x1c: ops[0x11c](c); break;
    case 0x1d: ops[0x11d](c); break;
    case 0x1e: ops[0x11e](c); break;
    case 0x1f: ops[0x11f](c); break;
    case 0x20: ops[0x120](c); break;
    case 0x21: ops[0x121](c); break;
    case 0x22: ops[0x122](c); break;
    case 0x23: ops[0x123](c); break;
    case 0x24: ops[0x124](c); break;
    case 0x25: ops[0x125](c); break;
    case 0x26: ops[0x126](c); break;
    case 0x27: ops[0x127](c); break;
    case 0x28: ops[0x128](c); break;
    case 0x29: ops[0x129](c); break;
    case 0x2a: ops[0x12a](c); break;
    case 0x2b: ops[0x12b](c); break;
    case 0x2c: ops[0x12c](c); break;
    case 0x2d: ops[0x12d](c); break;
    case 0x2e: ops[0x12e](c); break;
    case 0x2f: ops[0x12f](c); break;
    case 0x30: ops[0x130](c); break;
    case 0x31: ops[0x131](c); break;
    case 0x32: ops[0x132](c); break;
    case 0x33: ops[0x133](c); break;
    case 0x34: ops[0x134](c); break;
    case 0x35: ops[0x135](c); break;
    case 0x36: ops[0x136](c); break;
    case 0x37: ops[0x137](c); break;
    case 0x38: ops[0x138](c); break;
    case 0x39: ops[0x139](c); break;
    case 0x3a: ops[0x13a](c); break;
    case 0x3b: ops[0x13b](c); break;
    case 0x3c: ops[0x13c](c); break;
    case 0x3d: ops[0x13d](c); break;
    case 0x3e: ops[0x13e](c); break;
    case 0x3f: ops[0x13f](c); break;
    case 0x40: ops[0x140](c); break;
    case 0x41: ops[0x141](c); break;
    case 0x42: ops[0x142](c); break;
    case 0x43: ops[0x143](c); break;
    case 0x44: ops[0x144](c); break;
    case 0x45: ops[0x145](c); break;
    case 0x46: ops[0x146](c); break;
    case 0x47: ops[0x147](c); break;
    case 0x48: ops[0x148](c); break;
    case 0x49: ops[0x149](c); break;
    case 0x4a: ops[0x14a](c); break;
    case 0x4b: ops[0x14b](c); break;
    case 0x4c: ops[0x14c](c); break;
    case 0x4d: ops[0x14d](c); break;
    case 0x4e: ops[0x14e](c); break;
    case 0x4f: ops[0x14f](c); break;
    case 0x50: ops[0x150](c); break;
    case 0x51: ops[0x151](c); break;
    case 0x52: ops[0x152](c); break;
    case 0x53: ops[0x153](c); break;
    case 0x54: ops[0x154](c); break;
    case 0x55: ops[0x155](c); break;
    case 0x56: ops[0x156](c); break;
    case 0x57: ops[0x157](c); break;
    case 0x58: ops[0x158](c); break;
    case 0x59: ops[0x159](c); break;
    case 0x5a: ops[0x15a](c); break;
    case 0x5b: ops[0x15b](c); break;
    case 0x5c: ops[0x15c](c); break;
    case 0x5d: ops[0x15d](c); break;
    case 0x5e: ops[0x15e](c); break;
    case 0x5f: ops[0x15f](c); break;
    case 0x60: ops[0x160](c); break;
    case 0x61: ops[0x161](c); break;
    case 0x62: ops[0x162](c); break;
    case 0x63: ops[0x163](c); break;
    case 0x64: ops[0x164](c); break;
    case 0x65: ops[0x165](c); break;
    case 0x66: ops[0x166](c); break;
    case 0x67: ops[0x167](c); break;
    case 0x68: ops[0x168](c); break;
    case 0x69: ops[0x169](c); break;
    case 0x6a: ops[0x16a](c); break;
    case 0x6b: ops[0x16b](c); break;
    case 0x6c: ops[0x16c](c); break;
    case 0x6d: ops[0x16d](c); break;
    case 0x6e: ops[0x16e](c); break;
    case 0x6f: ops[0x16f](c); break;
    case 0x70: ops[0x170](c); break;
    case 0x71: ops[0x171](c); break;
    case 0x72: ops[0x172](c); break;
    case 0x73: ops[0x173](c); break;
    case 0x74: ops[0x174](c); break;
    case 0x75: ops[0x175](c); break;
    case 0x76: ops[0x176](c); break;
    case 0x77: ops[0x177](c); break;
    case 0x78: ops[0x178](c); break;
    case 0x79: ops[0x179](c); break;
    case 0x7a: ops[0x17a](c); break;
    case 0x7b: ops[0x17b](c); break;
    case 0x7c: ops[0x17c](c); break;
    case 0x7d: ops[0x17d](c); break;
    case 0x7e: ops[0x17e](c); break;
    case 0x7f: ops[0x17f](c); break;
    case 0x80: ops[0x180](c); break;
    case 0x81: ops[0x181](c); break;
    case 0x82: ops[0x182](c); break;
    case 0x83: ops[0x183](c); break;
    case 0x84: ops[0x184](c); break;
    case 0x85: ops[0x185](c); break;
    case 0x86: ops[0x186](c); break;
    case 0x87: ops[0x187](c); break;
    case 0x88: ops[0x188](c); break;
    case 0x89: ops[0x189](c); break;
    case 0x8a: ops[0x18a](c); break;
    case 0x8b: ops[0x18b](c); break;
    case 0x8c: ops[0x18c](c); break;
    case 0x8d: ops[0x18d](c); break;
    case 0x8e: ops[0x18e](c); break;
    case 0x8f: ops[0x18f](c); break;
    case 0x90: ops[0x190](c); break;
    case 0x91: ops[0x191](c); break;
    case 0x92: ops[0x192](c); break;
    case 0x93: ops[0x193](c); break;
    case 0x94: ops[0x194](c); break;
    case 0x95: ops[0x195](c); break;
    case 0x96: ops[0x196](c); break;
    case 0x97: ops[0x197](c); break;
    case 0x98: ops[0x198](c); break;
    case 0x99: ops[0x199](c); break;
    case 0x9a: ops[0x19a](c); break;
    case 0x9b: ops[0x19b](c); break;
    case 0x9c: ops[0x19c](c); break;
    case 0x9d: ops[0x19d](c); break;
    case 0x9e: ops[0x19e](c); break;
    case 0x9f: ops[0x19f](c); break;
    case 0xa0: ops[0x1a0](c); break;
    case 0xa1: ops[0x1a1](c); break;
    case 0xa2: ops[0x1a2](c); break;
    case 0xa3: ops[0x1a3](c); break;
    case 0xa4: ops[0x1a4](c); break;
    case 0xa5: ops[0x1a5](c); break;
    case 0xa6: ops[0x1a6](c); break;
    case 0xa7: ops[0x1a7](c); break;
    case 0xa8: ops[0x1a8](c); break;
    case 0xa9: ops[0x1a9](c); break;
    case 0xaa: ops[0x1aa](c); break;
    case 0xab: ops[0x1ab](c); break;
    case 0xac: ops[0x1ac](c); break;
    case 0xad: ops[0x1ad](c); break;
    case 0xae: ops[0x1ae](c); break;
    case 0xaf: ops[0x1af](c); break;
    case 0xb0: ops[0x1b0](c); break;
    case 0xb1: ops[0x1b1](c); break;
    case 0xb2: ops[0x1b2](c); break;
    case 0xb3: ops[0x1b3](c); break;
    case 0xb4: ops[0x1b4](c); break;
    case 0xb5: ops[0x1b5](c); break;
    case 0xb6: ops[0x1b6](c); break;
    case 0xb7: ops[0x1b7](c); break;
    case 0xb8: ops[0x1b8](c); break;
    case 0xb9: ops[0x1b9](c); break;
    case 0xba: ops[0x1ba](c); break;
    case 0xbb: ops[0x1bb](c); break;
    case 0xbc: ops[0x1bc](c); break;
    case 0xbd: ops[0x1bd](c); break;
    case 0xbe: ops[0x1be](c); break;
    case 0xbf: ops[0x1bf](c); break;
    case 0xc0: ops[0x1c0](c); break;
    case 0xc1: ops[0x1c1](c); break;
    case 0xc2: ops[0x1c2](c); break;
    case 0xc3: ops[0x1c3](c); break;
    case 0xc4: ops[0x1c4](c); break;
    case 0xc5: ops[0x1c5](c); break;
    case 0xc6: ops[0x1c6](c); break;
    case 0xc7: ops[0x1c7](c); break;
    case 0xc8: ops[0x1c8](c); break;
    case 0xc9: ops[0x1c9](c); break;
    case 0xca: ops[0x1ca](c); break;
    case 0xcb: ops[0x1cb](c); break;
    case 0xcc: ops[0x1cc](c); break;
    case 0xcd: ops[0x1cd](c); break;
    case 0xce: ops[0x1ce](c); break;
    case 0xcf: ops[0x1cf](c); break;
    case 0xd0: ops[0x1d0](c); break;
    case 0xd1: ops[0x1d1](c); break;
    case 0xd2: ops[0x1d2](c); break;
    case 0xd3: ops[0x1d3](c); break;
    case 0xd4: ops[0x1d4](c); break;
    case 0xd5: ops[0x1d5](c); break;
    case 0xd6: ops[0x1d6](c); break;
    case 0xd7: ops[0x1d7](c); break;
    case 0xd8: ops[0x1d8](c); break;
    case 0xd9: ops[0x1d9](c); break;
    case 0xda: ops[0x1da](c); break;
    case 0xdb: ops[0x1db](c); break;
    case 0xdc: ops[0x1dc](c); break;
    case 0xdd: ops[0x1dd](c); break;
    case 0xde: ops[0x1de](c); break;
    case 0xdf: ops[0x1df](c); break;
    case 0xe0: ops[0x1e0](c); break;
    case 0xe1: ops[0x1e1](c); break;
    case 0xe2: ops[0x1e2](c); break;
    case 0xe3: ops[0x1e3](c); break;
    case 0xe4: ops[0x1e4](c); break;
    case 0xe5: ops[0x1e5](c); break;
    case 0xe6: ops[0x1e6](c); break;
    case 0xe7: ops[0x1e7](c); break;
    case 0xe8: ops[0x1e8](c); break;
    case 0xe9: ops[0x1e9](c); break;
    case 0xea: ops[0x1ea](c); break;
    case 0xeb: ops[0x1eb](c); break;
    case 0xec: ops[0x1ec](c); break;
    case 0xed: ops[0x1ed](c); break;
    case 0xee: ops[0x1ee](c); break;
    case 0xef: ops[0x1ef](c); break;
    case 0xf0: ops[0x1f0](c); break;
    case 0xf1: ops[0x1f1](c); break;
    case 0xf2: ops[0x1f2](c); break;
    case 0xf3: ops[0x1f3](c); break;
    case 0xf4: ops[0x1f4](c); break;
    case 0xf5: ops[0x1f5](c); break;
    case 0xf6: ops[0x1f6](c); break;
    case 0xf7: ops[0x1f7](c); break;
    case 0xf8: ops[0x1f8](c); break;
    case 0xf9: ops[0x1f9](c); break;
    case 0xfa: ops[0x1fa](c); break;
    case 0xfb: ops[0x1fb](c); break;
    case 0xfc: ops[0x1fc](c); break;
    case 0xfd: ops[0x1fd](c); break;
    case 0xfe: ops[0x1fe](c); break;
    case 0xff: ops[0x1ff](c); break;
  }
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
