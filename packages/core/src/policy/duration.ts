/**
 * Durations in the policy file (cleanup-semantics.md §2): Go-style (`90m`, `168h`, `1h30m`, `1.5h`,
 * `300ms`, `0s`) plus `d` (24h) and `w` (7d). A bare number is not a duration: werf reads one as
 * nanoseconds, which is never what the user meant, so regsweep refuses it.
 */

/** Nanoseconds per unit, as BigInt so that `2w` or `1.5h` are computed exactly. */
const UNIT_NS: Readonly<Record<string, bigint>> = {
  ns: 1n,
  us: 1_000n,
  µs: 1_000n, // U+00B5 MICRO SIGN, as Go accepts
  μs: 1_000n, // U+03BC GREEK SMALL LETTER MU, as Go accepts
  ms: 1_000_000n,
  s: 1_000_000_000n,
  m: 60_000_000_000n,
  h: 3_600_000_000_000n,
  d: 86_400_000_000_000n,
  w: 604_800_000_000_000n,
};

/** One `<number><unit>` component; the whole text is one or more of them, nothing else. */
const COMPONENT = /(\d+)?(?:\.(\d*))?(ns|us|µs|μs|ms|s|m|h|d|w)/y;

/**
 * The same grammar as a JSON-Schema `pattern` (ECMA-262, `u` flag), for schema.ts. Kept next to the
 * parser so the two cannot drift apart unnoticed (a test checks them against each other).
 */
export const DURATION_PATTERN = '^(?:(?:[0-9]+(?:\\.[0-9]*)?|\\.[0-9]+)(?:ns|us|µs|μs|ms|s|m|h|d|w))+$';

/** What a duration looks like, for messages. */
export const DURATION_EXPECTED =
  'expected a duration such as 90m, 168h, 1h30m, 7d or 2w (units ns, us, ms, s, m, h, d, w); a bare number is not accepted';

/**
 * Parses a duration and returns milliseconds (possibly fractional below 1 ms), or undefined when
 * `text` is not a duration. Signs are not accepted (a negative duration means nothing here) and
 * neither is whitespace.
 */
export function parseDuration(text: string): number | undefined {
  if (text.length === 0) return undefined;
  let ns = 0n;
  let pos = 0;
  while (pos < text.length) {
    COMPONENT.lastIndex = pos;
    const m = COMPONENT.exec(text);
    if (!m) return undefined;
    const [, whole, fraction, unit] = m;
    // A number is required: `h` or `.h` alone is not one.
    if (whole === undefined && (fraction === undefined || fraction === '')) return undefined;
    const unitNs = UNIT_NS[unit ?? ''];
    if (unitNs === undefined) return undefined;
    ns += BigInt(whole ?? '0') * unitNs;
    if (fraction) {
      // Truncated to whole nanoseconds, as Go does.
      ns += (BigInt(fraction) * unitNs) / 10n ** BigInt(fraction.length);
    }
    pos = COMPONENT.lastIndex;
  }
  const ms = Number(ns) / 1e6;
  return Number.isFinite(ms) ? ms : undefined;
}

const HOUR = 3_600_000;
const MINUTE = 60_000;
const SECOND = 1_000;

/**
 * Renders milliseconds as a duration `parseDuration` reads back to the same number: `168h`, `1h30m`,
 * `300ms`, `0s`. Hours are the largest unit (as in Go), so `7d` comes out as `168h`.
 */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return String(ms);
  if (ms === 0) return '0s';
  if (ms < 0) return `-${formatDuration(-ms)}`;
  const whole = Math.floor(ms);
  const parts: string[] = [];
  const hours = Math.floor(whole / HOUR);
  const minutes = Math.floor((whole % HOUR) / MINUTE);
  const seconds = Math.floor((whole % MINUTE) / SECOND);
  const millis = whole % SECOND;
  const nanos = Math.round((ms - whole) * 1e6);
  if (hours) parts.push(`${hours}h`);
  if (minutes) parts.push(`${minutes}m`);
  if (seconds) parts.push(`${seconds}s`);
  if (millis) parts.push(`${millis}ms`);
  if (nanos) parts.push(`${nanos}ns`);
  return parts.length ? parts.join('') : '0s';
}
