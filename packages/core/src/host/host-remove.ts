/**
 * Removing what the host plan says, one image at a time, each re-checked right before (the werf#7819
 * race): left alone when it is gone, its tags or last tag time moved, or a container appeared on it;
 * every tag but the last is removed by name only while it still names the planned image, the image
 * itself by id (so a tag a parallel build just took is never followed to the new image). A refusal of
 * the engine (409: a container, or child images) puts back the tags already removed and skips it.
 */
import { describeError } from '../errors.js';
import type { DeletionBudget } from '../pipeline/budget.js';
import type { HostEngine } from '../ports.js';
import type { RemovalResult } from './host-report.js';
import type { HostRemoval } from './types.js';

/** Removes in plan order under the budget. */
export async function removeAll(engine: HostEngine, removals: readonly HostRemoval[], budget: DeletionBudget, progress?: (m: string) => void): Promise<RemovalResult[]> {
  const results: RemovalResult[] = [];
  for (const r of removals) {
    if (!budget.take()) {
      results.push({ removal: r, status: 'not-attempted', message: budget.message, containers: [] });
      continue;
    }
    try {
      results.push(await removeOne(engine, r));
    } catch (error) {
      results.push({ removal: r, status: 'failed', message: describeError(error), containers: [] });
    }
    if (results.length % 50 === 0) progress?.(`${engine.name}: ${results.length} of ${removals.length} removals done`);
  }
  return results;
}

const sameTags = (a: readonly string[], b: readonly string[]): boolean => a.length === b.length && [...a].sort().join('\n') === [...b].sort().join('\n');

/** Why the image must be left alone now, or undefined when it is as planned. */
async function changedSincePlanned(engine: HostEngine, r: HostRemoval): Promise<string | 'gone' | undefined> {
  const fresh = await engine.image(r.id);
  if (!fresh) return 'gone';
  if (!sameTags(fresh.repoTags, r.tags)) return `its tags changed since it was planned (now ${fresh.repoTags.join(', ') || 'none'}): a build may be using it; left for the next run`;
  if (fresh.lastTagTime && fresh.lastTagTime.getTime() > (r.lastTagTime?.getTime() ?? Number.NEGATIVE_INFINITY)) {
    return `it was tagged or pulled again at ${fresh.lastTagTime.toISOString()}, after it was planned: a build may be using it; left for the next run`;
  }
  const planned = new Set(r.containers.map((c) => c.id));
  const users = (await engine.containers()).filter((c) => c.imageId === r.id && !planned.has(c.id));
  if (users.length > 0) return `container ${users.map((c) => c.name).join(', ')} was created on it after it was planned; left for the next run`;
  return undefined;
}

async function removeOne(engine: HostEngine, r: HostRemoval): Promise<RemovalResult> {
  const containers: RemovalResult['containers'] = [];
  const changed = await changedSincePlanned(engine, r);
  if (changed === 'gone') return { removal: r, status: 'gone', containers };
  if (changed) return { removal: r, status: 'skipped', message: changed, containers };
  for (const c of r.containers) containers.push({ container: c, status: await engine.removeContainer(c.id) });
  const untagged: string[] = [];
  const skip = async (message: string): Promise<RemovalResult> => {
    const restored = await restoreTags(engine, r.id, untagged);
    return { removal: r, status: 'skipped', message: `${message}${restored}`, containers };
  };
  for (const ref of r.tags.slice(0, -1)) {
    const now = await engine.image(ref);
    if (now?.id !== r.id) return skip(`${ref} now names ${now ? `another image (${now.id.slice(0, 19)}…)` : 'no image'}: a build took it; left for the next run`);
    if ((await engine.removeImage(ref)) === 'in-use') return skip(`the engine refused to remove ${ref} (409); not forced`);
    untagged.push(ref);
  }
  const outcome = await engine.removeImage(r.id);
  if (outcome === 'in-use') return skip('the engine refused to remove it (409: a container uses it, or images are built on it); not forced');
  return { removal: r, status: outcome === 'gone' ? 'gone' : 'removed', containers };
}

/** Puts back tags removed before a refusal; the words for the report. */
async function restoreTags(engine: HostEngine, id: string, refs: readonly string[]): Promise<string> {
  if (refs.length === 0) return '';
  if (!engine.tagImage) return `; ${refs.join(', ')} had been removed already and this engine cannot put tags back`;
  for (const ref of refs) await engine.tagImage(id, ref);
  return `; ${refs.join(', ')} put back`;
}
