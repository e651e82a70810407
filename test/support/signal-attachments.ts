// What stays attached to the AbortSignals a test's code uses: abort listeners, and the
// entries AbortSignal.any leaves in each source signal's dependant set (Node 20 keeps one
// per call until the source aborts). Tracking patches addEventListener and AbortSignal.any
// for the process until stop(); signals are held weakly.
import { getEventListeners } from 'node:events';

export interface SignalAttachments {
  /** The most abort listeners on one live, not aborted signal. */
  maxListeners(): number;
  /** The largest dependant set of one live, not aborted signal. */
  maxDependants(): number;
  stop(): void;
}

function dependantsSymbol(): symbol {
  const probe = new AbortController().signal;
  AbortSignal.any([probe]);
  const sym = Object.getOwnPropertySymbols(probe).find((s) => s.description === 'kDependantSignals');
  if (!sym) throw new Error(`node ${process.version} keeps AbortSignal.any dependants elsewhere: update test/support/signal-attachments.ts`);
  return sym;
}

export function trackSignalAttachments(): SignalAttachments {
  const deps = dependantsSymbol();
  const refs = new Set<WeakRef<AbortSignal>>();
  const seen = new WeakSet<AbortSignal>();
  const remember = (s: AbortSignal): void => {
    if (seen.has(s)) return;
    seen.add(s);
    refs.add(new WeakRef(s));
  };
  const add = EventTarget.prototype.addEventListener;
  const any = AbortSignal.any;
  EventTarget.prototype.addEventListener = function (this: EventTarget, ...args: Parameters<EventTarget['addEventListener']>) {
    if (args[0] === 'abort' && this instanceof AbortSignal) remember(this);
    return add.apply(this, args);
  };
  AbortSignal.any = (signals: AbortSignal[]) => {
    for (const s of signals) remember(s);
    return any.call(AbortSignal, signals);
  };
  const live = (): AbortSignal[] => [...refs].map((r) => r.deref()).filter((s): s is AbortSignal => s !== undefined && !s.aborted);
  return {
    maxListeners: () => Math.max(0, ...live().map((s) => getEventListeners(s, 'abort').length)),
    maxDependants: () => Math.max(0, ...live().map((s) => ((s as unknown as Record<symbol, Set<unknown> | undefined>)[deps]?.size ?? 0))),
    stop: () => {
      EventTarget.prototype.addEventListener = add;
      AbortSignal.any = any;
    },
  };
}
