import { describe, expect, it } from 'vitest';
import { V3Error } from '@v3/device-api';
import { createTestHost, fuzzPorts, type TestHost } from '@v3/device-testkit';
import {
  fwCfg,
  FW_CFG_BOOT_DEVICE,
  FW_CFG_BOOT_MENU,
  FW_CFG_FILE_DIR,
  FW_CFG_ID,
  FW_CFG_MACHINE_ID,
  FW_CFG_MAX_CPUS,
  FW_CFG_NB_CPUS,
  FW_CFG_NOGRAPHIC,
  FW_CFG_NUMA,
  FW_CFG_PORTS,
  FW_CFG_RAM_SIZE,
  FW_CFG_SIGNATURE,
  FW_CFG_UUID,
  type FwCfgConfig,
  type FwCfgDevice,
} from './index.js';

const SEL = 0x510;
const DATA = 0x511;
const MiB = 1024 * 1024;

type Cfg = Omit<FwCfgConfig, 'class' | 'id'>;

function vmWith(cfg: Cfg = { memory: 256 }): { vm: TestHost; dev: FwCfgDevice } {
  const vm = createTestHost();
  const dev = vm.attach(fwCfg, { id: 'fw_cfg', ...cfg });
  return { vm, dev };
}

const select = (vm: TestHost, key: number) => vm.outw(SEL, key);
const read = (vm: TestHost, n: number): number[] => Array.from({ length: n }, () => vm.inb(DATA));
const item = (vm: TestHost, key: number, n: number): number[] => {
  select(vm, key);
  return read(vm, n);
};
const ascii = (bytes: number[]) => String.fromCharCode(...bytes);
const le = (bytes: number[]) => bytes.reduceRight((v, b) => v * 256 + b, 0);
const be = (bytes: number[]) => bytes.reduce((v, b) => v * 256 + b, 0);
const bytesOf = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));

function expectThrowV3(f: () => unknown, re: RegExp): void {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(V3Error);
    expect((e as V3Error).detail.component).toBe('fw_cfg');
    expect((e as V3Error).message).toMatch(re);
    return;
  }
  expect.unreachable(`expected a V3Error matching ${re}`);
}

/** The file directory as SeaBIOS' qemu_cfg_init parses it. */
function directory(vm: TestHost): { name: string; select: number; size: number }[] {
  const count = be(item(vm, FW_CFG_FILE_DIR, 4));
  expect(count).toBeLessThan(100);
  return Array.from({ length: count }, () => {
    const e = read(vm, 64);
    const name = e.slice(8);
    return { size: be(e.slice(0, 4)), select: be(e.slice(4, 6)), name: ascii(name.slice(0, name.indexOf(0))) };
  });
}

describe('fw_cfg signature and ID', () => {
  it("passes SeaBIOS' probe: select 0, read 4 bytes, compare 'QEMU'", () => {
    const { vm } = vmWith();
    vm.outw(SEL, FW_CFG_SIGNATURE);
    const sig = 'QEMU';
    for (let i = 0; i < 4; i++) expect(vm.inb(DATA)).toBe(sig.charCodeAt(i));
  });

  it('the signature is selected at power-on', () => {
    const { vm } = vmWith();
    expect(ascii(read(vm, 4))).toBe('QEMU');
  });

  it('ID is 32-bit LE with bit 0 (traditional interface) set and bit 1 (DMA) clear', () => {
    const { vm } = vmWith();
    const id = item(vm, FW_CFG_ID, 4);
    expect(id).toEqual([1, 0, 0, 0]);
    expect(le(id) & 2).toBe(0);
  });
});

describe('fw_cfg numeric items', () => {
  it('RAM size is a 64-bit LE byte count: 256 MiB is 0x10000000', () => {
    const { vm } = vmWith({ memory: 256 });
    expect(item(vm, FW_CFG_RAM_SIZE, 8)).toEqual([0, 0, 0, 0x10, 0, 0, 0, 0]);
  });

  it('RAM size of 4096 MiB needs the fifth byte', () => {
    const { vm } = vmWith({ memory: 4096 });
    expect(item(vm, FW_CFG_RAM_SIZE, 8)).toEqual([0, 0, 0, 0, 1, 0, 0, 0]);
  });

  it('CPU count and maximum are 16-bit LE, default 1', () => {
    expect(item(vmWith().vm, FW_CFG_NB_CPUS, 2)).toEqual([1, 0]);
    const { vm } = vmWith({ memory: 64, cpus: 4 });
    expect(item(vm, FW_CFG_NB_CPUS, 2)).toEqual([4, 0]);
    expect(item(vm, FW_CFG_MAX_CPUS, 2)).toEqual([4, 0]);
  });

  it('boot device is the first bootOrder letter; nographic and boot menu are 16-bit flags', () => {
    const a = vmWith({ memory: 64 }).vm;
    expect(item(a, FW_CFG_BOOT_DEVICE, 2)).toEqual([0x63, 0]); // 'c' of the default 'cd'
    expect(item(a, FW_CFG_NOGRAPHIC, 2)).toEqual([0, 0]);
    expect(item(a, FW_CFG_BOOT_MENU, 2)).toEqual([0, 0]);
    const b = vmWith({ memory: 64, bootOrder: 'dc', nographic: true, bootMenu: true }).vm;
    expect(item(b, FW_CFG_BOOT_DEVICE, 2)).toEqual([0x64, 0]);
    expect(item(b, FW_CFG_NOGRAPHIC, 2)).toEqual([1, 0]);
    expect(item(b, FW_CFG_BOOT_MENU, 2)).toEqual([1, 0]);
  });

  it('UUID, machine id, kernel/initrd/cmdline items and NUMA read as zeros', () => {
    const { vm } = vmWith({ memory: 64, cpus: 2 });
    expect(item(vm, FW_CFG_UUID, 16)).toEqual(new Array(16).fill(0));
    expect(item(vm, FW_CFG_MACHINE_ID, 4)).toEqual([0, 0, 0, 0]);
    for (let k = 0x07; k <= 0x15; k++) {
      if (k === FW_CFG_BOOT_DEVICE || k === FW_CFG_NUMA || k === FW_CFG_BOOT_MENU || k === FW_CFG_MAX_CPUS) continue;
      expect(item(vm, k, 4), `key 0x${k.toString(16)}`).toEqual([0, 0, 0, 0]);
    }
    // NUMA: node count 0, then one zero node number per CPU (SeaBIOS sizes etc/numa-cpu-map so).
    expect(item(vm, FW_CFG_NUMA, 24)).toEqual(new Array(24).fill(0));
  });
});

describe('fw_cfg data offset', () => {
  it('reads past the end of an item return 0', () => {
    const { vm } = vmWith();
    expect(ascii(item(vm, FW_CFG_SIGNATURE, 4))).toBe('QEMU');
    expect(read(vm, 8)).toEqual(new Array(8).fill(0));
    expect(item(vm, FW_CFG_NB_CPUS, 4)).toEqual([1, 0, 0, 0]);
  });

  it('a selector write rewinds the offset, even to the same key', () => {
    const { vm } = vmWith();
    expect(ascii(item(vm, FW_CFG_SIGNATURE, 2))).toBe('QE');
    expect(ascii(item(vm, FW_CFG_SIGNATURE, 4))).toBe('QEMU');
    select(vm, FW_CFG_ID);
    select(vm, FW_CFG_SIGNATURE);
    expect(ascii(read(vm, 4))).toBe('QEMU');
  });

  it('an unknown key selects nothing: its reads return 0, as in QEMU', () => {
    const { vm } = vmWith();
    expect(item(vm, 0x1234, 4)).toEqual([0, 0, 0, 0]);
    expect(item(vm, 0x8123, 4)).toEqual([0, 0, 0, 0]);
    expect(item(vm, 0x3fff, 4)).toEqual([0, 0, 0, 0]);
  });

  it('the write bit (14) is ignored for reads; the arch bit (15) picks the x86 table', () => {
    const { vm } = vmWith();
    expect(ascii(item(vm, 0x4000 | FW_CFG_SIGNATURE, 4))).toBe('QEMU');
    // 0x8003 (legacy e820 reservations) is a LE32 count of 0; 0x0003 is the RAM size.
    expect(item(vm, 0x8003, 4)).toEqual([0, 0, 0, 0]);
    expect(item(vm, 0xc003, 4)).toEqual([0, 0, 0, 0]);
    expect(item(vm, 0x4003, 4)).toEqual([0, 0, 0, 0x10]);
  });

  it('data writes are no-ops (QEMU 2.4+): no change, no offset step', () => {
    const { vm } = vmWith();
    select(vm, 0x4000 | FW_CFG_SIGNATURE);
    expect(vm.inb(DATA)).toBe(0x51);
    vm.outb(DATA, 0x55);
    expect(ascii(read(vm, 3))).toBe('EMU');
    expect(ascii(item(vm, FW_CFG_SIGNATURE, 4))).toBe('QEMU');
  });
});

describe('fw_cfg file directory', () => {
  const files = [
    { name: 'etc/boot-fail-wait', data: Uint8Array.of(5, 0, 0, 0) },
    { name: 'bootorder', data: bytesOf('/pci@i0cf8/ide@1,1/drive@1/disk@0\n\0') },
  ];

  it('is a BE32 count then 64-byte entries {BE32 size, BE16 select, reserved, name[56] NUL padded}', () => {
    const { vm } = vmWith({ memory: 256, files });
    const dir = item(vm, FW_CFG_FILE_DIR, 4 + 4 * 64);
    expect(dir.slice(0, 4)).toEqual([0, 0, 0, 4]);
    // Sorted by name: bootorder, etc/boot-cpus, etc/boot-fail-wait, etc/e820; selectors from 0x20.
    const expected: [string, number, number][] = [
      ['bootorder', files[1]!.data.length, 0x20],
      ['etc/boot-cpus', 2, 0x21],
      ['etc/boot-fail-wait', 4, 0x22],
      ['etc/e820', 20, 0x23],
    ];
    expected.forEach(([name, size, sel], i) => {
      const e = dir.slice(4 + i * 64, 4 + (i + 1) * 64);
      expect(e.slice(0, 4), name).toEqual([0, 0, 0, size]);
      expect(e.slice(4, 6), name).toEqual([0, sel]);
      expect(e.slice(6, 8), name).toEqual([0, 0]);
      const field = new Array(56).fill(0);
      for (let c = 0; c < name.length; c++) field[c] = name.charCodeAt(c);
      expect(e.slice(8), name).toEqual(field);
    });
    expect(read(vm, 4)).toEqual([0, 0, 0, 0]);
  });

  it('a big size is big-endian in all four bytes', () => {
    const { vm } = vmWith({ memory: 64, files: [{ name: 'opt/big', data: new Uint8Array(0x012345) }] });
    const d = directory(vm).find((f) => f.name === 'opt/big');
    expect(d).toEqual({ name: 'opt/big', select: 0x22, size: 0x012345 });
    const raw = item(vm, FW_CFG_FILE_DIR, 4 + 64 * 3).slice(4 + 2 * 64, 4 + 2 * 64 + 6);
    expect(raw).toEqual([0x00, 0x01, 0x23, 0x45, 0x00, 0x22]);
  });

  it('a named file reads by its selector from offset 0, then 0 past its end', () => {
    const { vm, dev } = vmWith({ memory: 256, files });
    const entry = directory(vm).find((f) => f.name === 'bootorder');
    expect(entry).toBeDefined();
    expect(dev.files.find((f) => f.name === 'bootorder')?.select).toBe(entry!.select);
    const text = ascii(item(vm, entry!.select, entry!.size + 3));
    expect(text).toBe('/pci@i0cf8/ide@1,1/drive@1/disk@0\n\0\0\0\0');
    expect(le(item(vm, directory(vm).find((f) => f.name === 'etc/boot-fail-wait')!.select, 4))).toBe(5);
  });

  it('etc/e820 holds one RAM entry for RAM below the PCI hole', () => {
    const { vm } = vmWith({ memory: 256 });
    const e820 = directory(vm).find((f) => f.name === 'etc/e820')!;
    const e = item(vm, e820.select, 21);
    expect(le(e.slice(0, 8))).toBe(0);
    expect(le(e.slice(8, 16))).toBe(256 * MiB);
    expect(le(e.slice(16, 20))).toBe(1);
    expect(e[20]).toBe(0);
  });

  it('etc/e820 moves RAM above 3.5 GiB past 4 GiB, as QEMU i440fx does', () => {
    const { vm } = vmWith({ memory: 4096 });
    const e820 = directory(vm).find((f) => f.name === 'etc/e820')!;
    expect(e820.size).toBe(40);
    const e = item(vm, e820.select, 40);
    expect([le(e.slice(0, 8)), le(e.slice(8, 16)), le(e.slice(16, 20))]).toEqual([0, 0xe000_0000, 1]);
    expect([le(e.slice(20, 28)), le(e.slice(28, 36)), le(e.slice(36, 40))]).toEqual([0x1_0000_0000, 0x2000_0000, 1]);
  });

  it('etc/boot-cpus is the CPU count (SeaBIOS prefers it to CMOS)', () => {
    const { vm } = vmWith({ memory: 64, cpus: 3 });
    const f = directory(vm).find((d) => d.name === 'etc/boot-cpus')!;
    expect(item(vm, f.select, 2)).toEqual([3, 0]);
  });

  it('a configured file replaces a generated one of the same name', () => {
    const { vm } = vmWith({ memory: 64, files: [{ name: 'etc/e820', data: Uint8Array.of(9) }] });
    const dir = directory(vm);
    expect(dir.map((d) => d.name)).toEqual(['etc/boot-cpus', 'etc/e820']);
    expect(item(vm, dir[1]!.select, 2)).toEqual([9, 0]);
  });

  it("walks like SeaBIOS' qemu_cfg_init: probe, ID, directory, then etc/e820", () => {
    const { vm } = vmWith({ memory: 128, cpus: 2, files });
    select(vm, 0);
    expect(ascii(read(vm, 4))).toBe('QEMU');
    expect(le(item(vm, FW_CFG_ID, 4)) & 2).toBe(0); // no DMA: SeaBIOS stays on port I/O
    const found = new Map(directory(vm).map((f) => [f.name, f]));
    expect([...found.keys()]).toEqual(['bootorder', 'etc/boot-cpus', 'etc/boot-fail-wait', 'etc/e820']);
    const e = item(vm, found.get('etc/e820')!.select, found.get('etc/e820')!.size);
    expect(le(e.slice(8, 16))).toBe(128 * MiB);
  });
});

describe('fw_cfg refusals', () => {
  it('fails stop on accesses outside the spec: byte selector, selector reads, wide data accesses', () => {
    const { vm } = vmWith();
    expectThrowV3(() => vm.outb(SEL, 0), /selector register, which is 16-bit/);
    expectThrowV3(() => vm.outl(SEL, 0), /4-byte OUT to the selector/);
    expectThrowV3(() => vm.inb(SEL), /selector register, which is write only/);
    expectThrowV3(() => vm.inw(SEL), /write only/);
    expectThrowV3(() => vm.inw(DATA), /2-byte IN from the data register/);
    expectThrowV3(() => vm.outw(DATA, 0), /2-byte OUT to the data register/);
  });

  it('fails stop on the DMA address register, naming the missing guest-memory access', () => {
    const { vm } = vmWith();
    expectThrowV3(() => vm.outl(0x518, 0x1000), /DMA interface is not implemented.*guest-memory/);
    expectThrowV3(() => vm.outl(0x514, 0), /DMA/);
    expectThrowV3(() => vm.inb(0x51b), /DMA/);
    for (let p = 0x514; p < 0x51c; p++) expect(vm.isHooked(p)).toBe(true);
    expect(vm.isHooked(0x512)).toBe(false);
  });
});

describe('fw_cfg configuration', () => {
  const problems = (cfg: Record<string, unknown>) => fwCfg.validate!({ class: 'FW_CFG', id: 'fw_cfg', ...cfg });

  it('accepts a full configuration', () => {
    expect(problems({ memory: 256, cpus: 2, bootOrder: 'dc', nographic: true, bootMenu: false, files: [{ name: 'opt/x', data: new Uint8Array(1) }] })).toEqual([]);
  });

  it('refuses bad keys with `key: expected ...`', () => {
    expect(problems({})).toEqual([expect.stringMatching(/^memory: expected .*1-4096/)]);
    expect(problems({ memory: 0 })[0]).toMatch(/^memory: expected/);
    expect(problems({ memory: 4097 })[0]).toMatch(/^memory: expected/);
    expect(problems({ memory: 1.5 })[0]).toMatch(/^memory: expected/);
    expect(problems({ memory: 64, cpus: 0 })).toEqual([expect.stringMatching(/^cpus: expected an integer 1-255/)]);
    expect(problems({ memory: 64, cpus: 256 })[0]).toMatch(/^cpus: expected/);
    expect(problems({ memory: 64, bootOrder: 'x' })[0]).toMatch(/^bootOrder: expected/);
    expect(problems({ memory: 64, bootOrder: 'cc' })[0]).toMatch(/^bootOrder: expected/);
    expect(problems({ memory: 64, bootOrder: 'cdna' })[0]).toMatch(/^bootOrder: expected/);
    expect(problems({ memory: 64, nographic: 1 })[0]).toMatch(/^nographic: expected a boolean/);
    expect(problems({ memory: 64, bootMenu: 'yes' })[0]).toMatch(/^bootMenu: expected a boolean/);
    expect(problems({ memory: 64, speed: 1 })[0]).toMatch(/^speed: unknown key \(expected memory/);
  });

  it('refuses bad files', () => {
    expect(problems({ memory: 64, files: 'x' })[0]).toMatch(/^files: expected an array/);
    expect(problems({ memory: 64, files: [null] })[0]).toMatch(/^files\[0\]: expected/);
    expect(problems({ memory: 64, files: [{ name: '', data: new Uint8Array(0) }] })[0]).toMatch(/^files\[0\]\.name: expected 1-55/);
    expect(problems({ memory: 64, files: [{ name: 'x'.repeat(56), data: new Uint8Array(0) }] })[0]).toMatch(/^files\[0\]\.name: expected/);
    expect(problems({ memory: 64, files: [{ name: 'x'.repeat(55), data: new Uint8Array(0) }] })).toEqual([]);
    expect(problems({ memory: 64, files: [{ name: 'a b', data: new Uint8Array(0) }] })[0]).toMatch(/^files\[0\]\.name: expected/);
    expect(problems({ memory: 64, files: [{ name: 'opt/x', data: [1, 2] }] })[0]).toMatch(/^files\[0\]\.data: expected a Uint8Array/);
    expect(problems({ memory: 64, files: [{ name: 'opt/x', data: new Uint8Array(0), size: 3 }] })[0]).toMatch(/^files\[0\]\.size: unknown key/);
    const twice = problems({ memory: 64, files: [{ name: 'opt/x', data: new Uint8Array(0) }, { name: 'opt/x', data: new Uint8Array(0) }] });
    expect(twice[0]).toMatch(/^files\[1\]\.name: expected a name not used/);
  });

  it('the test host refuses a configuration validate() rejects', () => {
    expect(() => createTestHost().attach(fwCfg, { id: 'fw_cfg', memory: 0 })).toThrow(/memory: expected/);
  });
});

describe('fw_cfg checkpoint and reset', () => {
  it('save/load keeps the selector and offset', () => {
    const a = vmWith({ memory: 256 });
    select(a.vm, FW_CFG_RAM_SIZE);
    read(a.vm, 3);
    const state = a.dev.save();
    expect(state).toEqual({ selector: FW_CFG_RAM_SIZE, offset: 3 });
    const b = vmWith({ memory: 256 });
    b.dev.load(JSON.parse(JSON.stringify(state)));
    expect(read(b.vm, 5)).toEqual([0x10, 0, 0, 0, 0]);
  });

  it('reset selects the signature at offset 0', () => {
    const { vm, dev } = vmWith();
    item(vm, FW_CFG_ID, 2);
    dev.reset();
    expect(dev.save()).toEqual({ selector: 0, offset: 0 });
    expect(ascii(read(vm, 4))).toBe('QEMU');
  });

  it('load refuses a malformed state', () => {
    const { dev } = vmWith();
    expectThrowV3(() => dev.load(null), /load: bad state/);
    expectThrowV3(() => dev.load({ selector: 0x10000, offset: 0 }), /load: bad state/);
    expectThrowV3(() => dev.load({ selector: 1, offset: -1 }), /load: bad state/);
    expectThrowV3(() => dev.load({ selector: 1 }), /load: bad state/);
  });
});

describe('fw_cfg register fuzz', () => {
  it('only V3Errors naming the device escape, and reads stay bytes', () => {
    for (const seed of [1, 2, 3, 0xf00d, 0xdeadbeef]) {
      const { vm } = vmWith({ memory: 256, cpus: 2, files: [{ name: 'opt/x', data: new Uint8Array(300).fill(7) }] });
      const stops = fuzzPorts(vm, FW_CFG_PORTS, { seed, steps: 3000, deviceId: 'fw_cfg' });
      // Byte OUTs to 0x510 and anything on the DMA ports fail stop; data reads and writes never do.
      expect(stops).toBeGreaterThan(0);
      expect(stops).toBeLessThan(3000);
      for (let i = 0; i < 64; i++) expect(vm.inb(DATA) & ~0xff).toBe(0);
      expect(ascii(item(vm, FW_CFG_SIGNATURE, 4))).toBe('QEMU');
    }
  });

  it('word-sized fuzz of the selector keeps every read a byte', () => {
    const { vm } = vmWith();
    let s = 12345;
    for (let i = 0; i < 2000; i++) {
      s = (s * 1103515245 + 12345) >>> 0;
      select(vm, s >>> 16);
      const b = vm.inb(DATA);
      expect(b >= 0 && b <= 0xff).toBe(true);
    }
  });
});
