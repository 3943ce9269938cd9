import { createHash } from 'node:crypto';
import { deflateSync, gunzipSync, gzipSync, inflateSync } from 'node:zlib';
import { asLong } from './arithmetic.js';
import { toGuid } from './convert.js';
import { fn, type ScalarFunction } from './scalar-function.js';
import { isNumeric, KDateTime, KTimespan, longValue, MIN_DATETIME_TICKS, toKustoString, type KValue } from './values.js';

/**
 * Hashes, base64, compression and other encodings. Where the documentation's examples show how a
 * value is turned into bytes, that is followed: hash_xxhash64 of a datetime hashes its 8-byte
 * little-endian ticks since 0001-01-01 (the hash-xxhash64 page's example), hash_sha1 of a datetime
 * its text (the hash-sha1 page's example), strings their UTF-8 bytes.
 */

const MASK = (1n << 64n) - 1n;
const P1 = 11400714785074694791n;
const P2 = 14029467366897019727n;
const P3 = 1609587929392839161n;
const P4 = 9650029242287828579n;
const P5 = 2870177450012600261n;
const rotl = (x: bigint, r: number) => ((x << BigInt(r)) | (x >> BigInt(64 - r))) & MASK;
const read64 = (b: Uint8Array, i: number) => {
  let v = 0n;
  for (let k = 7; k >= 0; k--) v = (v << 8n) | BigInt(b[i + k]!);
  return v;
};
const read32 = (b: Uint8Array, i: number) => BigInt(b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16)) + (BigInt(b[i + 3]!) << 24n);
const round = (acc: bigint, input: bigint) => (rotl((acc + input * P2) & MASK, 31) * P1) & MASK;
const merge = (acc: bigint, value: bigint) => ((acc ^ round(0n, value)) * P1 + P4) & MASK;

/** XXH64 (the reference algorithm) of bytes, seed 0, as an unsigned 64-bit value. */
export function xxHash64(bytes: Uint8Array): bigint {
  const length = bytes.length;
  let i = 0;
  let h: bigint;
  if (length >= 32) {
    let v1 = (P1 + P2) & MASK;
    let v2 = P2;
    let v3 = 0n;
    let v4 = (0n - P1) & MASK;
    while (i <= length - 32) {
      v1 = round(v1, read64(bytes, i));
      v2 = round(v2, read64(bytes, i + 8));
      v3 = round(v3, read64(bytes, i + 16));
      v4 = round(v4, read64(bytes, i + 24));
      i += 32;
    }
    h = (rotl(v1, 1) + rotl(v2, 7) + rotl(v3, 12) + rotl(v4, 18)) & MASK;
    h = merge(merge(merge(merge(h, v1), v2), v3), v4);
  } else h = P5;
  h = (h + BigInt(length)) & MASK;
  while (i + 8 <= length) {
    h = (rotl(h ^ round(0n, read64(bytes, i)), 27) * P1 + P4) & MASK;
    i += 8;
  }
  if (i + 4 <= length) {
    h = (rotl(h ^ ((read32(bytes, i) * P1) & MASK), 23) * P2 + P3) & MASK;
    i += 4;
  }
  while (i < length) {
    h = (rotl(h ^ ((BigInt(bytes[i]!) * P5) & MASK), 11) * P1) & MASK;
    i++;
  }
  h ^= h >> 33n;
  h = (h * P2) & MASK;
  h ^= h >> 29n;
  h = (h * P3) & MASK;
  h ^= h >> 32n;
  return h;
}

/** The bytes hash() and hash_xxhash64() read for a value. */
function hashBytes(value: KValue, type: string): Uint8Array | undefined {
  const eight = (v: bigint) => {
    const b = Buffer.alloc(8);
    b.writeBigInt64LE(BigInt.asIntN(64, v));
    return b;
  };
  if (value === null) return undefined;
  if (value instanceof KDateTime) return eight(value.ticks - MIN_DATETIME_TICKS);
  if (value instanceof KTimespan) return eight(value.ticks);
  if (typeof value === 'bigint') return eight(value);
  if (typeof value === 'number' && (type === 'long' || type === 'int')) return eight(BigInt(value));
  if (typeof value === 'number') {
    const b = Buffer.alloc(8);
    b.writeDoubleLE(value);
    return b;
  }
  if (typeof value === 'boolean') return Uint8Array.of(value ? 1 : 0);
  return Buffer.from(toKustoString(value), 'utf8');
}

function xxHashFunction(): ScalarFunction {
  return fn(1, 2, ([value, mod], site) => {
    const bytes = hashBytes(value ?? null, site.argTypes[0] ?? 'dynamic');
    if (!bytes) return null;
    const hash = BigInt.asIntN(64, xxHash64(bytes));
    if (mod === undefined) return longValue(hash);
    const m = asLong(mod);
    if (m === null || BigInt(m) <= 0n) return null;
    const mm = BigInt(m);
    return longValue(((hash % mm) + mm) % mm);
  });
}

function digest(algorithm: string): ScalarFunction {
  return fn(1, 1, ([value]) => (value === null || value === undefined ? null : createHash(algorithm).update(toKustoString(value), 'utf8').digest('hex')));
}

/** Strict base64 (length a multiple of four, padding as needed); undefined when the text is not base64. */
function fromBase64(text: string): Buffer | undefined {
  const trimmed = text.trim();
  if (trimmed.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(trimmed)) return undefined;
  return Buffer.from(trimmed, 'base64');
}

/** UTF-8 decoding that refuses malformed bytes (base64_decode_tostring returns "" for them). */
function strictUtf8(bytes: Uint8Array): string | undefined {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return undefined;
  }
}

/** parse_version: up to four parts of up to eight digits, as one comparable number. */
function parseVersion(text: string): number | null {
  const parts = text.trim().split('.');
  if (parts.length < 1 || parts.length > 4 || parts.some((p) => !/^\d{1,8}$/.test(p))) return null;
  while (parts.length < 4) parts.push('0');
  return Number(parts.map((p) => p.padStart(8, '0')).join(''));
}

export const ENCODING_FUNCTIONS: Record<string, ScalarFunction> = {
  hash: xxHashFunction(),
  hash_xxhash64: xxHashFunction(),
  hash_sha256: digest('sha256'),
  hash_sha1: digest('sha1'),
  hash_md5: digest('md5'),
  hash_combine: fn(2, 64, (args) => {
    let h = 0n;
    for (const a of args) {
      const v = asLong(a);
      if (v === null) return null;
      h = BigInt.asIntN(64, h * 31n + BigInt(v));
    }
    return longValue(h);
  }),
  base64_encode_tostring: fn(1, 1, ([value]) => Buffer.from(toKustoString(value ?? null), 'utf8').toString('base64')),
  base64_encodestring: fn(1, 1, ([value]) => Buffer.from(toKustoString(value ?? null), 'utf8').toString('base64')),
  base64_decode_tostring: fn(1, 1, ([value]) => {
    const bytes = fromBase64(toKustoString(value ?? null));
    return bytes ? (strictUtf8(bytes) ?? '') : '';
  }),
  base64_decodestring: fn(1, 1, ([value]) => {
    const bytes = fromBase64(toKustoString(value ?? null));
    return bytes ? (strictUtf8(bytes) ?? '') : '';
  }),
  base64_decode_toarray: fn(1, 1, ([value]) => {
    const bytes = fromBase64(toKustoString(value ?? null));
    return bytes ? Array.from(bytes) : null;
  }),
  base64_encode_fromarray: fn(1, 1, ([value]) => {
    if (!Array.isArray(value)) return '';
    if (!value.every((b) => isNumeric(b) && Number(b) >= 0 && Number(b) <= 255)) return '';
    return Buffer.from(value.map(Number)).toString('base64');
  }),
  /** The page's example: the first two groups from little-endian bytes, the rest in byte order. */
  base64_decode_toguid: fn(1, 1, ([value]) => {
    const bytes = fromBase64(toKustoString(value ?? null));
    if (!bytes || bytes.length !== 16) return null;
    const hex = (from: number, to: number, reverse: boolean) => {
      const part = Array.from(bytes.subarray(from, to));
      return (reverse ? part.reverse() : part).map((b) => b.toString(16).padStart(2, '0')).join('');
    };
    return `${hex(0, 4, true)}-${hex(4, 6, true)}-${hex(6, 8, false)}-${hex(8, 10, false)}-${hex(10, 16, false)}`;
  }),
  base64_encode_fromguid: fn(1, 1, ([value]) => {
    const guid = toGuid(value ?? null);
    if (!guid) return null;
    const d = guid.replace(/-/g, '');
    const bytes = (from: number, to: number, reverse: boolean) => {
      const pairs = d.slice(from, to).match(/../g)!.map((h) => parseInt(h, 16));
      return reverse ? pairs.reverse() : pairs;
    };
    return Buffer.from([...bytes(0, 8, true), ...bytes(8, 12, true), ...bytes(12, 16, false), ...bytes(16, 32, false)]).toString('base64');
  }),
  // The pages' examples are stored (uncompressed) deflate blocks: Kusto compresses at level 0.
  gzip_compress_to_base64_string: fn(1, 1, ([value]) => {
    const out = gzipSync(Buffer.from(toKustoString(value ?? null), 'utf8'), { level: 0 });
    out[8] = 0; // the extra flags and OS bytes of the page's example: none, unknown
    out[9] = 0xff;
    return out.toString('base64');
  }),
  gzip_decompress_from_base64_string: fn(1, 1, ([value]) => {
    const bytes = fromBase64(toKustoString(value ?? null));
    if (!bytes) return '';
    try {
      return strictUtf8(gunzipSync(bytes)) ?? '';
    } catch {
      return '';
    }
  }),
  zlib_compress_to_base64_string: fn(1, 1, ([value]) => deflateSync(Buffer.from(toKustoString(value ?? null), 'utf8'), { level: 0 }).toString('base64')),
  zlib_decompress_from_base64_string: fn(1, 1, ([value]) => {
    const bytes = fromBase64(toKustoString(value ?? null));
    if (!bytes) return '';
    try {
      return strictUtf8(inflateSync(bytes)) ?? '';
    } catch {
      return '';
    }
  }),
  parse_version: fn(1, 1, ([value]) => (typeof value === 'string' ? parseVersion(value) : null)),
};
