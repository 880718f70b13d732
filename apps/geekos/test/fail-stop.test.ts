import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { geekos, tempDir } from './helpers.js';

const bundle = inject('bundle');

/** Run a hand-assembled flat guest (loaded at 0x7C00, real mode). */
async function runGuest(bytes: number[], ...args: string[]) {
  const dir = tempDir();
  const image = join(dir, 'guest.bin');
  writeFileSync(image, Uint8Array.from(bytes));
  return geekos(bundle, ['-kernel', image, '-clock', 'virtual', '-serial', 'null', ...args]);
}

/** The lines of `text` that contain every one of `parts`. */
const linesWith = (text: string, ...parts: (string | RegExp)[]): string[] =>
  text.split('\n').filter((line) => parts.every((p) => (typeof p === 'string' ? line.includes(p) : p.test(line))));

describe('fail stop, end to end', () => {
  it('an opcode @v3/x86 does not implement stops the VM, naming x86, the address and the bytes', async () => {
    // 0x7C00: cli; 0x7C01: mov ecx, 0x79; 0x7C07: wrmsr; hlt
    const r = await runGuest([0xfa, 0x66, 0xb9, 0x79, 0, 0, 0, ...UNIMPLEMENTED, 0xf4]);
    expect(r.code).toBe(1);
    const bytes = UNIMPLEMENTED.map((b) => b.toString(16).padStart(2, '0')).join(' ');
    // One message names the component, the guest address and the instruction bytes.
    expect(linesWith(r.stderr, '[x86]', /0x0*7c07\b/, bytes).length, r.stderr).toBe(1);
    expect(linesWith(r.stderr, 'x86').length, r.stderr).toBe(2); // that message and the end line
    expect(r.stderr).toMatch(/^geekos: fail stop in x86 /m);
  });

  it('in al, 0x99 (a port no device hooked) stops the VM, naming the port', async () => {
    const r = await runGuest([0xfa, 0xe4, 0x99, 0xf4]);
    expect(r.code).toBe(1);
    expect(linesWith(r.stderr, '[io]', /port=0x0*99\b/, 'rip=0x00007c01').length, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/^geekos: fail stop in io /m);
  });

  it('-unhooked-io float lets the guest read all ones from it, and -telemetry lists the port', async () => {
    // in al, 0x99; out 0xE9, al (the debug console shows what was read); cli; hlt
    const r = await runGuest([0xfa, 0xe4, 0x99, 0xe6, 0xe9, 0xb0, 0x0a, 0xe6, 0xe9, 0xf4], '-unhooked-io', 'float', '-telemetry');
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('BOCHS_CONSOLE> \xff');
    expect(r.stderr).toMatch(/unhooked ports floated: 0x99×1$/m);
  });

  it('out 0x99, al stops the VM too', async () => {
    const r = await runGuest([0xfa, 0xb0, 0x42, 0xe6, 0x99, 0xf4]);
    expect(r.code).toBe(1);
    expect(linesWith(r.stderr, '[io]', /port=0x0*99\b/, 'rip=0x00007c03').length, r.stderr).toBe(1);
  });

  it('cli; hlt: halted forever is an end of its own, reported as such, exit 0 (how a guest without ACPI powers off)', async () => {
    const r = await runGuest([0xfa, 0xf4]);
    expect(r.stderr).toMatch(/^geekos: the CPU halted with interrupts disabled/m);
    expect(r.code).toBe(0);
  });

  it('a triple fault with -no-reboot shuts the machine down, exit 3', async () => {
    // lidt [zero limit IDT]; int3 -> #GP -> #DF -> shutdown. IDT descriptor at 0x7C10: limit 0.
    const code = [0xfa, 0x0f, 0x01, 0x1e, 0x10, 0x7c, 0xcc, 0xf4];
    const r = await runGuest([...code, ...new Array(0x10 - code.length).fill(0x90), 0, 0, 0, 0, 0, 0], '-no-reboot');
    expect(r.stderr).toMatch(/^geekos: triple fault/m);
    expect(r.code).toBe(3);
  });
});

/**
 * An instruction the architecture defines and @v3/x86 does not implement: WRMSR to
 * IA32_BIOS_UPDT_TRIG (0x79) loads a microcode update, which no emulator performs. (An opcode a
 * P6 does not have, such as MOVBE, is not this case: it raises #UD in the guest.)
 */
const UNIMPLEMENTED = [0x0f, 0x30]; // wrmsr
