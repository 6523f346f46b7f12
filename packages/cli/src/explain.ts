/**
 * `regsweep explain`: why the images with these tags are kept (every reason that holds) or would be
 * deleted (each keep policy's nearest miss), in words or, with --json, as data.
 */
import type { DeletionDecision, Plan, Reason } from '@regsweep/core';
import { namesImage } from '@regsweep/core/internal';

/** One explained image, as `explain --json` prints it. */
export interface Explanation {
  repository: string;
  /** What it was asked by: a tag or a digest. */
  asked: string;
  digest: string;
  tags: string[];
  status: 'kept' | 'would-delete';
  commits?: { ids: string[]; via: string };
  /** kept: every reason that holds, each with its rule. */
  reasons?: Reason[];
  /** would-delete: the sentence, and the decision with each policy's nearest miss. */
  why?: string;
  decision?: DeletionDecision;
}

/** The explanations of the images (by tag or digest), in the order asked, and what names no image. */
export function explainImages(plans: readonly Plan[], targets: readonly string[]): { explanations: Explanation[]; missing: string[] } {
  const explanations: Explanation[] = [];
  const missing: string[] = [];
  for (const asked of targets) {
    let found = false;
    const named = (i: { digest: string; tags: string[] }): boolean => namesImage(asked, i.digest, i.tags);
    for (const plan of plans) {
      const kept = plan.kept.find(named);
      const gone = kept ? undefined : plan.delete.find(named);
      const item = kept ?? gone;
      if (!item) continue;
      found = true;
      const base = { repository: plan.registry, asked, digest: item.digest, tags: item.tags, ...(item.commits ? { commits: item.commits } : {}) };
      if (kept) explanations.push({ ...base, status: 'kept', reasons: kept.reasons });
      else if (gone) explanations.push({ ...base, status: 'would-delete', why: gone.why, decision: gone.decision });
    }
    if (!found) missing.push(asked);
  }
  return { explanations, missing };
}

/** The explanations in words. */
export function renderExplanations(explanations: readonly Explanation[]): string {
  const lines: string[] = [];
  for (const e of explanations) {
    const others = e.tags.filter((t) => t !== e.asked);
    const also = others.length === 0 ? (e.tags.length === 0 ? ' (untagged)' : '') : ` (${e.tags.includes(e.asked) ? 'also ' : ''}tagged ${others.join(', ')})`;
    lines.push(`${e.repository}${e.tags.includes(e.asked) ? `:${e.asked} → ${e.digest}` : `@${e.digest}`}${also}`);
    lines.push(`  built from: ${e.commits ? `${e.commits.ids.map((c) => c.replace(/^unresolved:/, '')).join(', ')} (${e.commits.via})` : 'no commit found (unmapped)'}`);
    if (e.status === 'kept') {
      lines.push('  KEPT because:');
      for (const r of e.reasons ?? []) lines.push(`    - ${r.reason}${r.rule === r.reason || r.detail.includes(r.rule) ? '' : ` (${r.rule})`}: ${r.detail}`);
      continue;
    }
    const misses = e.decision?.misses ?? [];
    if (misses.length === 0) {
      lines.push(`  WOULD BE DELETED (${e.decision?.rule ?? 'policy'}): ${e.why ?? ''}`);
      continue;
    }
    lines.push(`  WOULD BE DELETED: ${e.why ?? ''}`);
    lines.push('  nearest miss of each keep policy:');
    for (const m of misses) lines.push(`    - ${m.outcome}: ${m.detail}`);
  }
  return lines.length > 0 ? `${lines.join('\n')}\n` : '';
}
