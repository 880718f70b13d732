import { describe, expect, it } from 'vitest';
import { createTestHost } from '@v3/device-testkit';
import { i8254 } from './index.js';

/**
 * Linux's quick_pit_calibrate (arch/x86/kernel/tsc.c), replayed against the 8254 on a CPU that
 * retires one instruction every 10 ns and whose TSC counts instructions, as v3's virtual clock
 * does: counter 2 in mode 0 from 0xFFFF with GATE2 high, the MSB polled while the TSC runs, each
 * MSB step timed. An IN takes one instruction here, far less than the 838 ns of one CLK.
 */
describe('8254 counter 2 under a TSC calibration loop', () => {
  it('shows the new count right after it is written and lets the fast calibration succeed within 500 ppm', () => {
    const vm = createTestHost();
    vm.attach(i8254, { id: 'pit' });
    const NS_PER_INSN = 10;
    let tsc = 0;
    const run = (insns: number): void => {
      tsc += insns;
      vm.clock.step(insns * NS_PER_INSN);
    };
    const inb = (port: number): number => {
      run(1);
      return vm.inb(port);
    };
    const outb = (port: number, value: number): void => {
      run(1);
      vm.outb(port, value);
    };
    const rdtsc = (): number => {
      run(1);
      return tsc;
    };
    // pit_verify_msb: the LSB is ignored, the MSB compared.
    const verifyMsb = (val: number): boolean => {
      inb(0x42);
      return inb(0x42) === val;
    };
    // pit_expect_msb: how long the MSB stays at `val`, and the TSC when it was last seen there.
    const expectMsb = (val: number): { ok: boolean; tsc: number; delta: number } => {
      let count = 0;
      let t = 0;
      let prev = 0;
      for (; count < 50000; count++) {
        if (!verifyMsb(val)) break;
        prev = t;
        t = rdtsc();
      }
      return { ok: count > 5, tsc: t, delta: rdtsc() - prev };
    };

    outb(0x61, (inb(0x61) & ~0x02) | 0x01); // GATE2 high, speaker off
    outb(0x43, 0xb0); // counter 2, LSB then MSB, mode 0, binary
    outb(0x42, 0xff);
    outb(0x42, 0xff);
    // The CE is undefined until the next CLK loads it; it shows the count being loaded.
    expect(verifyMsb(0xff)).toBe(true);

    const first = expectMsb(0xff);
    expect(first.ok).toBe(true);
    let khz = 0;
    const MAX_ITERATIONS = Math.floor((50 * 1193182) / 1000 / 256);
    for (let i = 1; i <= MAX_ITERATIONS; i++) {
      const r = expectMsb(0xff - i);
      expect(r.ok).toBe(true);
      const delta = r.tsc - first.tsc;
      if (i === 1) expect(first.delta + r.delta).toBeLessThan((delta * MAX_ITERATIONS) / 2048);
      if (first.delta + r.delta >= delta / 2048) continue; // error still above 500 ppm
      expect(verifyMsb(0xfe - i)).toBe(true);
      // tsc.c: delta * PIT_TICK_RATE / (i * 256 * 1000)
      khz = (delta * 1193182) / (i * 256 * 1000);
      break;
    }
    // 10 ns per instruction: a 100 MHz TSC.
    expect(Math.abs(khz - 100_000) / 100_000).toBeLessThan(500e-6);
  });
});
