/** `regsweep explain`: why one tag's image is kept or would be deleted. */
import type { Plan } from '@regsweep/core';

export function explainTags(plans: readonly Plan[], tags: readonly string[]): { text: string; missing: string[] } {
  const lines: string[] = [];
  const missing: string[] = [];
  for (const tag of tags) {
    let found = false;
    for (const plan of plans) {
      const kept = plan.kept.find((k) => k.tags.includes(tag));
      const gone = plan.delete.find((d) => d.tags.includes(tag));
      const item = kept ?? gone;
      if (!item) continue;
      found = true;
      lines.push(`${plan.registry}:${tag} → ${item.digest}${item.tags.length > 1 ? ` (also tagged ${item.tags.filter((t) => t !== tag).join(', ')})` : ''}`);
      lines.push(`  built from: ${item.commits ? `${item.commits.ids.map((c) => c.replace(/^unresolved:/, '')).join(', ')} (${item.commits.via})` : 'no commit found (unmapped)'}`);
      if (kept) {
        lines.push('  KEPT because:');
        for (const r of kept.reasons) lines.push(`    - ${r.reason}: ${r.detail}`);
      } else if (gone) {
        lines.push(`  WOULD BE DELETED: ${gone.why}`);
      }
    }
    if (!found) missing.push(tag);
  }
  return { text: lines.length ? `${lines.join('\n')}\n` : '', missing };
}
