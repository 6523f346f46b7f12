/** Small pure helpers for the Distribution API: repository references, headers, error bodies. */
import { createHash } from 'node:crypto';
import { InputError } from '@regsweep/core';

export interface RepositoryRef {
  /** `HOST[:PORT]`, as written. */
  host: string;
  /** Repository path inside the registry (`acme/app`). */
  name: string;
}

const HOST_RE = /^(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*(?::[0-9]{1,5})?$/i;
const NAME_RE = /^[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*)*$/;

/** Parses `HOST[:PORT]/NAME`; InputError when it is not one. */
export function parseRepositoryRef(ref: string): RepositoryRef {
  const slash = ref.indexOf('/');
  const host = slash < 0 ? '' : ref.slice(0, slash);
  const name = slash < 0 ? '' : ref.slice(slash + 1);
  if (!HOST_RE.test(host) || !NAME_RE.test(name)) {
    throw new InputError(`registry reference ${JSON.stringify(ref)} is not HOST[:PORT]/NAME`,
      'write it like registry.example.com/team/app or localhost:5000/app (lower-case repository name, no tag)');
  }
  return { host, name };
}

/**
 * localhost and loopback addresses default to plain HTTP, as Docker allows for 127.0.0.0/8 and skopeo
 * for localhost: `localhost`, `*.localhost`, `127.x.y.z`, `[::1]`, with or without a port.
 */
export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/:[0-9]+$/, '').toLowerCase();
  return bare === 'localhost' || bare.endsWith('.localhost') || bare === '[::1]' || /^127\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}$/.test(bare);
}

export interface RegistryLocation {
  /** `host[:port]`. */
  host: string;
  /** `scheme://host[:port]`. */
  url: string;
  plainHttp: boolean;
}

/**
 * Where a registry is, from the way platforms give it: `registry.gitlab.com` or `127.0.0.1:5000`
 * (GitLab's CI_REGISTRY, no scheme) or `https://ghcr.io` (the Action's registry-url). A scheme given is
 * kept; without one, loopback hosts are plain HTTP and every other host HTTPS. `what` names the input
 * in the error for a value that is no host.
 */
export function registryLocation(registry: string, what = 'the registry'): RegistryLocation {
  const text = registry.trim();
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `${isLoopbackHost(text) ? 'http' : 'https'}://${text}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw new InputError(`${what}: ${JSON.stringify(registry)} is not a registry host`, 'write a host such as registry.example.com, 127.0.0.1:5000 or https://ghcr.io');
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.host === '' || (url.pathname !== '/' && url.pathname !== '')) {
    throw new InputError(`${what}: ${JSON.stringify(registry)} is not a registry host`, 'write a host such as registry.example.com, 127.0.0.1:5000 or https://ghcr.io (no path)');
  }
  return { host: url.host, url: `${url.protocol}//${url.host}`, plainHttp: url.protocol === 'http:' };
}

export interface Challenge {
  scheme: string;
  params: Record<string, string>;
}

/** Parses one `WWW-Authenticate` challenge: `Bearer realm="…",service="…",scope="…"`. */
export function parseChallenge(header: string | null): Challenge | undefined {
  if (header === null) return undefined;
  const m = /^\s*([A-Za-z]+)\s*(.*)$/.exec(header);
  if (m === null) return undefined;
  const params: Record<string, string> = {};
  const re = /([A-Za-z_]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^,\s]*))\s*,?\s*/g;
  for (const p of (m[2] ?? '').matchAll(re)) {
    const key = (p[1] ?? '').toLowerCase();
    params[key] = p[2] !== undefined ? p[2].replace(/\\(.)/g, '$1') : p[3] ?? '';
  }
  return { scheme: (m[1] ?? '').toLowerCase(), params };
}

/** The `rel="next"` target of a `Link` header, resolved against `base`. */
export function nextLink(header: string | null, base: string): string | undefined {
  if (header === null) return undefined;
  for (const part of header.split(/,(?=\s*<)/)) {
    const m = /^\s*<([^>]*)>(.*)$/.exec(part);
    if (m === null) continue;
    if (/;\s*rel\s*=\s*"?([^";]*\s)?next(\s[^";]*)?"?/i.test(m[2] ?? '')) return new URL(m[1] ?? '', base).toString();
  }
  return undefined;
}

/** `Retry-After` in milliseconds from `nowMs`: delta seconds or an HTTP date. Undefined when absent or bad. */
export function retryAfterMs(header: string | null, nowMs: number): number | undefined {
  if (header === null || header.trim() === '') return undefined;
  const value = header.trim();
  if (/^[0-9]+$/.test(value)) return Number(value) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}

/** `CODE: message` of an OCI error body, or a short excerpt of whatever the body is. */
export function describeErrorBody(text: string): string {
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed === 'object' && parsed !== null && 'errors' in parsed && Array.isArray(parsed.errors)) {
      const parts: string[] = [];
      for (const e of parsed.errors as unknown[]) {
        if (typeof e !== 'object' || e === null) continue;
        const code = 'code' in e && typeof e.code === 'string' ? e.code : undefined;
        const message = 'message' in e && typeof e.message === 'string' ? e.message : undefined;
        parts.push([code, message].filter((x) => x !== undefined).join(': '));
      }
      if (parts.length > 0) return parts.join('; ');
    }
  } catch {
    // not JSON
  }
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > 200 ? `${flat.slice(0, 200)}…` : flat;
}

export function sha256Digest(bytes: Uint8Array): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

const DIGEST_RE = /^sha256:[a-f0-9]{64}$|^sha512:[a-f0-9]{128}$/;

export function isDigest(value: string): boolean {
  return DIGEST_RE.test(value);
}

/** Checks bytes against a digest (sha256 and sha512). */
export function matchesDigest(bytes: Uint8Array, digest: string): boolean {
  const [algorithm, hex] = digest.split(':');
  if ((algorithm !== 'sha256' && algorithm !== 'sha512') || hex === undefined) return false;
  return createHash(algorithm).update(bytes).digest('hex') === hex;
}

/** A forge API answer as the adapters use it: status, lower-case headers, and the body parsed as JSON (its text where it is not JSON; undefined when empty). */
export async function readJsonAnswer(res: Response): Promise<{ status: number; headers: Record<string, string>; data: unknown }> {
  const headers: Record<string, string> = {};
  res.headers.forEach((value, name) => void (headers[name.toLowerCase()] = value));
  const text = await res.text();
  let data: unknown;
  if (text !== '') {
    try {
      data = JSON.parse(text) as unknown;
    } catch {
      data = text;
    }
  }
  return { status: res.status, headers, data };
}
