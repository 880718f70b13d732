import { afterEach, describe, expect, it } from 'vitest';
import { defineDevice, V3Error, type DeviceTimer, type InterruptController } from '@v3/device-api';
import {
  v3_continue_vm,
  v3_create_vm,
  v3_free_vm,
  v3_get_state,
  v3_get_telemetry,
  v3_find_device,
  v3_shadow_control,
  v3_hook_cpuid,
  v3_hook_msr,
  v3_init,
  v3_pause_vm,
  v3_shutdown,
  v3_start_vm,
  v3_stop_vm,
  v3_wait_vm,
  type V3OsHooks,
} from '../src/index.js';

/**
 * The run loop on real guest code, hand-assembled below (16-bit real mode, loaded at 0x7C00).
 * The devices are small inline classes: the VMM must not import real devices.
 */

/** Port 0xE9 collects characters; a write to 0xF4 powers off; 0xF5 resets. */
const testPorts = defineDevice({
  className: 'TEST_PORTS',
  create(host) {
    const out: number[] = [];
    host.hookIo(0xe9, 1, { write: (_o, _s, v) => void out.push(v) });
    host.hookIo(0xf4, 2, { write: (off) => host.requestPower(off === 0 ? 'poweroff' : 'reset', 'test port') });
    // Nothing to reset: the ports hold no state the guest could see.
    return { out, reset() {} };
  },
});

/** IRQ 0 every millisecond of guest time, and a controller that hands out vector 0x20 + line. */
const testTimer = defineDevice({
  className: 'TEST_TIMER',
  create(host) {
    let pending = false;
    let next = 1_000_000;
    const ctrl: InterruptController = {
      name: 'test-ctrl',
      raiseIntr: (line) => {
        if (line === 0) pending = true;
      },
      lowerIntr: () => {},
      intrPending: () => pending,
      getIntrNumber: () => 0x20,
      beginIrq: () => {
        pending = false;
      },
    };
    host.registerIntrController(ctrl);
    const irq = host.irq(0);
    const timer: DeviceTimer = {
      update(now) {
        while (now >= next) {
          irq.pulse();
          next += 1_000_000;
        }
      },
      nextDeadline: () => next,
    };
    host.addTimer(timer);
    return {};
  },
});

/**
 * An interrupt controller that becomes pending without any IRQ line: a write to port 0xF6 makes
 * vector 0x21 pending (as a self-IPI does on a local APIC) and, unless `kick: false`, kicks the
 * core. It also hooks CPUID leaf 1 and adds bit 9 (APIC) to the CPU's own EDX.
 */
const testSelfInt = defineDevice<{ class: string; id: string; kick?: boolean }, Record<string, never>>({
  className: 'TEST_SELFINT',
  create(host, cfg) {
    let pending = false;
    host.registerIntrController({
      name: 'self',
      raiseIntr: () => {},
      lowerIntr: () => {},
      intrPending: () => pending,
      getIntrNumber: () => 0x21,
      beginIrq: () => {
        pending = false;
      },
    });
    host.hookIo(0xf6, 1, {
      write: () => {
        pending = true;
        if (cfg.kick !== false) host.kick();
      },
    });
    host.hookCpuid(1, (_leaf, _sub, [a, b, c, d]) => [a, b, c, d | 0x200]);
    return {};
  },
});

function testHooks(printed: string[]): V3OsHooks {
  return {
    print: (m) => void printed.push(m),
    allocate_pages: (n) => ({ paddr: 0x100000, bytes: new Uint8Array(n * 4096) }),
    free_pages: () => {},
    create_thread_on_cpu: (_cpu, fn, arg) => ({ fn, arg }),
    start_thread: (t) => {
      const { fn, arg } = t as { fn: (a: unknown) => Promise<void>; arg: unknown };
      void fn(arg);
    },
    yield_cpu: () => new Promise((r) => setImmediate(r)),
    sleep_cpu: (us) => new Promise((r) => setTimeout(r, us / 1000)),
  };
}

function makeVm(code: number[], opts: { timer?: boolean; selfInt?: { kick: boolean } } = {}) {
  const printed: string[] = [];
  v3_init(testHooks(printed), 1, { devices: [testPorts, testTimer, testSelfInt] });
  const devices: { class: string; id: string; kick?: boolean }[] = [{ class: 'TEST_PORTS', id: 'ports' }];
  if (opts.timer) devices.push({ class: 'TEST_TIMER', id: 'timer' });
  if (opts.selfInt) devices.push({ class: 'TEST_SELFINT', id: 'self', kick: opts.selfInt.kick });
  const vm = v3_create_vm(
    { memory: 1, clock: 'virtual', files: { image: Uint8Array.from(code) }, boot: { kind: 'flat', file: 'image' }, devices },
    null,
    'test',
  );
  const ports = vm.devMgr.find('ports')!.instance as unknown as { out: number[] };
  return { vm, printed, ports };
}

const MOV_AL = 0xb0; // mov al, imm8
const OUT_IMM = 0xe6; // out imm8, al

afterEach(() => {
  v3_shutdown();
});

describe('the run loop on a real guest', () => {
  it('runs the guest until it powers off through a device', async () => {
    const { vm, ports } = makeVm([MOV_AL, 0x68, OUT_IMM, 0xe9, MOV_AL, 0x69, OUT_IMM, 0xe9, OUT_IMM, 0xf4, 0xf4]);
    expect(v3_find_device(vm, 'ports')).toBe(ports);
    expect(v3_find_device(vm, 'nope')).toBeUndefined();
    v3_start_vm(vm, 1);
    const exit = await v3_wait_vm(vm);
    expect(exit.reason).toBe('poweroff');
    expect(String.fromCharCode(...ports.out)).toBe('hi');
    expect(v3_get_state(vm)).toBe('stopped');
    const t = v3_get_telemetry(vm);
    expect(t.exits.io).toBe(3);
    expect(t.instructions).toBe(5);
    v3_free_vm(vm);
  });

  it('ends a CPU halted with interrupts disabled as halted', async () => {
    const { vm } = makeVm([0xfa, 0xf4]); // cli; hlt
    v3_start_vm(vm, 1);
    const exit = await v3_wait_vm(vm);
    expect(exit.reason).toBe('halted');
    expect(exit.message).toMatch(/interrupts disabled/);
    v3_free_vm(vm);
  });

  it('injects a timer interrupt that wakes HLT (virtual clock)', async () => {
    // IVT[0x20] = 0000:7C20; sti; hlt; jmp back to hlt. The handler prints '!' and powers off.
    const code = new Array<number>(0x30).fill(0x90);
    code.splice(0, 14,
      0x31, 0xc0, //             xor ax, ax
      0x8e, 0xd8, //             mov ds, ax
      0xc7, 0x06, 0x80, 0x00, 0x20, 0x7c, // mov word [0x80], 0x7C20
      0xa3, 0x82, 0x00, //       mov [0x82], ax
      0xfb, //                   sti
    );
    code.splice(14, 3, 0xf4, 0xeb, 0xfd); // hlt; jmp short -3 (back to hlt)
    code.splice(0x20, 5, MOV_AL, 0x21, OUT_IMM, 0xe9, OUT_IMM); // mov al,'!'; out 0xE9,al; out 0xF4,al
    code.splice(0x25, 1, 0xf4);
    const { vm, ports } = makeVm(code, { timer: true });
    v3_start_vm(vm, 1);
    const exit = await v3_wait_vm(vm);
    expect(exit.reason).toBe('poweroff');
    expect(String.fromCharCode(...ports.out)).toBe('!');
    const t = v3_get_telemetry(vm);
    expect(t.irqsInjected).toBe(1);
    expect(t.exits.hlt).toBeGreaterThanOrEqual(1);
    v3_free_vm(vm);
  });

  it('fails stop on a port nothing hooks, naming the port, the address and the bytes', async () => {
    const { vm, printed } = makeVm([0x90, 0xe4, 0x99]); // nop; in al, 0x99
    v3_start_vm(vm, 1);
    const exit = await v3_wait_vm(vm);
    expect(exit.reason).toBe('error');
    expect(v3_get_state(vm)).toBe('error');
    expect(exit.error).toBeInstanceOf(V3Error);
    expect(exit.error!.detail).toMatchObject({ component: 'io', port: 0x99, rip: 0x7c01, vm: 'test', core: 0 });
    expect(exit.message).toMatch(/\[io\] IN \(1 byte\) from a port nothing hooks \(vm=test, core=0, port=0x0099, rip=0x00007c01, bytes=e4 99/);
    expect(printed.join('')).toMatch(/V3 FAIL STOP: \[io\]/);
    v3_free_vm(vm);
  });

  it('fails stop on what the CPU does not implement, naming x86, the address and the bytes', async () => {
    // mov ecx, 0x79 (IA32_BIOS_UPDT_TRIG); wrmsr — a microcode update, which no emulator performs.
    const { vm } = makeVm([0x66, 0xb9, 0x79, 0, 0, 0, 0x0f, 0x30]);
    v3_start_vm(vm, 1);
    const exit = await v3_wait_vm(vm);
    expect(exit.reason).toBe('error');
    expect(exit.error!.detail).toMatchObject({ component: 'x86', rip: 0x7c06 });
    expect(exit.message).toMatch(/^\[x86\] unimplemented .*rip=0x00007c06, bytes=0f 30/);
    v3_free_vm(vm);
  });

  it('pauses, continues and stops a running guest', async () => {
    const { vm } = makeVm([0xeb, 0xfe]); // jmp $
    v3_start_vm(vm, 1);
    await new Promise((r) => setTimeout(r, 20));
    await v3_pause_vm(vm);
    expect(v3_get_state(vm)).toBe('paused');
    const frozen = v3_get_telemetry(vm).instructions;
    await new Promise((r) => setTimeout(r, 20));
    expect(v3_get_telemetry(vm).instructions).toBe(frozen);
    expect(() => v3_free_vm(vm)).toThrow(/cannot free a VM that is paused/);
    v3_continue_vm(vm);
    expect(v3_get_state(vm)).toBe('running');
    await new Promise((r) => setTimeout(r, 20));
    expect(v3_get_telemetry(vm).instructions).toBeGreaterThan(frozen);
    await v3_stop_vm(vm);
    const exit = await v3_wait_vm(vm);
    expect(exit.reason).toBe('stopped');
    expect(v3_free_vm(vm)).toBe(0);
  });

  it('resets the machine on a reset request, or ends the run when resets stop it', async () => {
    const { vm } = makeVm([OUT_IMM, 0xf5]);
    // onReset defaults to 'reset': the guest would loop forever resetting; stop it after a while.
    v3_start_vm(vm, 1);
    await new Promise((r) => setTimeout(r, 10));
    expect(v3_get_state(vm)).toBe('running');
    await v3_stop_vm(vm);
    v3_free_vm(vm);
    v3_shutdown();

    v3_init(testHooks([]), 1, { devices: [testPorts] });
    const vm2 = v3_create_vm(
      { memory: 1, onReset: 'stop', files: { i: Uint8Array.of(OUT_IMM, 0xf5) }, boot: { kind: 'flat', file: 'i' }, devices: [{ class: 'TEST_PORTS', id: 'p' }] },
      null,
      'r',
    );
    v3_start_vm(vm2, 1);
    expect((await v3_wait_vm(vm2)).reason).toBe('reset');
    v3_free_vm(vm2);
  });

  it('answers CPUID from a hook, counting the exit', async () => {
    // xor eax, eax; cpuid; mov al, bl; out 0xE9, al; out 0xF4, al
    const { vm, ports } = makeVm([0x66, 0x31, 0xc0, 0x0f, 0xa2, 0x88, 0xd8, OUT_IMM, 0xe9, OUT_IMM, 0xf4]);
    v3_hook_cpuid(vm, 0, () => [1, 0x56, 0, 0], 'test');
    expect(() => v3_hook_cpuid(vm, 0, () => [0, 0, 0, 0], 'other')).toThrow(/already hooked by test, requested by other/);
    v3_start_vm(vm, 1);
    expect((await v3_wait_vm(vm)).reason).toBe('poweroff');
    expect(String.fromCharCode(...ports.out)).toBe('V');
    expect(v3_get_telemetry(vm).exits.cpuid).toBe(1);
    v3_free_vm(vm);
  });

  it("lets a device hook CPUID on top of the CPU's own answer", async () => {
    // mov eax, 1; cpuid; mov al, dh; out 0xE9, al; out 0xF4, al
    const { vm, ports } = makeVm([0x66, 0xb8, 1, 0, 0, 0, 0x0f, 0xa2, 0x88, 0xf0, OUT_IMM, 0xe9, OUT_IMM, 0xf4], { selfInt: { kick: true } });
    v3_start_vm(vm, 1);
    expect((await v3_wait_vm(vm)).reason).toBe('poweroff');
    // EDX bit 8 (CX8) is the CPU's own, bit 9 (APIC) the device's.
    expect(ports.out[0]! & 0x03).toBe(0x03);
    expect(() => v3_hook_cpuid(vm, 1, () => [0, 0, 0, 0], 'other')).toThrow(/already hooked by self, requested by other/);
    v3_free_vm(vm);
  });

  for (const kick of [true, false]) {
    it(`injects an interrupt a device made pending without a line ${kick ? 'at the next instruction when it kicks' : 'only at the end of the slice when it does not'}`, async () => {
      // IVT[0x21] = 0000:7C20; xor bx, bx; sti; out 0xF6, al; then count in BX until interrupted.
      // The handler writes BL to 0xE9 and powers off.
      const code = new Array<number>(0x30).fill(0x90);
      code.splice(0, 19,
        0x31, 0xc0, //             xor ax, ax
        0x8e, 0xd8, //             mov ds, ax
        0xc7, 0x06, 0x84, 0x00, 0x20, 0x7c, // mov word [0x84], 0x7C20
        0xa3, 0x86, 0x00, //       mov [0x86], ax
        0x31, 0xdb, //             xor bx, bx
        0xfb, //                   sti
        OUT_IMM, 0xf6, //          out 0xF6, al
        0x43, //                   inc bx
      );
      code.splice(19, 2, 0xeb, 0xfd); // jmp short -3 (back to inc bx)
      code.splice(0x20, 6, 0x88, 0xd8, OUT_IMM, 0xe9, OUT_IMM, 0xf4); // mov al, bl; out 0xE9, al; out 0xF4, al
      const { vm, ports } = makeVm(code, { selfInt: { kick } });
      v3_start_vm(vm, 1);
      expect((await v3_wait_vm(vm)).reason).toBe('poweroff');
      if (kick) expect(ports.out).toEqual([0]); // taken before the first inc
      else expect(ports.out[0]).not.toBe(0); // the slice ran on, counting
      v3_free_vm(vm);
    });
  }

  it('routes RDMSR/WRMSR of a hooked MSR to its owner, counting the exits', async () => {
    // mov ecx, 0x1B; rdmsr; mov al, ah; out 0xE9, al; inc eax; wrmsr; out 0xF4, al
    const code = [0x66, 0xb9, 0x1b, 0, 0, 0, 0x0f, 0x32, 0x88, 0xe0, OUT_IMM, 0xe9, 0x66, 0x40, 0x0f, 0x30, OUT_IMM, 0xf4];
    const { vm, ports } = makeVm(code);
    const written: bigint[] = [];
    v3_hook_msr(vm, 0x1b, { read: () => 0xfee00900n, write: (v) => void written.push(v) }, 'test');
    v3_start_vm(vm, 1);
    expect((await v3_wait_vm(vm)).reason).toBe('poweroff');
    expect(ports.out).toEqual([0x09]);
    expect(written).toEqual([0xfee0090an]); // EAX after mov al, ah (0x09) and inc
    expect(v3_get_telemetry(vm).exits.msr).toBe(2);
    v3_free_vm(vm);
  });

  it('refuses a second hook on a taken port at creation, naming both devices', () => {
    v3_init(testHooks([]), 1, { devices: [testPorts] });
    const cfg = {
      memory: 1,
      files: { i: Uint8Array.of(0xf4) },
      boot: { kind: 'flat', file: 'i' },
      devices: [{ class: 'TEST_PORTS', id: 'first' }, { class: 'TEST_PORTS', id: 'second' }],
    };
    expect(() => v3_create_vm(cfg, null, 'x')).toThrow(/port already hooked by first, requested by second/);
  });

  it('refuses an unknown device class before creating anything', () => {
    v3_init(testHooks([]), 1, { devices: [testPorts] });
    const cfg = { memory: 1, files: { i: Uint8Array.of(0xf4) }, boot: { kind: 'flat', file: 'i' }, devices: [{ class: 'NOPE', id: 'n' }] };
    expect(() => v3_create_vm(cfg, null, 'x')).toThrow(/devices\[0\]\.class: expected one of TEST_PORTS, got 'NOPE'/);
  });
});

describe('firmware boot (boot.kind bios)', () => {
  /**
   * A 64 KiB "BIOS": the reset vector (its last 16 bytes, at 0xFFFFFFF0 and 0xFFFF0) jumps to
   * F000:E000, which prints the byte at F000:0000 (0x42 in the ROM), writes 0x43 there (a ROM
   * write: dropped), prints it again, then asks the test (port 0xE9 write of 'S') to shadow the
   * segment read/write, writes 0x43, prints it (RAM now), and powers off.
   */
  function biosImage(): Uint8Array {
    const b = new Uint8Array(0x10000).fill(0x90);
    b[0] = 0x42;
    const code = [
      0xb8, 0x00, 0xf0, //       mov ax, 0xF000
      0x8e, 0xd8, //             mov ds, ax
      0xa0, 0x00, 0x00, //       mov al, [0]
      0xe6, 0xe9, //             out 0xE9, al
      0xc6, 0x06, 0x00, 0x00, 0x43, // mov byte [0], 0x43
      0xa0, 0x00, 0x00, //       mov al, [0]
      0xe6, 0xe9, //             out 0xE9, al
      0xb0, 0x53, //             mov al, 'S'
      0xe6, 0xe9, //             out 0xE9, al  (the test shadows F0000-FFFFF here)
      0xc6, 0x06, 0x00, 0x00, 0x43, // mov byte [0], 0x43
      0xa0, 0x00, 0x00, //       mov al, [0]
      0xe6, 0xe9, //             out 0xE9, al
      0xe6, 0xf4, //             out 0xF4, al (power off)
      0xf4,
    ];
    b.set(code, 0xe000);
    b.set([0xea, 0x00, 0xe0, 0x00, 0xf0], 0xfff0); // jmp far F000:E000
    return b;
  }

  it('starts at the reset vector at the top of 4 GiB, sees the low alias as ROM, and shadows it on request', async () => {
    const printed: string[] = [];
    v3_init(testHooks(printed), 1, { devices: [testPorts] });
    const vm = v3_create_vm(
      { memory: 2, clock: 'virtual', files: { bios: biosImage() }, boot: { kind: 'bios', bios: 'bios' }, devices: [{ class: 'TEST_PORTS', id: 'ports' }] },
      null,
      'bios',
    );
    const ports = v3_find_device<{ out: number[] }>(vm, 'ports')!;
    const shadow = v3_shadow_control(vm);
    // The test plays the chipset: on 'S' it routes the BIOS segment to RAM (PAM0 = 0x30) after
    // copying the ROM down, as a BIOS's shadow sequence would.
    const watch = ports.out;
    const push = watch.push.bind(watch);
    watch.push = (...v: number[]) => {
      if (v[0] === 0x53) {
        shadow.onPamChange(0xf0000, 0x10000, false, true);
        vm.mem.ram.set(biosImage(), 0xf0000);
        shadow.onPamChange(0xf0000, 0x10000, true, true);
      }
      return push(...v);
    };
    v3_start_vm(vm, 1);
    const exit = await v3_wait_vm(vm);
    expect(exit.reason, exit.message).toBe('poweroff');
    expect([...ports.out]).toEqual([0x42, 0x42, 0x53, 0x43]);
    v3_free_vm(vm);
  });
});
