/**
 * IP address classification for the SSRF guard. Pure: works on address strings, never resolves or connects.
 */
import { isIP } from 'node:net';
import { z } from 'zod';

/** What an address is, from the point of view of "may a web crawler connect to it". */
export type AddressClass =
  | 'public'
  | 'loopback'
  | 'private'
  | 'link-local'
  | 'metadata'
  | 'unspecified'
  | 'multicast'
  | 'reserved'
  | 'invalid';

/** Parses dotted IPv4 into a 32-bit unsigned number, or null. */
function ipv4ToNumber(ip: string): number | null {
  const parts = ip.split('.');
  if (parts.length !== 4) return null;
  let n = 0;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p)) return null;
    const v = Number(p);
    if (v > 255) return null;
    n = n * 256 + v;
  }
  return n;
}

function inV4(n: number, base: string, bits: number): boolean {
  const b = ipv4ToNumber(base)!;
  const size = 2 ** (32 - bits);
  return Math.floor(n / size) === Math.floor(b / size);
}

function classifyV4(ip: string): AddressClass {
  const n = ipv4ToNumber(ip);
  if (n === null) return 'invalid';
  if (n === ipv4ToNumber('169.254.169.254') || n === ipv4ToNumber('100.100.100.200')) return 'metadata';
  if (inV4(n, '0.0.0.0', 8)) return 'unspecified';
  if (inV4(n, '127.0.0.0', 8)) return 'loopback';
  if (inV4(n, '10.0.0.0', 8) || inV4(n, '172.16.0.0', 12) || inV4(n, '192.168.0.0', 16)) return 'private';
  if (inV4(n, '100.64.0.0', 10)) return 'private'; // carrier-grade NAT
  if (inV4(n, '169.254.0.0', 16)) return 'link-local';
  if (inV4(n, '224.0.0.0', 4)) return 'multicast';
  if (
    inV4(n, '240.0.0.0', 4) ||
    inV4(n, '192.0.0.0', 24) ||
    inV4(n, '192.0.2.0', 24) ||
    inV4(n, '198.18.0.0', 15) ||
    inV4(n, '198.51.100.0', 24) ||
    inV4(n, '203.0.113.0', 24)
  )
    return 'reserved';
  return 'public';
}

/** Expands an IPv6 string (with optional zone and embedded IPv4) into eight 16-bit groups, or null. */
function ipv6Groups(ip: string): number[] | null {
  let s = ip.replace(/%.*$/, '').toLowerCase();
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(s);
  if (v4) {
    const n = ipv4ToNumber(v4[1]!);
    if (n === null) return null;
    s = s.slice(0, -v4[1]!.length) + `${(n >>> 16).toString(16)}:${(n & 0xffff).toString(16)}`;
  }
  const halves = s.split('::');
  if (halves.length > 2) return null;
  const head = halves[0] ? halves[0].split(':') : [];
  const tail = halves.length === 2 && halves[1] ? halves[1].split(':') : [];
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return null;
  const groups = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...tail];
  const out: number[] = [];
  for (const g of groups) {
    if (!/^[0-9a-f]{1,4}$/.test(g)) return null;
    out.push(parseInt(g, 16));
  }
  return out;
}

type Groups = [number, number, number, number, number, number, number, number];

const v4Of = (hi: number, lo: number): string => `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
const worst = (...classes: AddressClass[]): AddressClass | null => classes.find((k) => k !== 'public') ?? null;

/**
 * Transition prefixes that carry an IPv4 address, which a relay or translator may forward to: NAT64 64:ff9b::/96,
 * local-use NAT64 64:ff9b:1::/48 (never public: RFC 8215 keeps it inside one network), 6to4 2002::/16 and Teredo
 * 2001::/32 (server and XOR-obfuscated client). Returns the class to use, or null when the prefix is not one of these.
 */
function classifyEmbeddedV4([a, b, c, d, e, f, g, h]: Groups): AddressClass | null {
  if (a === 0x64 && b === 0xff9b && c === 0 && d === 0 && e === 0 && f === 0) return classifyV4(v4Of(g, h));
  if (a === 0x64 && b === 0xff9b && c === 1) return worst(classifyV4(v4Of(g, h))) ?? 'private';
  if (a === 0x2002) return classifyV4(v4Of(b, c)) === 'public' ? null : classifyV4(v4Of(b, c));
  if (a === 0x2001 && b === 0) {
    return worst(classifyV4(v4Of(c, d)), classifyV4(v4Of(g ^ 0xffff, h ^ 0xffff)));
  }
  return null;
}

function classifyV6(ip: string): AddressClass {
  const g = ipv6Groups(ip);
  if (!g) return 'invalid';
  const [a, b, c, d, e, f, g6, h] = g as [number, number, number, number, number, number, number, number];
  const zeroPrefix = a === 0 && b === 0 && c === 0 && d === 0 && e === 0;
  if (zeroPrefix && f === 0 && g6 === 0 && h === 0) return 'unspecified';
  if (zeroPrefix && f === 0 && g6 === 0 && h === 1) return 'loopback';
  // IPv4-mapped (::ffff:a.b.c.d) and IPv4-compatible (::a.b.c.d): judge the embedded IPv4 address.
  if (zeroPrefix && (f === 0xffff || f === 0)) {
    return classifyV4(`${g6 >> 8}.${g6 & 255}.${h >> 8}.${h & 255}`);
  }
  const embedded = classifyEmbeddedV4(g as Groups);
  if (embedded) return embedded;
  if (a === 0xfd00 && b === 0x0ec2 && c === 0 && d === 0 && e === 0 && f === 0 && g6 === 0 && h === 0x254) {
    return 'metadata';
  } // AWS IMDS over IPv6: fd00:ec2::254
  if ((a & 0xfe00) === 0xfc00) return 'private'; // unique local fc00::/7
  if ((a & 0xffc0) === 0xfe80) return 'link-local';
  if ((a & 0xffc0) === 0xfec0) return 'private'; // deprecated site-local
  if ((a & 0xff00) === 0xff00) return 'multicast';
  if (a === 0x2001 && b === 0x0db8) return 'reserved'; // documentation
  return 'public';
}

/** Classifies an IPv4 or IPv6 address string (no brackets); anything unparsable is `invalid`. */
export function classifyAddress(address: string): AddressClass {
  const bare = address.startsWith('[') && address.endsWith(']') ? address.slice(1, -1) : address;
  const kind = isIP(bare.replace(/%.*$/, ''));
  if (kind === 4) return classifyV4(bare);
  if (kind === 6) return classifyV6(bare);
  return 'invalid';
}

/** A parsed allow-list entry: an address family, its base address and a prefix length within that family. */
export interface Cidr {
  family: 4 | 6;
  /** Eight 16-bit groups (IPv6) or two (IPv4, high then low half). */
  groups: number[];
  bits: number;
}

/**
 * Parses an allow-list entry strictly (`10.0.0.0/8`, `::1/128`, or a bare address); returns a reason string for
 * anything else. An empty, negative, fractional or out-of-range prefix is an error, never a wider range.
 */
export function parseCidr(text: string): Cidr | string {
  const slash = text.indexOf('/');
  const base = slash < 0 ? text : text.slice(0, slash);
  const bitsText = slash < 0 ? undefined : text.slice(slash + 1);
  const family = isIP(base);
  if (family === 0) return `${JSON.stringify(base)} is not an IPv4 or IPv6 address`;
  const max = family === 4 ? 32 : 128;
  if (bitsText !== undefined && !/^\d{1,3}$/.test(bitsText)) return `prefix ${JSON.stringify(bitsText)} is not a number 0-${max}`;
  const bits = bitsText === undefined ? max : Number(bitsText);
  if (bits > max) return `prefix /${bits} is longer than ${max} bits`;
  if (family === 4) {
    const n = ipv4ToNumber(base)!;
    return { family: 4, groups: [n >>> 16, n & 0xffff], bits };
  }
  if (base.includes('%')) return `${JSON.stringify(base)} has a zone index`;
  return { family: 6, groups: ipv6Groups(base)!, bits };
}

function groupsMatch(a: readonly number[], b: readonly number[], prefix: number): boolean {
  let bits = prefix;
  for (let i = 0; i < a.length && bits > 0; i++, bits -= 16) {
    const mask = bits >= 16 ? 0xffff : (0xffff << (16 - bits)) & 0xffff;
    if ((a[i]! & mask) !== (b[i]! & mask)) return false;
  }
  return true;
}

/**
 * Whether the address is inside a CIDR block (`10.0.0.0/8`, `::1/128`) or equal to a bare address. A malformed
 * entry matches nothing (the guard stays closed); config schemas reject such entries up front with {@link parseCidr}.
 */
export function addressInCidr(address: string, cidr: string): boolean {
  const parsed = parseCidr(cidr);
  if (typeof parsed === 'string' || classifyAddress(address) === 'invalid') return false;
  const bare = address.startsWith('[') && address.endsWith(']') ? address.slice(1, -1) : address;
  const v4 = ipv4ToNumber(bare);
  if (parsed.family === 4) return v4 !== null && groupsMatch([v4 >>> 16, v4 & 0xffff], parsed.groups, parsed.bits);
  const groups = v4 === null ? ipv6Groups(bare) : null;
  return groups !== null && groupsMatch(groups, parsed.groups, parsed.bits);
}

/** Zod refinement message for an allow-list entry, or undefined when it parses. */
export function cidrProblem(text: string): string | undefined {
  const parsed = parseCidr(text);
  return typeof parsed === 'string' ? `invalid SSRF allow-list entry ${JSON.stringify(text)}: ${parsed}` : undefined;
}

/** Whether the SSRF guard lets a connection to `address` through, given an allow-list of CIDRs/addresses. */
export function isAddressAllowed(address: string, allow: readonly string[] = []): boolean {
  if (allow.some((cidr) => addressInCidr(address, cidr))) return true;
  return classifyAddress(address) === 'public';
}

/** An SSRF allow-list as configs and fetcher options take it: every entry a strictly valid address or CIDR. */
export const SsrfAllowSchema = z.array(
  z.string().superRefine((text, ctx) => {
    const problem = cidrProblem(text);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  }),
);
