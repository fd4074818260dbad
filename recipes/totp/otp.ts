import crypto from "node:crypto";

/** The HMAC hashes RFC 6238 allows. */
export type TOTPAlgorithm = "SHA1" | "SHA256" | "SHA512";

/** The parameters of one TOTP device's codes. */
export interface TOTPParameters {
  algorithm: TOTPAlgorithm;
  /** Digits of a code (6 to 8). */
  digits: number;
  /** Length of a time step in seconds (RFC 6238's X). */
  period: number;
}

/** RFC 4226 HOTP: the code of counter `counter` for `secret`, `digits` long, zero-padded. */
export function hotp(secret: Buffer, counter: number, algorithm: TOTPAlgorithm, digits: number): string {
  const message = Buffer.alloc(8);
  message.writeBigUInt64BE(BigInt(counter));
  const mac = crypto.createHmac(algorithm.toLowerCase(), secret).update(message).digest();
  // Dynamic truncation (RFC 4226 5.3): the low nibble of the last byte picks four bytes; the top bit is dropped.
  const offset = (mac[mac.length - 1] ?? 0) & 0x0f;
  const binary = mac.readUInt32BE(offset) & 0x7fffffff;
  return String(binary % 10 ** digits).padStart(digits, "0");
}

/** The time step (RFC 6238's T) that `timeMs` falls in. */
export function timeStep(timeMs: number, period: number): number {
  return Math.floor(timeMs / 1000 / period);
}

/** RFC 6238 TOTP: the code at `timeMs` (default now). */
export function totp(secret: Buffer, params: TOTPParameters, timeMs: number = Date.now()): string {
  return hotp(secret, timeStep(timeMs, params.period), params.algorithm, params.digits);
}

/**
 * The time step whose code is `code`, searched from `skew` steps before now to `skew` steps after, or undefined. Every
 * candidate is computed and compared in constant time, so the answer's timing does not say which step matched.
 */
export function matchingStep(
  secret: Buffer,
  params: TOTPParameters,
  code: string,
  skew: number,
  timeMs: number,
): number | undefined {
  // The format is no secret: anything but the right number of digits fails before any MAC is computed.
  if (code.length !== params.digits || !/^[0-9]+$/.test(code)) return undefined;
  const now = timeStep(timeMs, params.period);
  const given = Buffer.from(code);
  let found: number | undefined;
  for (let step = now - skew; step <= now + skew; step++) {
    const expected = Buffer.from(hotp(secret, step, params.algorithm, params.digits));
    if (crypto.timingSafeEqual(expected, given) && found === undefined) found = step;
  }
  return found;
}

const BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/** RFC 4648 base32 without padding: how authenticator apps take a secret. */
export function base32Encode(bytes: Buffer): string {
  let out = "";
  let bits = 0;
  let value = 0;
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += BASE32[(value << (5 - bits)) & 31];
  return out;
}

/** Decodes RFC 4648 base32 (padding, spaces and case ignored); undefined for any other character. */
export function base32Decode(text: string): Buffer | undefined {
  const clean = text.replace(/[\s=]/g, "").toUpperCase();
  const out: number[] = [];
  let bits = 0;
  let value = 0;
  for (const ch of clean) {
    const index = BASE32.indexOf(ch);
    if (index < 0) return undefined;
    value = ((value << 5) | index) & 0xffff;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}
