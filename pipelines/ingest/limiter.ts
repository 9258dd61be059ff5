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
  private readonly hosts = new Map<string, { sem: Semaphore; nextStart: number }>();
  constructor(
    private readonly perHostConcurrency: number,
    /** Requests per second per host; 0 or Infinity means unlimited. */
    private readonly perHostRate: number,
  ) {}
  /** Waits until `host` has a free slot and its rate allows a new request; returns the release function. */
  async acquire(host: string): Promise<() => void> {
    let entry = this.hosts.get(host);
    if (!entry) {
      entry = { sem: new Semaphore(this.perHostConcurrency), nextStart: 0 };
      this.hosts.set(host, entry);
    }
    const release = await entry.sem.acquire();
    if (this.perHostRate > 0 && Number.isFinite(this.perHostRate)) {
      const now = Date.now();
      const start = Math.max(now, entry.nextStart);
      entry.nextStart = start + 1000 / this.perHostRate;
      if (start > now) await sleep(start - now);
    }
    return release;
  }
}
