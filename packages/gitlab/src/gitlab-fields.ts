/** Fields of GitLab's JSON answers, read without trusting their shape, and the tag shape both listings give. */
import type { Digest } from '@regsweep/core';

/** A field of a GitLab answer: `field(o, 'commit', 'id')`. */
export function field(value: unknown, ...path: string[]): unknown {
  let v = value;
  for (const key of path) v = typeof v === 'object' && v !== null ? (v as Record<string, unknown>)[key] : undefined;
  return v;
}

export function stringField(value: unknown, ...path: string[]): string | undefined {
  const v = field(value, ...path);
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/** One tag as either listing reports it. */
export interface TagFacts {
  name: string;
  digest: Digest;
  mediaType?: string;
  size?: number;
  /** Push time (`/gitlab/v1`) or build time (REST `created_at`). */
  at?: string;
}
