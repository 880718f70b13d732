/**
 * Exit telemetry of one VM: counts per exit kind, as Palacios' telemetry counts VM exits. Data
 * exits (port I/O, MMIO, MSR, CPUID) happen inside instructions; control exits end a run slice.
 */
export class Telemetry {
  /** IN/OUT accesses dispatched through the port table (a string instruction counts each element). */
  ioExits = 0;
  /** Accesses to hooked or non-RAM guest-physical memory. */
  mmioExits = 0;
  /** RDMSR/WRMSR intercepts. */
  msrExits = 0;
  /** CPUID intercepts. */
  cpuidExits = 0;
  /** HLT exits. */
  hltExits = 0;
  /** Interrupt-window exits. */
  intrWindowExits = 0;
  /** Slices ended because the budget was spent. */
  budgetExits = 0;
  /** Slices ended on request (an IRQ raised mid-slice, a stop or pause). */
  requestedExits = 0;
  /** Shutdown (triple fault) exits. */
  shutdownExits = 0;
  /** Shadow paging: page faults taken on the shadow tables (each one an exit to the pager). */
  shadowPageFaults = 0;
  /** Shadow paging: of those, the ones the pager answered by filling a shadow entry. */
  shadowFills = 0;
  /** Shadow paging: of those, the ones that became a #PF for the guest. */
  shadowInjectedPfs = 0;
  /** Shadow paging: guest MOV CR3 (and task-switch CR3 loads) intercepted. */
  cr3Writes = 0;
  /** Shadow paging: guest CR0 (PE/PG/WP changes) and CR4 writes intercepted. */
  crWrites = 0;
  /** Shadow paging: guest INVLPG intercepted. */
  invlpgs = 0;
  /** External interrupts injected into the guest. */
  irqsInjected = 0;
  /** Guest instructions retired. */
  instructions = 0;
  /** Wall-clock milliseconds spent inside the run loop (excluding pauses). */
  runWallMs = 0;
  /** Unhooked ports the guest touched under `unhookedIo: 'float'`, with access counts. */
  floatedPorts: ReadonlyMap<number, number> = new Map();

  /** Total exits of every kind. */
  get totalExits(): number {
    return (
      this.ioExits + this.mmioExits + this.msrExits + this.cpuidExits + this.hltExits +
      this.intrWindowExits + this.budgetExits + this.requestedExits + this.shutdownExits +
      this.shadowPageFaults + this.cr3Writes + this.crWrites + this.invlpgs
    );
  }

  /** Millions of guest instructions per wall-clock second of running. */
  get mips(): number {
    return this.runWallMs > 0 ? this.instructions / (this.runWallMs * 1000) : 0;
  }

  /** A plain copy (for hosts that print or ship it). */
  snapshot(): V3Telemetry {
    return {
      exits: {
        io: this.ioExits,
        mmio: this.mmioExits,
        msr: this.msrExits,
        cpuid: this.cpuidExits,
        hlt: this.hltExits,
        interruptWindow: this.intrWindowExits,
        budget: this.budgetExits,
        requested: this.requestedExits,
        shutdown: this.shutdownExits,
        shadowPageFault: this.shadowPageFaults,
        cr3: this.cr3Writes,
        cr: this.crWrites,
        invlpg: this.invlpgs,
      },
      shadow: { fills: this.shadowFills, injectedPageFaults: this.shadowInjectedPfs },
      totalExits: this.totalExits,
      irqsInjected: this.irqsInjected,
      instructions: this.instructions,
      runWallMs: this.runWallMs,
      mips: this.mips,
      floatedPorts: [...this.floatedPorts].sort((a, b) => a[0] - b[0]).map(([port, count]) => ({ port, count })),
    };
  }
}

/** Telemetry as returned by `v3_get_telemetry`. */
export interface V3Telemetry {
  exits: {
    io: number;
    mmio: number;
    msr: number;
    cpuid: number;
    hlt: number;
    interruptWindow: number;
    budget: number;
    requested: number;
    shutdown: number;
    /** Shadow paging only: page faults on the shadow tables. */
    shadowPageFault: number;
    /** Shadow paging only: guest CR3 loads. */
    cr3: number;
    /** Shadow paging only: guest CR0 (PE/PG/WP changes) and CR4 writes. */
    cr: number;
    /** Shadow paging only: guest INVLPG. */
    invlpg: number;
  };
  /** How the shadow page faults ended: a shadow fill, or a #PF injected into the guest. */
  shadow: { fills: number; injectedPageFaults: number };
  totalExits: number;
  irqsInjected: number;
  instructions: number;
  runWallMs: number;
  mips: number;
  /** Unhooked ports the guest touched under `unhookedIo: 'float'`. */
  floatedPorts: { port: number; count: number }[];
}

/** Telemetry as printable lines. */
export function formatTelemetry(t: V3Telemetry): string {
  const e = t.exits;
  return [
    `telemetry: ${t.totalExits} exits: io=${e.io} mmio=${e.mmio} msr=${e.msr} cpuid=${e.cpuid} hlt=${e.hlt} ` +
      `intr-window=${e.interruptWindow} budget=${e.budget} requested=${e.requested} shutdown=${e.shutdown}`,
    ...(e.shadowPageFault + e.cr3 + e.cr + e.invlpg > 0
      ? [`telemetry: shadow paging: page-fault=${e.shadowPageFault} (fills=${t.shadow.fills} injected=${t.shadow.injectedPageFaults}) ` +
          `cr3=${e.cr3} cr0/cr4=${e.cr} invlpg=${e.invlpg}`]
      : []),
    `telemetry: ${t.irqsInjected} interrupts injected, ${t.instructions} instructions in ${t.runWallMs.toFixed(0)} ms, ` +
      `${t.mips.toFixed(1)} MIPS`,
    ...(t.floatedPorts.length
      ? [`telemetry: unhooked ports floated: ${t.floatedPorts.map((p) => `0x${p.port.toString(16)}×${p.count}`).join(' ')}`]
      : []),
  ].join('\n');
}
