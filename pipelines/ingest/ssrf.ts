/**
 * SSRF guard: a DNS lookup wrapper that refuses loopback, private, link-local and metadata addresses after
 * resolution (so DNS rebinding to an internal address is caught), plus a check for IP-literal hosts, which
 * never go through DNS.
 */
import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import { isIP } from 'node:net';
import { classifyAddress, isAddressAllowed } from './address.js';

/** Raised when the guard refuses an address; the fetcher turns it into a `blocked_address` row. */
export class BlockedAddressError extends Error {
  override readonly name = 'BlockedAddressError';
  readonly code = 'ERR_SIGFORGE_BLOCKED_ADDRESS';
  constructor(
    readonly host: string,
    readonly address: string,
  ) {
    super(`${host}: refused to connect to ${classifyAddress(address)} address ${address} (SSRF guard; allow it with ssrfAllow)`);
  }
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/** Builds a `net.connect` lookup function that resolves, then refuses any address outside the allow-list. */
export function guardedLookup(allow: readonly string[]) {
  return (hostname: string, options: LookupOptions, callback: LookupCallback): void => {
    dnsLookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, []);
      const blocked = addresses.find((a) => !isAddressAllowed(a.address, allow));
      if (blocked) return callback(new BlockedAddressError(hostname, blocked.address) as NodeJS.ErrnoException, []);
      if (options.all) return callback(null, addresses);
      const first = addresses[0];
      if (!first) return callback(Object.assign(new Error(`${hostname}: no addresses`), { code: 'ENOTFOUND' }), []);
      callback(null, first.address, first.family);
    });
  };
}

/** Throws BlockedAddressError when `hostname` is an IP literal outside the allow-list (DNS names pass here). */
export function checkLiteralHost(hostname: string, allow: readonly string[]): void {
  const bare = hostname.startsWith('[') ? hostname.slice(1, -1) : hostname;
  if (isIP(bare) === 0) return;
  if (!isAddressAllowed(bare, allow)) throw new BlockedAddressError(hostname, bare);
}

/** Finds a BlockedAddressError anywhere in an error's cause chain. */
export function findBlocked(err: unknown): BlockedAddressError | null {
  for (let e: unknown = err, depth = 0; e && depth < 8; e = (e as { cause?: unknown }).cause, depth++) {
    if (e instanceof BlockedAddressError) return e;
    if ((e as { code?: string }).code === 'ERR_SIGFORGE_BLOCKED_ADDRESS') return e as BlockedAddressError;
  }
  return null;
}
