// Latency bounds in tests that run the product in the test process (sandbox, controllers, DNS
// server), on a shared machine: a process descheduled or busy for a second inflates a
// sub-second figure it does not own. A stall meter ticks every few ms and adds up how late its
// ticks ran beyond a small allowance; `activeMs` is the wall time less those stalls: the time
// the process could run its timers, which is what a product latency is made of. Figures on an
// idle machine belong to the benchmarks under bench/; tests bound `activeMs` and keep a
// generous bound on the wall time (their poll timeout).

export interface StallFigures {
  wallMs: number;
  /** time the event loop ran late beyond the allowance, summed over ticks */
  stalledMs: number;
  /** wallMs - stalledMs */
  activeMs: number;
}

export interface StallMeter {
  /** Figures since the start, including a stall still in progress. */
  read(): StallFigures;
  /** Stops ticking and returns the final figures. */
  stop(): StallFigures;
}

/**
 * Starts a meter. A tick later than `tickMs + allowanceMs` counts the excess as stalled;
 * ordinary timer jitter (a few ms) does not.
 */
export function startStallMeter(tickMs = 5, allowanceMs = 20): StallMeter {
  const started = performance.now();
  let last = started;
  let stalled = 0;
  const excess = (now: number): number => Math.max(0, now - last - tickMs - allowanceMs);
  const timer = setInterval(() => {
    const now = performance.now();
    stalled += excess(now);
    last = now;
  }, tickMs);
  timer.unref();
  const read = (): StallFigures => {
    const now = performance.now();
    const stalledMs = stalled + excess(now);
    const wallMs = now - started;
    return { wallMs, stalledMs, activeMs: wallMs - stalledMs };
  };
  let final: StallFigures | undefined;
  return {
    read: () => final ?? read(),
    stop() {
      final ??= read();
      clearInterval(timer);
      return final;
    },
  };
}

/** For log lines: "134 ms (wall 1234 ms, stalled 1100 ms)". */
export function formatStall(f: StallFigures): string {
  return `${f.activeMs.toFixed(0)} ms (wall ${f.wallMs.toFixed(0)} ms, stalled ${f.stalledMs.toFixed(0)} ms)`;
}

/** Runs `fn` under a meter; the figures once it resolved (the meter stops either way). */
export async function measureStalls(fn: () => Promise<unknown>): Promise<StallFigures> {
  const meter = startStallMeter();
  try {
    await fn();
  } finally {
    meter.stop();
  }
  return meter.read();
}
