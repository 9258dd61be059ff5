/**
 * Concurrency and rate limits for the fetcher: a counting semaphore, and per-host slots with a minimum
 * interval between request starts (a polite crawler's rate limit).
 */

/** A counting semaphore: at most `limit` holders at once, FIFO waiters. */
export class Semaphore {
  private active = 0;
  private readonly waiters: (() => void)[] = [];
  constructor(readonly limit: number) {
    if (!(limit >= 1)) throw new RangeError(`Semaphore limit must be >= 1, got ${limit}`);
  }
  /** Waits for a slot; the returned function releases it (call exactly once). */
  async acquire(): Promise<() => void> {
    if (this.active >= this.limit) await new Promise<void>((resolve) => this.waiters.push(resolve));
    else this.active++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiters.shift();
      if (next) next();
      else this.active--;
    };
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Per-host concurrency and request-rate limits. */
export class HostLimiter {
  private readonly hosts = new Map<string, { sem: Semaphore; nextStart: number; pausedUntil: number }>();
  constructor(
    private readonly perHostConcurrency: number,
    /** Requests per second per host; 0 or Infinity means unlimited. */
    private readonly perHostRate: number,
  ) {}
  private entry(host: string): { sem: Semaphore; nextStart: number; pausedUntil: number } {
    let entry = this.hosts.get(host);
    if (!entry) {
      entry = { sem: new Semaphore(this.perHostConcurrency), nextStart: 0, pausedUntil: 0 };
      this.hosts.set(host, entry);
    }
    return entry;
  }

  /** Waits until `host` has a free slot and its rate allows a new request; returns the release function. */
  async acquire(host: string): Promise<() => void> {
    const entry = this.entry(host);
    const release = await entry.sem.acquire();
    const rated = this.perHostRate > 0 && Number.isFinite(this.perHostRate);
    const now = Date.now();
    const start = Math.max(now, entry.nextStart, entry.pausedUntil);
    if (rated) entry.nextStart = start + 1000 / this.perHostRate;
    if (start > now) await sleep(start - now);
    return release;
  }

  /** After a 429: no new request to `host` starts for `ms` (requests already waiting for a slot wait too). */
  backOff(host: string, ms: number): void {
    const entry = this.entry(host);
    entry.pausedUntil = Math.max(entry.pausedUntil, Date.now() + ms);
  }
}

/**
 * A byte budget shared by every body being downloaded: a reservation waits while the bytes already reserved plus its
 * own would exceed the limit (one reservation alone may take the whole limit, so nothing waits forever).
 */
export class ByteBudget {
  private used = 0;
  private readonly waiters: { bytes: number; wake: () => void }[] = [];
  constructor(readonly limit: number) {
    if (!(limit >= 1)) throw new RangeError(`ByteBudget limit must be >= 1, got ${limit}`);
  }
  /** Bytes reserved now. */
  get reserved(): number {
    return this.used;
  }
  /** Waits until `bytes` fit, reserves them and returns the release function (call exactly once). */
  async reserve(bytes: number): Promise<() => void> {
    const want = Math.min(bytes, this.limit);
    if (this.waiters.length > 0 || this.used + want > this.limit) {
      await new Promise<void>((wake) => this.waiters.push({ bytes: want, wake }));
    } else this.used += want;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.used -= want;
      // FIFO: wake waiters in order while the first one fits.
      while (this.waiters.length > 0 && this.used + this.waiters[0]!.bytes <= this.limit) {
        const next = this.waiters.shift()!;
        this.used += next.bytes;
        next.wake();
      }
    };
  }
}
