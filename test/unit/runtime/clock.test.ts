import { afterEach, describe, expect, it, vi } from 'vitest';
import { ownSignal, pause, withOwnSignal } from '../../../src/runtime/clock.js';

describe('pause', () => {
  afterEach(() => vi.useRealTimers());

  it('resolves after the delay and leaves no abort listener behind', async () => {
    vi.useFakeTimers();
    const ac = new AbortController();
    const remove = vi.spyOn(ac.signal, 'removeEventListener');
    let done = false;
    const p = pause(100, ac.signal).then(() => (done = true));
    await vi.advanceTimersByTimeAsync(99);
    expect(done).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await p;
    expect(done).toBe(true);
    expect(remove).toHaveBeenCalledWith('abort', expect.any(Function));
  });

  it('resolves (does not reject) as soon as the signal aborts, and clears the timer', async () => {
    vi.useFakeTimers();
    const ac = new AbortController();
    const p = pause(60_000, ac.signal);
    ac.abort();
    await expect(p).resolves.toBeUndefined();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('resolves at once for an already aborted signal', async () => {
    vi.useFakeTimers();
    await expect(pause(60_000, AbortSignal.abort())).resolves.toBeUndefined();
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe('ownSignal', () => {
  it('follows the parent with its reason, has no listener cap, and detaches on dispose', async () => {
    const parent = new AbortController();
    const own = ownSignal(parent.signal);
    // Past the default cap of 10 listeners Node would warn (MaxListenersExceededWarning).
    const warnings: Error[] = [];
    const onWarning = (w: Error): void => void warnings.push(w);
    process.on('warning', onWarning);
    for (let i = 0; i < 20; i++) own.signal.addEventListener('abort', () => undefined);
    await new Promise((r) => setImmediate(r));
    process.off('warning', onWarning);
    expect(warnings.filter((w) => w.name === 'MaxListenersExceededWarning')).toEqual([]);
    expect(own.signal.aborted).toBe(false);
    parent.abort('stop');
    expect(own.signal.aborted).toBe(true);
    expect(own.signal.reason).toBe('stop');

    const other = new AbortController();
    const detached = ownSignal(other.signal);
    detached.dispose();
    other.abort();
    expect(detached.signal.aborted).toBe(false);
  });

  it('starts aborted under an aborted parent', () => {
    expect(ownSignal(AbortSignal.abort()).signal.aborted).toBe(true);
  });
});

describe('withOwnSignal', () => {
  it('hands fn a signal that follows the parent while it runs, and detaches it afterwards', async () => {
    const parent = new AbortController();
    let inner: AbortSignal | undefined;
    await expect(withOwnSignal(parent.signal, async (s) => ((inner = s), 7))).resolves.toBe(7);
    parent.abort();
    expect(inner?.aborted).toBe(false);

    const p2 = new AbortController();
    const running = withOwnSignal(p2.signal, (s) => new Promise<string>((resolve) => s.addEventListener('abort', () => resolve('stopped'))));
    p2.abort();
    await expect(running).resolves.toBe('stopped');
  });
});
