import type { HostEvents } from '@v3/device-api';

/** Host events (keyboard, mouse) and the devices listening to them (Palacios' `vmm_host_events.c`). */
export class HostEventBus {
  private readonly handlers: { [K in keyof HostEvents]: ((e: HostEvents[K]) => void)[] } = { keyboard: [], mouse: [] };

  on<K extends keyof HostEvents>(kind: K, handler: (e: HostEvents[K]) => void): void {
    (this.handlers[kind] as ((e: HostEvents[K]) => void)[]).push(handler);
  }

  /** Deliver an event; returns how many devices took it. */
  deliver<K extends keyof HostEvents>(kind: K, event: HostEvents[K]): number {
    const list = this.handlers[kind] as ((e: HostEvents[K]) => void)[];
    for (const h of list) h(event);
    return list.length;
  }
}
