/**
 * The HTTP fetcher (undici): global and per-host concurrency, per-host rate limit, connect/total timeouts,
 * retries with exponential backoff and jitter honouring Retry-After, max body size, manual redirects with loop
 * detection, content sniffing, X-Robots-Tag opt-outs and the SSRF guard. Every failure is a `RowError`.
 */
import { Agent, request, type Dispatcher } from 'undici';
import { z } from 'zod';
import { SsrfAllowSchema } from './address.js';
import { ACCEPT_ENCODING, readBody } from './body.js';
import { RowError } from './errors.js';
import { DEFAULT_REDACTED_PARAMS, RedactParamsSchema, redactIn, redactUrl } from './redact.js';
import { ByteBudget, HostLimiter, Semaphore } from './limiter.js';
import { sniffImage, describeBody, type ImageFormat } from './sniff.js';
import { checkLiteralHost, findBlocked, guardedLookup } from './ssrf.js';

/** Fetcher settings; every field has a default suited to polite web crawling. */
export const FetchOptionsSchema = z.object({
  concurrency: z.number().int().min(1).default(64),
  perHostConcurrency: z.number().int().min(1).default(16),
  /** Request starts per second per host; 0 = unlimited. */
  perHostRate: z.number().min(0).default(0),
  connectTimeoutMs: z.number().int().min(1).default(10_000),
  /** Whole-request budget per attempt (headers and body). */
  timeoutMs: z.number().int().min(1).default(30_000),
  retries: z.number().int().min(0).default(2),
  backoffBaseMs: z.number().min(0).default(500),
  /** Longest Retry-After we wait for inside one run; longer ones leave the row retryable for later. */
  maxRetryAfterMs: z.number().min(0).default(30_000),
  maxBodyBytes: z.number().int().min(1).default(32 * 1024 * 1024),
  /**
   * Bytes of bodies one fetcher buffers at once, across all its downloads (each reserves its Content-Length, or
   * maxBodyBytes when none is given, before reading): 64 downloads of 32 MiB must not mean 2 GiB.
   */
  maxBufferedBytes: z.number().int().min(1).default(256 * 1024 * 1024),
  maxRedirects: z.number().int().min(0).default(5),
  userAgent: z.string().default('sigforge/0.1 (+https://github.com/sigforge/sigforge; image-text dataset builder)'),
  /** Honour X-Robots-Tag noai/noimageai/noindex/noimageindex. */
  respectRobotsTag: z.boolean().default(true),
  /** CIDRs or addresses the SSRF guard lets through (tests, internal mirrors). Empty = guard fully on. */
  ssrfAllow: SsrfAllowSchema.default([]),
  /** Query parameters whose values never reach records, errors or histories (signed-URL signatures, tokens). */
  redactQueryParams: RedactParamsSchema.default([...DEFAULT_REDACTED_PARAMS]),
});
/** Parsed fetcher settings. */
export type FetchOptions = z.infer<typeof FetchOptionsSchema>;

/** A fetched image body. */
export interface FetchResult {
  bytes: Uint8Array;
  format: ImageFormat;
  contentType: string | null;
  finalUrl: string;
}

const OPT_OUT = new Set(['noai', 'noimageai', 'noindex', 'noimageindex']);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Parses Retry-After into milliseconds, or undefined: delay-seconds (a fraction such as `1.5` too, which some
 * servers send) or an HTTP date, which always names a weekday or month; anything else is not a date.
 */
export function parseRetryAfter(value: string | undefined, now = Date.now()): number | undefined {
  const v = value?.trim();
  if (!v) return undefined;
  if (/^\d+(\.\d+)?$/.test(v)) return Math.round(Number(v) * 1000);
  if (!/[a-z]/i.test(v)) return undefined;
  const t = Date.parse(v);
  return Number.isNaN(t) ? undefined : Math.max(0, t - now);
}

/** Returns the opt-out directive found in X-Robots-Tag values (with or without a user-agent prefix), or null. */
export function robotsOptOut(values: string | string[] | undefined): string | null {
  for (const v of [values ?? []].flat()) {
    for (const part of v.toLowerCase().split(/[,;]/)) {
      const token = part.includes(':') ? part.slice(part.lastIndexOf(':') + 1) : part;
      if (OPT_OUT.has(token.trim())) return token.trim();
    }
  }
  return null;
}

const header = (h: Dispatcher.ResponseData['headers'], name: string): string | undefined => {
  const v = h[name];
  return Array.isArray(v) ? v[0] : v;
};

/** Downloads image bytes politely and safely; one instance per worker process. */
export class Fetcher {
  readonly options: FetchOptions;
  private readonly agent: Agent;
  private readonly global: Semaphore;
  private readonly hosts: HostLimiter;
  private readonly budget: ByteBudget;

  constructor(options: Partial<FetchOptions> = {}) {
    this.options = FetchOptionsSchema.parse(options);
    this.agent = new Agent({
      connect: { timeout: this.options.connectTimeoutMs, lookup: guardedLookup(this.options.ssrfAllow) },
      connections: this.options.perHostConcurrency,
      keepAliveTimeout: 10_000,
    });
    this.global = new Semaphore(this.options.concurrency);
    this.hosts = new HostLimiter(this.options.perHostConcurrency, this.options.perHostRate);
    this.budget = new ByteBudget(this.options.maxBufferedBytes);
  }

  /** Fetches one URL, retrying transient failures; throws RowError with the row's final status. */
  async fetch(url: string): Promise<FetchResult> {
    for (let attempt = 0; ; attempt++) {
      // The global slot is held per attempt, never across a back-off sleep: one slow host must not starve the others.
      const release = await this.global.acquire();
      let rowErr: RowError;
      try {
        return await this.fetchFollowingRedirects(url);
      } catch (err) {
        rowErr = err instanceof RowError ? err : this.classify(err, url);
      } finally {
        release();
      }
      if (!rowErr.retryable || attempt >= this.options.retries) throw rowErr;
      const backoff = this.options.backoffBaseMs * 2 ** attempt * (0.5 + Math.random());
      const wait = rowErr.retryAfterMs ?? backoff;
      if (wait > this.options.maxRetryAfterMs) throw rowErr;
      await sleep(wait);
    }
  }

  /** The URL as records and errors may show it: no userinfo, secret query values replaced. */
  redact(url: string): string {
    return redactUrl(url, this.options.redactQueryParams);
  }

  /** Closes pooled connections. */
  async close(): Promise<void> {
    await this.agent.close();
  }

  private async fetchFollowingRedirects(startUrl: string): Promise<FetchResult> {
    const seen = new Set<string>();
    let url = startUrl;
    for (let hop = 0; ; hop++) {
      let parsed: URL;
      try {
        parsed = new URL(url);
      } catch (cause) {
        throw new RowError('invalid_input', `not a valid URL: ${JSON.stringify(this.redact(url))}`, startUrl, { cause });
      }
      if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
        throw new RowError('invalid_input', `unsupported URL scheme ${parsed.protocol} (http and https only)`, startUrl);
      }
      if (seen.has(parsed.href)) {
        throw new RowError('redirect_loop', `redirect loop: ${this.redact(parsed.href)} seen twice`, startUrl);
      }
      if (hop > this.options.maxRedirects) {
        throw new RowError('redirect_loop', `more than ${this.options.maxRedirects} redirects`, startUrl);
      }
      seen.add(parsed.href);
      const next = await this.fetchOnce(parsed, startUrl);
      if (typeof next === 'string') url = next;
      else return next;
    }
  }

  /** One request; returns the redirect target or the result. */
  private async fetchOnce(url: URL, startUrl: string): Promise<FetchResult | string> {
    try {
      checkLiteralHost(url.hostname, this.options.ssrfAllow);
    } catch (cause) {
      throw new RowError('blocked_address', (cause as Error).message, startUrl, { cause });
    }
    const release = await this.hosts.acquire(url.host);
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(new Error('timeout')), this.options.timeoutMs);
    try {
      const res = await request(url, {
        dispatcher: this.agent,
        method: 'GET',
        headers: { 'user-agent': this.options.userAgent, accept: 'image/*,*/*;q=0.5', 'accept-encoding': ACCEPT_ENCODING },
        signal: abort.signal,
        headersTimeout: this.options.timeoutMs,
        bodyTimeout: this.options.timeoutMs,
      });
      const status = res.statusCode;
      if (status >= 300 && status < 400 && header(res.headers, 'location')) {
        await res.body.dump();
        return new URL(header(res.headers, 'location')!, url).href;
      }
      if (status < 200 || status >= 300) {
        await res.body.dump().catch(() => undefined);
        const retryable = status >= 500 || status === 429 || status === 408;
        const retryAfterMs = parseRetryAfter(header(res.headers, 'retry-after'));
        // A 429 slows the whole host down, not only this row: its other slots wait too.
        if (status === 429) this.hosts.backOff(url.host, retryAfterMs ?? this.options.backoffBaseMs);
        throw new RowError('http_error', `HTTP ${status} from ${this.redact(url.href)}`, startUrl, { retryable, retryAfterMs });
      }
      if (this.options.respectRobotsTag) {
        const optOut = robotsOptOut(res.headers['x-robots-tag']);
        if (optOut) {
          await res.body.dump().catch(() => undefined);
          throw new RowError('opted_out', `X-Robots-Tag: ${optOut}`, startUrl);
        }
      }
      const declared = Number(header(res.headers, 'content-length') ?? NaN);
      if (declared > this.options.maxBodyBytes) {
        res.body.destroy();
        throw new RowError('too_large', `Content-Length ${declared} exceeds maxBodyBytes ${this.options.maxBodyBytes}`, startUrl);
      }
      const reserve = Number.isFinite(declared) && header(res.headers, 'content-encoding') === undefined ? declared : this.options.maxBodyBytes;
      const unreserve = await this.budget.reserve(Math.max(1, reserve));
      let bytes: Buffer;
      try {
        bytes = await readBody({
          body: res.body,
          contentEncoding: header(res.headers, 'content-encoding'),
          declared,
          maxBytes: this.options.maxBodyBytes,
          url: startUrl,
        });
      } finally {
        unreserve();
      }
      const format = sniffImage(bytes);
      const contentType = header(res.headers, 'content-type') ?? null;
      if (!format) {
        throw new RowError('not_image', `body is ${describeBody(bytes)} (Content-Type ${contentType ?? 'absent'})`, startUrl);
      }
      return { bytes: new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), format, contentType, finalUrl: url.href };
    } catch (err) {
      if (err instanceof RowError) throw err;
      if (abort.signal.aborted) {
        throw new RowError('timeout', `no complete response within ${this.options.timeoutMs} ms`, startUrl, { cause: err, retryable: true });
      }
      throw this.classify(err, startUrl);
    } finally {
      clearTimeout(timer);
      release();
    }
  }

  private classify(err: unknown, url: string): RowError {
    const blocked = findBlocked(err);
    if (blocked) return new RowError('blocked_address', blocked.message, url, { cause: err });
    const code = (err as { code?: string }).code ?? '';
    const message = redactIn((err as Error).message ?? String(err), url, this.options.redactQueryParams);
    if (/TIMEOUT/i.test(code)) {
      return new RowError('timeout', `${code}: ${message}`, url, { cause: err, retryable: true });
    }
    return new RowError('network_error', `${code || 'error'}: ${message}`, url, { cause: err, retryable: true });
  }
}
