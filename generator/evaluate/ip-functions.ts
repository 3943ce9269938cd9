import { asLong } from './arithmetic.js';
import { fn, type ScalarFunction } from './scalar-function.js';
import { flattenList, isNumeric, toKustoString, type KValue } from './values.js';

/**
 * IPv4 and IPv6 functions as Kusto documents them. An address may carry an IP-prefix
 * (`10.1.2.3/24`), which masks it; text that is not an address gives null (or "" where the function
 * returns a string), never false. IPv4 addresses compare with IPv6 ones as ::ffff:a.b.c.d, their
 * prefix counted from bit 96.
 */
interface Ipv4 {
  /** The address with its own prefix applied, as an unsigned 32-bit number. */
  value: number;
  prefix: number;
}

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

function octets(text: string): number | undefined {
  const match = IPV4.exec(text);
  if (!match) return undefined;
  const parts = match.slice(1, 5).map(Number);
  if (parts.some((octet) => octet > 255)) return undefined;
  return parts.reduce((sum, octet) => sum * 256 + octet, 0);
}

export function parseIpv4(input: KValue | undefined): Ipv4 | undefined {
  if (typeof input !== 'string') return undefined;
  const text = input.trim();
  const slash = text.indexOf('/');
  const address = octets(slash === -1 ? text : text.slice(0, slash));
  if (address === undefined) return undefined;
  let prefix = 32;
  if (slash !== -1) {
    const suffix = text.slice(slash + 1);
    if (!/^\d{1,2}$/.test(suffix) || Number(suffix) > 32) return undefined;
    prefix = Number(suffix);
  }
  return { value: masked(address, prefix), prefix };
}

function masked(address: number, prefix: number): number {
  return prefix <= 0 ? 0 : prefix >= 32 ? address >>> 0 : (address & (~0 << (32 - prefix))) >>> 0;
}

function formatIpv4(value: number): string {
  return [24, 16, 8, 0].map((shift) => (value >>> shift) & 255).join('.');
}

function inRange(address: Ipv4, range: Ipv4): boolean {
  return masked(address.value, range.prefix) === range.value;
}

/** A prefix argument (0..max); undefined when left out, null when it is not a valid prefix. */
function prefixArg(value: KValue | undefined, max: number): number | null | undefined {
  if (value === undefined) return undefined;
  const n = asLong(value ?? null);
  if (n === null) return null;
  const p = Number(n);
  return p < 0 || p > max ? null : p;
}

function compareIpv4(a: KValue | undefined, b: KValue | undefined, prefix: KValue | undefined): number | null {
  const x = parseIpv4(a);
  const y = parseIpv4(b);
  const p = prefixArg(prefix, 32);
  if (!x || !y || p === null) return null;
  const bits = Math.min(x.prefix, y.prefix, p ?? 32);
  const u = masked(x.value, bits);
  const v = masked(y.value, bits);
  return u === v ? 0 : u > v ? 1 : -1;
}

const PRIVATE_RANGES = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'].map((range) => parseIpv4(range)!);

// ---- IPv6

interface Ipv6 {
  value: bigint;
  prefix: number;
}

function ipv6Address(text: string): bigint | undefined {
  const v4 = octets(text);
  if (v4 !== undefined) return (0xffffn << 32n) | BigInt(v4);
  let head = text;
  let tailV4: number | undefined;
  const lastColon = text.lastIndexOf(':');
  if (lastColon !== -1 && text.slice(lastColon + 1).includes('.')) {
    tailV4 = octets(text.slice(lastColon + 1));
    if (tailV4 === undefined) return undefined;
    head = `${text.slice(0, lastColon + 1)}0:0`;
  }
  const halves = head.split('::');
  if (halves.length > 2) return undefined;
  const groups = (part: string) => (part === '' ? [] : part.split(':'));
  const left = groups(halves[0]!);
  const right = halves.length === 2 ? groups(halves[1]!) : [];
  const missing = 8 - left.length - right.length;
  if ((halves.length === 1 && missing !== 0) || (halves.length === 2 && missing < 1)) return undefined;
  const all = [...left, ...Array.from({ length: halves.length === 2 ? missing : 0 }, () => '0'), ...right];
  if (all.length !== 8 || all.some((g) => !/^[0-9a-fA-F]{1,4}$/.test(g))) return undefined;
  let value = all.reduce((sum, g) => (sum << 16n) | BigInt(parseInt(g, 16)), 0n);
  if (tailV4 !== undefined) value = (value & ~0xffffffffn) | BigInt(tailV4);
  return value;
}

function maskedV6(value: bigint, prefix: number): bigint {
  if (prefix <= 0) return 0n;
  if (prefix >= 128) return value;
  const mask = ((1n << BigInt(prefix)) - 1n) << BigInt(128 - prefix);
  return value & mask;
}

export function parseIpv6(input: KValue | undefined): Ipv6 | undefined {
  if (typeof input !== 'string') return undefined;
  const text = input.trim();
  const slash = text.indexOf('/');
  let addressText = slash === -1 ? text : text.slice(0, slash);
  // ::a.b.c.d is read as the IPv4 address a.b.c.d, its prefix an IPv4 prefix (parse-ipv6-mask-function.md's examples).
  if (/^::\d{1,3}(\.\d{1,3}){3}$/.test(addressText)) addressText = addressText.slice(2);
  const value = ipv6Address(addressText);
  if (value === undefined) return undefined;
  const isV4 = octets(addressText) !== undefined;
  let prefix = 128;
  if (slash !== -1) {
    const suffix = text.slice(slash + 1);
    if (!/^\d{1,3}$/.test(suffix)) return undefined;
    const p = Number(suffix);
    if (p > (isV4 ? 32 : 128)) return undefined;
    prefix = isV4 ? 96 + p : p;
  }
  return { value: maskedV6(value, prefix), prefix };
}

function formatIpv6(value: bigint): string {
  return Array.from({ length: 8 }, (_, i) => ((value >> BigInt(112 - 16 * i)) & 0xffffn).toString(16).padStart(4, '0')).join(':');
}

function compareIpv6(a: KValue | undefined, b: KValue | undefined, prefix: KValue | undefined): number | null {
  const x = parseIpv6(a);
  const y = parseIpv6(b);
  const p = prefixArg(prefix, 128);
  if (!x || !y || p === null) return null;
  const bits = Math.min(x.prefix, y.prefix, p ?? 128);
  const u = maskedV6(x.value, bits);
  const v = maskedV6(y.value, bits);
  return u === v ? 0 : u > v ? 1 : -1;
}

// ---- IPv4 addresses in text (has_ipv4 and kin)

const IP_CHARACTER = /[0-9A-Za-z.]/;

/** Where `needle` stands in `text` with no letter, digit or dot touching it on either side. */
function delimitedAt(text: string, needle: string, at: number): boolean {
  const before = text[at - 1];
  const after = text[at + needle.length];
  return (before === undefined || !IP_CHARACTER.test(before)) && (after === undefined || !IP_CHARACTER.test(after));
}

function hasIpv4(source: string, ip: string): boolean {
  if (octets(ip) === undefined) return false;
  for (let at = source.indexOf(ip); at !== -1; at = source.indexOf(ip, at + 1)) if (delimitedAt(source, ip, at)) return true;
  return false;
}

/** A prefix is a whole address, or one to three octets followed by a dot. */
function validPrefix(prefix: string): boolean {
  if (octets(prefix) !== undefined) return true;
  return /^(\d{1,3}\.){1,3}$/.test(prefix) && prefix.split('.').slice(0, -1).every((o) => Number(o) <= 255);
}

function hasIpv4Prefix(source: string, prefix: string): boolean {
  if (!validPrefix(prefix)) return false;
  for (let at = source.indexOf(prefix); at !== -1; at = source.indexOf(prefix, at + 1)) {
    const token = /^\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}/.exec(source.slice(at));
    if (token && octets(token[0]) !== undefined && delimitedAt(source, token[0], at)) return true;
  }
  return false;
}

/** ipv4_range_to_cidr_list: the fewest CIDR blocks that cover start..end. */
function cidrList(start: number, end: number): string[] {
  const out: string[] = [];
  let from = start;
  while (from <= end) {
    let size = 32;
    while (size > 0) {
      const block = 2 ** (32 - (size - 1));
      if (from % block !== 0 || from + block - 1 > end) break;
      size--;
    }
    out.push(`${formatIpv4(from)}/${size}`);
    from += 2 ** (32 - size);
  }
  return out;
}

export const IP_FUNCTIONS: Record<string, ScalarFunction> = {
  ipv4_is_private: fn(1, 1, ([text]) => {
    const address = parseIpv4(text);
    return address ? PRIVATE_RANGES.some((range) => inRange(address, range)) : null;
  }),
  ipv4_is_in_range: fn(2, 2, ([text, rangeText]) => {
    const address = parseIpv4(text);
    const range = parseIpv4(rangeText);
    return address && range ? inRange(address, range) : null;
  }),
  /** Ranges as separate arguments or as one dynamic array; null when any of them is not IPv4. */
  ipv4_is_in_any_range: fn(2, 64, ([text, ...rangeArgs]) => {
    const address = parseIpv4(text);
    const ranges = flattenList(rangeArgs).map(parseIpv4);
    if (!address || ranges.some((range) => range === undefined)) return null;
    return ranges.some((range) => inRange(address, range!));
  }),
  ipv4_compare: fn(2, 3, ([a, b, prefix]) => compareIpv4(a, b, prefix)),
  ipv4_is_match: fn(2, 3, ([a, b, prefix]) => {
    const c = compareIpv4(a, b, prefix);
    return c === null ? null : c === 0;
  }),
  ipv4_netmask_suffix: fn(1, 1, ([text]) => parseIpv4(text)?.prefix ?? null),
  parse_ipv4: fn(1, 1, ([text]) => parseIpv4(text)?.value ?? null),
  parse_ipv4_mask: fn(2, 2, ([text, prefix]) => {
    const address = parseIpv4(text);
    const p = prefixArg(prefix, 32);
    return address && typeof p === 'number' ? masked(address.value, Math.min(p, address.prefix)) : null;
  }),
  format_ipv4: fn(1, 2, ([ip, prefix]) => {
    const address = isNumeric(ip ?? null) ? { value: Number(ip) >>> 0, prefix: 32 } : parseIpv4(ip);
    const p = prefixArg(prefix, 32);
    if (!address || p === null) return '';
    return formatIpv4(masked(address.value, Math.min(address.prefix, p ?? 32)));
  }),
  format_ipv4_mask: fn(1, 2, ([ip, prefix]) => {
    const address = isNumeric(ip ?? null) ? { value: Number(ip) >>> 0, prefix: 32 } : parseIpv4(ip);
    const p = prefixArg(prefix, 32);
    if (!address || p === null) return '';
    const bits = Math.min(address.prefix, p ?? 32);
    return `${formatIpv4(masked(address.value, bits))}/${bits}`;
  }),
  ipv4_range_to_cidr_list: fn(2, 2, ([startText, endText]) => {
    const start = parseIpv4(startText);
    const end = parseIpv4(endText);
    if (!start || !end || start.value > end.value) return null;
    return cidrList(start.value, end.value);
  }),
  has_ipv4: fn(2, 2, ([source, ip]) => hasIpv4(toKustoString(source ?? null), toKustoString(ip ?? null))),
  has_ipv4_prefix: fn(2, 2, ([source, prefix]) => hasIpv4Prefix(toKustoString(source ?? null), toKustoString(prefix ?? null))),
  has_any_ipv4: fn(2, 64, ([source, ...ips]) => flattenList(ips).some((ip) => hasIpv4(toKustoString(source ?? null), toKustoString(ip)))),
  has_any_ipv4_prefix: fn(2, 64, ([source, ...prefixes]) => flattenList(prefixes).some((p) => hasIpv4Prefix(toKustoString(source ?? null), toKustoString(p)))),
  parse_ipv6: fn(1, 1, ([text]) => {
    const address = parseIpv6(text);
    return address ? formatIpv6(address.value) : '';
  }),
  parse_ipv6_mask: fn(2, 2, ([text, prefix]) => {
    const address = parseIpv6(text);
    const p = prefixArg(prefix, 128);
    return address && typeof p === 'number' ? formatIpv6(maskedV6(address.value, Math.min(p, address.prefix))) : '';
  }),
  ipv6_compare: fn(2, 3, ([a, b, prefix]) => compareIpv6(a, b, prefix)),
  ipv6_is_match: fn(2, 3, ([a, b, prefix]) => {
    const c = compareIpv6(a, b, prefix);
    return c === null ? null : c === 0;
  }),
  ipv6_is_in_range: fn(2, 2, ([text, rangeText]) => {
    const address = parseIpv6(text);
    const range = parseIpv6(rangeText);
    return address && range ? maskedV6(address.value, range.prefix) === range.value : null;
  }),
  ipv6_is_in_any_range: fn(2, 64, ([text, ...rangeArgs]) => {
    const address = parseIpv6(text);
    const ranges = flattenList(rangeArgs).map(parseIpv6);
    if (!address || ranges.some((range) => range === undefined)) return null;
    return ranges.some((range) => maskedV6(address.value, range!.prefix) === range!.value);
  }),
};
