import { describe, expect, it } from 'vitest';
import { defineDevice, V3Error, type DeviceTimer } from '@v3/device-api';
import { createTestHost, v3ErrorFrom } from './index.js';

// A tiny latch device: port 0 stores a byte, port 1 reads it back; a timer pulses IRQ 5 every 1 ms.
const latch = defineDevice({
  className: 'LATCH',
  create(host) {
    let value = 0;
    let next = 1_000_000;
    const irq = host.irq(5);
    host.hookIo(0x100, 2, {
      read: (off) => (off === 1 ? value : host.fail('read of port 0')),
      write: (off, _size, v) => {
        if (off === 0) value = v & 0xff;
        else host.fail('write to port 1', { port: 0x101 });
      },
    }, { sizes: [1] });
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

describe('TestHost', () => {
  it('dispatches ports by offset and splits wide accesses into bytes', () => {
    const vm = createTestHost();
    vm.attach(latch, { id: 'l0' });
    vm.outb(0x100, 0x1234);
    expect(vm.inb(0x101)).toBe(0x34);
  });

  it('refuses a second hook on a taken port, naming both owners', () => {
    const vm = createTestHost();
    vm.attach(latch, { id: 'first' });
    expect(() => vm.attach(latch, { id: 'second' })).toThrow(/already hooked by first, requested by second/);
  });

  it('fails stop on an unhooked port and on a device refusal', () => {
    const vm = createTestHost();
    vm.attach(latch, { id: 'l0' });
    expect(() => vm.inb(0x200)).toThrow(V3Error);
    expect(() => vm.outb(0x101, 1)).toThrow(/\[l0\] write to port 1 \(port=0x0101\)/);
  });

  it('fires timers at their deadlines as the virtual clock steps', () => {
    const vm = createTestHost();
    vm.attach(latch, { id: 'l0' });
    vm.clock.step(999_999);
    expect(vm.irq(5).pulses).toBe(0);
    vm.clock.step(1);
    expect(vm.irq(5).pulses).toBe(1);
    vm.clock.step(10_000_000);
    expect(vm.irq(5).pulses).toBe(11);
    expect(vm.irq(5).level).toBe(false);
  });
});

describe('TestHost guest memory', () => {
  it('gives devices DMA access to its RAM, reading all ones past the end', () => {
    const vm = createTestHost();
    const host = vm.hostFor('dma');
    host.memory.write(0x1000, Uint8Array.of(1, 2, 3));
    expect(Array.from(vm.ram.subarray(0x1000, 0x1003))).toEqual([1, 2, 3]);
    expect(Array.from(host.memory.read(vm.ram.length - 1, 2))).toEqual([0, 0xff]);
  });
});

describe('v3ErrorFrom', () => {
  it('returns the V3Error, rethrows anything else, and fails when nothing is thrown', () => {
    const e = v3ErrorFrom(() => {
      throw new V3Error({ component: 'x' }, 'boom');
    });
    expect(e.reason).toBe('boom');
    expect(() => v3ErrorFrom(() => { throw new TypeError('bug'); })).toThrow(TypeError);
    expect(() => v3ErrorFrom(() => 1)).toThrow(/nothing was thrown/);
  });
});

describe('TestHost: CPUID hooks, kicks and the ExtINT gate', () => {
  it('passes the native CPUID answer through a device hook and counts kicks', () => {
    const dev = defineDevice({
      className: 'CPUIDDEV',
      create(host) {
        host.hookCpuid(1, (_l, _s, [a, b, c, d]) => [a, b, c, d | 0x200]);
        host.hookIo(0x10, 1, { write: () => host.kick() });
        return {};
      },
    });
    const vm = createTestHost();
    vm.attach(dev, {});
    expect(vm.cpuid(1, 0, [0x633, 0, 0, 0x11])).toEqual([0x633, 0, 0, 0x211]);
    expect(vm.cpuid(0, 0, [1, 2, 3, 4])).toEqual([1, 2, 3, 4]);
    expect(v3ErrorFrom(() => vm.attach(dev, { id: 'again' })).message).toMatch(/CPUID leaf 0x1 already hooked by CPUIDDEV, requested by again/);
    vm.outb(0x10, 0);
    vm.outb(0x10, 0);
    expect(vm.kicks).toBe(2);
  });

  it('takes an external controller only while every local controller accepts ExtINT', () => {
    let open = false;
    let localPending = false;
    const dev = defineDevice({
      className: 'CTRLS',
      create(host) {
        host.registerIntrController({ name: 'pic', raiseIntr() {}, lowerIntr() {}, intrPending: () => true, getIntrNumber: () => 0x20, beginIrq() {} });
        host.registerIntrController({
          name: 'apic',
          raiseIntr() {},
          lowerIntr() {},
          intrPending: () => localPending,
          getIntrNumber: () => 0x31,
          beginIrq() {},
          acceptsExtInt: () => open,
        });
        return {};
      },
    });
    const vm = createTestHost();
    vm.attach(dev, {});
    expect(vm.acknowledge()).toBe(-1);
    open = true;
    expect(vm.acknowledge()).toBe(0x20);
    localPending = true;
    expect(vm.acknowledge()).toBe(0x31);
  });
});
