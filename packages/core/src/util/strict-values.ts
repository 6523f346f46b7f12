/**
 * The values front ends read from flags, inputs and variables, parsed strictly and alike everywhere:
 * RFC 3339 instants whose calendar fields exist (no 2026-02-31, no 24:00), and whole numbers written
 * as digits only. Pure: each returns the value or a description of what is accepted; the caller
 * names the flag, input or variable in its error.
 */

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?([Zz]|[+-](\d{2}):(\d{2}))$/;

export const INSTANT_EXPECTED = 'expected an RFC 3339 time that exists, such as 2026-11-20T12:00:00Z or 2026-11-20T14:00:00+02:00';

/** A time such as `2026-11-20T12:00:00Z`; undefined when it is not RFC 3339 or names a day or hour that does not exist. */
export function parseInstant(text: string): Date | undefined {
  const m = RFC3339.exec(text);
  if (!m) return undefined;
  const [year, month, day, hour, minute, second] = [m[1], m[2], m[3], m[4], m[5], m[6] ?? '0'].map(Number) as [number, number, number, number, number, number];
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return undefined;
  // The calendar round trip: Date.UTC moves 2026-02-31 to 2026-03-03; a day that exists comes back unchanged.
  const civil = new Date(Date.UTC(year, month - 1, day));
  if (civil.getUTCFullYear() !== year || civil.getUTCMonth() !== month - 1 || civil.getUTCDate() !== day) return undefined;
  if (m[9] !== undefined && (Number(m[9]) > 23 || Number(m[10]) > 59)) return undefined;
  const date = new Date(text.toUpperCase());
  return Number.isNaN(date.getTime()) ? undefined : date;
}

/** What `parseWholeNumber` accepts, for messages: `a whole number from 1 to 100`. */
export function wholeNumberExpected(min: number, max: number = Number.MAX_SAFE_INTEGER): string {
  return max === Number.MAX_SAFE_INTEGER ? `a whole number of ${min} or more, in digits` : `a whole number from ${min} to ${max}, in digits`;
}

/**
 * A whole number written in decimal digits (no sign, point, exponent, hex, spaces or leading zeros),
 * within `min`…`max`; undefined otherwise.
 */
export function parseWholeNumber(text: string, min: number, max: number = Number.MAX_SAFE_INTEGER): number | undefined {
  if (!/^(0|[1-9][0-9]{0,15})$/.test(text)) return undefined;
  const n = Number(text);
  return Number.isSafeInteger(n) && n >= min && n <= max ? n : undefined;
}
