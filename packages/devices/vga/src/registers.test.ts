import { describe, expect, it } from 'vitest';
import { V3Error } from '@v3/device-api';
import { createTestHost, type TestHost } from '@v3/device-testkit';
import { vga, type VgaConfig } from './index.js';

function vm(cfg: Omit<VgaConfig, 'class' | 'id'> = {}): TestHost {
  const host = createTestHost();
  host.attach(vga, { id: 'vga', ...cfg });
  return host;
}

/** `f` fails stop with a V3Error naming the VGA whose message matches `re`. */
function expectStop(f: () => unknown, re: RegExp): void {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(V3Error);
    expect((e as V3Error).detail.component).toBe('vga');
    expect((e as V3Error).message).toMatch(re);
    return;
  }
  throw new Error('expected a fail stop');
}

const colour = (h: TestHost): void => h.outb(0x3c2, 0x67);

describe('Miscellaneous Output', () => {
  it('writes at 0x3C2 and reads back at 0x3CC', () => {
    const h = vm();
    h.outb(0x3c2, 0xe3);
    expect(h.inb(0x3cc)).toBe(0xe3);
    h.outb(0x3c2, 0x66);
    expect(h.inb(0x3cc)).toBe(0x66);
  });

  it('moves the CRTC and Input Status 1 between 0x3Bx and 0x3Dx with the I/O address select bit', () => {
    const h = vm();
    colour(h);
    h.outb(0x3d4, 0x0e);
    h.outb(0x3d5, 0x12);
    expect(h.inb(0x3d4)).toBe(0x0e);
    expect(h.inb(0x3d5)).toBe(0x12);
    // The mono set is not decoded: reads float, writes vanish.
    expect(h.inb(0x3b4)).toBe(0xff);
    expect(h.inb(0x3b5)).toBe(0xff);
    expect(h.inb(0x3ba)).toBe(0xff);
    h.outb(0x3b4, 0x0f);
    h.outb(0x3b5, 0x99);
    expect(h.inb(0x3d4)).toBe(0x0e);
    h.outb(0x3c2, 0x66);
    expect(h.inb(0x3b4)).toBe(0x0e);
    expect(h.inb(0x3b5)).toBe(0x12);
    expect(h.inb(0x3d5)).toBe(0xff);
    h.outb(0x3b5, 0x34);
    colour(h);
    expect(h.inb(0x3d5)).toBe(0x34);
  });

  it('refuses the external dot clocks', () => {
    const h = vm();
    expectStop(() => h.outb(0x3c2, 0x6b), /external dot clock/);
  });

  it('Input Status 0 reads at 0x3C2 with no interrupt and switch sense low', () => {
    expect(vm().inb(0x3c2)).toBe(0x00);
  });
});

describe('Sequencer', () => {
  it('round-trips its five registers and reads its 3-bit index back', () => {
    const h = vm();
    const values = [0x03, 0x21, 0x0f, 0x05, 0x0e];
    values.forEach((v, i) => {
      h.outb(0x3c4, i);
      h.outb(0x3c5, v);
    });
    values.forEach((v, i) => {
      h.outb(0x3c4, i);
      expect(h.inb(0x3c4)).toBe(i);
      expect(h.inb(0x3c5)).toBe(v);
    });
    h.outb(0x3c4, 0xfa);
    expect(h.inb(0x3c4)).toBe(0x02);
    expect(h.inb(0x3c5)).toBe(0x0f);
  });

  it('takes index and data in one 16-bit OUT', () => {
    const h = vm();
    h.outw(0x3c4, 0x0f02);
    h.outb(0x3c4, 2);
    expect(h.inb(0x3c5)).toBe(0x0f);
  });

  it('fails stop on a register the VGA does not have', () => {
    const h = vm();
    h.outb(0x3c4, 5);
    expectStop(() => h.inb(0x3c5), /Sequencer register 0x05/);
    expectStop(() => h.outb(0x3c5, 1), /Sequencer register 0x05/);
  });
});

describe('CRTC', () => {
  it('round-trips its 25 registers', () => {
    const h = vm();
    colour(h);
    for (let i = 0; i < 25; i++) {
      h.outb(0x3d4, i);
      h.outb(0x3d5, (i * 37 + 5) & 0x7f);
    }
    for (let i = 0; i < 25; i++) {
      h.outb(0x3d4, i);
      expect(h.inb(0x3d5)).toBe((i * 37 + 5) & 0x7f);
    }
    h.outb(0x3d4, 0x19);
    expectStop(() => h.inb(0x3d5), /CRTC register 0x19/);
  });

  it('write-protects registers 0-7 with CR11 bit 7, except the line compare bit 8 of CR07', () => {
    const h = vm();
    colour(h);
    for (let i = 0; i < 8; i++) {
      h.outb(0x3d4, i);
      h.outb(0x3d5, 0x40 + i);
    }
    h.outw(0x3d4, 0x8011); // CR11 = 0x80: protect on
    for (let i = 0; i < 8; i++) {
      h.outb(0x3d4, i);
      h.outb(0x3d5, 0xff);
    }
    for (let i = 0; i < 7; i++) {
      h.outb(0x3d4, i);
      expect(h.inb(0x3d5)).toBe(0x40 + i);
    }
    h.outb(0x3d4, 7);
    expect(h.inb(0x3d5)).toBe(0x47 | 0x10);
    // Registers past 7 are not protected.
    h.outw(0x3d4, 0x5508);
    h.outb(0x3d4, 8);
    expect(h.inb(0x3d5)).toBe(0x55);
    h.outw(0x3d4, 0x0011); // protect off
    h.outw(0x3d4, 0x9900);
    h.outb(0x3d4, 0);
    expect(h.inb(0x3d5)).toBe(0x99);
  });
});

describe('Graphics Controller', () => {
  it('round-trips its nine registers and refuses register 9', () => {
    const h = vm();
    for (let i = 0; i < 9; i++) h.outw(0x3ce, (((i * 29 + 3) & 0xff) << 8) | i);
    for (let i = 0; i < 9; i++) {
      h.outb(0x3ce, i);
      expect(h.inb(0x3ce)).toBe(i);
      expect(h.inb(0x3cf)).toBe((i * 29 + 3) & 0xff);
    }
    h.outb(0x3ce, 9);
    expectStop(() => h.outb(0x3cf, 0), /Graphics Controller register 0x09/);
  });
});

describe('Attribute Controller', () => {
  it('alternates index and data on 0x3C0 and reads data at 0x3C1', () => {
    const h = vm();
    colour(h);
    h.inb(0x3da);
    for (let i = 0; i < 21; i++) {
      h.outb(0x3c0, i);
      h.outb(0x3c0, (i * 3 + 1) & 0x3f);
    }
    for (let i = 0; i < 21; i++) {
      h.outb(0x3c0, i);
      expect(h.inb(0x3c0)).toBe(i);
      expect(h.inb(0x3c1)).toBe((i * 3 + 1) & 0x3f);
      h.outb(0x3c0, (i * 3 + 1) & 0x3f); // data: the flip-flop goes back to index
    }
    h.outb(0x3c0, 0x15);
    expectStop(() => h.inb(0x3c1), /Attribute Controller register 0x15/);
  });

  it('resets its flip-flop to index on a read of Input Status 1', () => {
    const h = vm();
    colour(h);
    h.inb(0x3da);
    h.outb(0x3c0, 0x11); // index 0x11 (overscan)
    h.inb(0x3da); // flip-flop back to index
    h.outb(0x3c0, 0x12); // so this is an index, not overscan data
    h.outb(0x3c0, 0x0a); // color plane enable = 0x0a
    h.outb(0x3c0, 0x11);
    expect(h.inb(0x3c1)).toBe(0x00);
    h.outb(0x3c0, 0x00);
    h.outb(0x3c0, 0x12);
    expect(h.inb(0x3c1)).toBe(0x0a);
  });

  it('resets only through the Input Status 1 port the I/O select bit decodes', () => {
    const h = vm();
    colour(h);
    h.inb(0x3da);
    h.outb(0x3c0, 0x13);
    expect(h.inb(0x3ba)).toBe(0xff); // mono port: not decoded, no reset
    h.outb(0x3c0, 0x05); // data for index 0x13
    h.outb(0x3c0, 0x13);
    expect(h.inb(0x3c1)).toBe(0x05);
  });

  it('keeps PAS in the index and locks the palette registers while it is set', () => {
    const h = vm();
    colour(h);
    h.inb(0x3da);
    h.outb(0x3c0, 0x03);
    h.outb(0x3c0, 0x2a);
    h.outb(0x3c0, 0x23); // PAS=1, index 3
    expect(h.inb(0x3c0)).toBe(0x23);
    h.outb(0x3c0, 0x11); // lost: the display owns the palette
    expect(h.inb(0x3c1)).toBe(0x2a);
    h.outb(0x3c0, 0x30); // PAS=1, index 0x10: not a palette register
    h.outb(0x3c0, 0x0c);
    h.outb(0x3c0, 0x10);
    expect(h.inb(0x3c1)).toBe(0x0c);
  });

  it('refuses writes to the read-only data port', () => {
    expectStop(() => vm().outb(0x3c1, 0), /read only/);
  });
});

describe('DAC', () => {
  it('writes triplets from the write index and auto-increments it', () => {
    const h = vm();
    h.outb(0x3c8, 5);
    for (const v of [0x3f, 0x20, 0x01, 0x02, 0x03, 0x04]) h.outb(0x3c9, v);
    expect(h.inb(0x3c8)).toBe(7);
    expect(h.inb(0x3c7) & 3).toBe(0); // write mode
    h.outb(0x3c7, 5);
    expect(h.inb(0x3c7) & 3).toBe(3); // read mode
    expect([0, 1, 2, 3, 4, 5].map(() => h.inb(0x3c9))).toEqual([0x3f, 0x20, 0x01, 0x02, 0x03, 0x04]);
    expect(h.inb(0x3c9)).toBe(0); // entry 7, untouched
  });

  it('keeps 6 bits per component and commits an entry only on its third byte', () => {
    const h = vm();
    h.outb(0x3c8, 0xff);
    h.outb(0x3c9, 0xff);
    h.outb(0x3c9, 0x41);
    h.outb(0x3c7, 0xff);
    expect(h.inb(0x3c9)).toBe(0); // not committed yet (the write address was restarted)
    h.outb(0x3c8, 0xff);
    for (const v of [0xff, 0x41, 0x80]) h.outb(0x3c9, v);
    expect(h.inb(0x3c8)).toBe(0); // wrapped
    h.outb(0x3c7, 0xff);
    expect([h.inb(0x3c9), h.inb(0x3c9), h.inb(0x3c9)]).toEqual([0x3f, 0x01, 0x00]);
  });

  it('keeps the pixel mask', () => {
    const h = vm();
    expect(h.inb(0x3c6)).toBe(0xff);
    h.outb(0x3c6, 0x0f);
    expect(h.inb(0x3c6)).toBe(0x0f);
  });
});

describe('Feature Control and Video Subsystem Enable', () => {
  it('writes Feature Control at the decoded status port and reads it at 0x3CA', () => {
    const h = vm();
    colour(h);
    h.outb(0x3da, 0x0b);
    expect(h.inb(0x3ca)).toBe(0x0b);
    h.outb(0x3ba, 0x00); // not decoded in colour mode
    expect(h.inb(0x3ca)).toBe(0x0b);
  });

  it('reads the subsystem enabled and refuses to disable it', () => {
    const h = vm();
    expect(h.inb(0x3c3)).toBe(1);
    h.outb(0x3c3, 1);
    expectStop(() => h.outb(0x3c3, 0), /disables the VGA/);
  });
});

describe('Input Status 1', () => {
  const MS = 1_000_000;

  it('toggles vertical retrace at the mode 3 frame rate on the virtual clock', () => {
    const h = vm({ initialMode: 'text' });
    // Mode 3: 449 lines of 100 characters of 9 dots at 28.322 MHz: 31.78 us lines, 70.1 Hz.
    let rises = 0;
    let inRetrace = 0;
    let prev = h.inb(0x3da) & 8;
    const stepNs = 5_000;
    for (let t = 0; t < 100 * MS; t += stepNs) {
      h.clock.step(stepNs);
      const v = h.inb(0x3da) & 8;
      if (v && !prev) rises++;
      if (v) inRetrace++;
      prev = v;
    }
    expect(rises).toBe(7);
    // Two lines of retrace per frame (CR10 = 0x9C, CR11 = 0x8E): 63.6 us of 14.27 ms.
    expect(inRetrace * stepNs).toBeGreaterThan(7 * 50_000);
    expect(inRetrace * stepNs).toBeLessThan(7 * 80_000);
  });

  it('reports display disabled during horizontal blanking, and in retrace', () => {
    const h = vm({ initialMode: 'text' });
    let enabled = 0;
    let disabled = 0;
    for (let i = 0; i < 1000; i++) {
      h.clock.step(1_000); // 1 us steps across the first ~31 lines
      const v = h.inb(0x3da);
      if (v & 1) disabled++;
      else enabled++;
      if (v & 8) expect(v & 1).toBe(1);
    }
    // 80 of 100 character times per line are displayed.
    expect(enabled / 1000).toBeGreaterThan(0.75);
    expect(enabled / 1000).toBeLessThan(0.85);
    expect(disabled).toBeGreaterThan(0);
  });

  it('is a function of time only: the same instant reads the same', () => {
    const a = vm({ initialMode: 'text' });
    const b = vm({ initialMode: 'text' });
    for (let i = 0; i < 200; i++) {
      a.clock.step(7_919);
      b.clock.step(7_919);
      expect(a.inb(0x3da)).toBe(b.inb(0x3da));
    }
  });
});
