import { fn, type ScalarFunction } from './scalar-function.js';
import { flattenList, type KValue } from './values.js';

/**
 * IPv4 functions as Kusto documents them: an address may carry an IP-prefix (`10.1.2.3/24`),
 * which masks it; text that is not an IPv4 address gives null, never false.
 */
interface Ipv4 {
  /** The address with its own prefix applied, as an unsigned 32-bit number. */
  value: number;
  prefix: number;
}

function parseIpv4(text: KValue | undefined): Ipv4 | undefined {
  if (typeof text !== 'string') return undefined;
  const match = /^\s*(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})(?:\/(\d{1,2}))?\s*$/.exec(text);
  if (!match) return undefined;
  const octets = match.slice(1, 5).map(Number);
  const prefix = match[5] === undefined ? 32 : Number(match[5]);
  if (octets.some((octet) => octet > 255) || prefix > 32) return undefined;
  const address = octets.reduce((sum, octet) => sum * 256 + octet, 0);
  return { value: masked(address, prefix), prefix };
}

function masked(address: number, prefix: number): number {
  return prefix === 0 ? 0 : (address & (~0 << (32 - prefix))) >>> 0;
}

function inRange(address: Ipv4, range: Ipv4): boolean {
  return masked(address.value, range.prefix) === range.value;
}

const PRIVATE_RANGES = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'].map((range) => parseIpv4(range)!);

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
};
