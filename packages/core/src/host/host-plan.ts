/**
 * Host cleanup's plan (docs/host-cleanup.md): which local images of the configured repositories a build
 * host removes, in three steps — registry sync, leftovers, over the threshold — or all of them (purge),
 * and why each other image stays. Pure: the engine's listings, the registry's and the volume's state
 * come in as data.
 */
import type { HostContainer, HostImage } from '../ports.js';
import { formatDuration } from '../policy/duration.js';
import { splitDigestRef, splitTagRef } from './host-refs.js';
import { lastUsedMs, planThreshold, uniqueBytes, type ThresholdSettings } from './threshold.js';
import type { HostKept, HostPlan, HostRemoval, HostStep, VolumeUsage } from './types.js';

/** A configured repository; `registry` is what its registry has now (absent: not read, no registry sync). */
export interface HostRepository {
  /** Normalized (normalizeRepository). */
  name: string;
  registry?: { digests: ReadonlySet<string>; tags: ReadonlySet<string> };
}

/** A label that marks the images of the project's builds (`key`, or `key=value`). */
export interface LeftoverLabel {
  key: string;
  value?: string;
}

export interface HostPlanInput extends ThresholdSettings {
  mode: 'cleanup' | 'purge';
  engine: string;
  repositories: readonly HostRepository[];
  images: readonly HostImage[];
  containers: readonly HostContainer[];
  now: Date;
  safetyWindowMs: number;
  /** Stopped containers of these images are removed with them (else such an image stays). */
  removeStoppedContainers: boolean;
  leftoverLabels: readonly LeftoverLabel[];
  /** The volume holding the engine's data; absent: unknown (the threshold step does not run). */
  volume?: VolumeUsage;
}

/** An image of a configured repository, and what it is. */
interface Own {
  image: HostImage;
  /** The first of its repositories (the report's), and all it names. */
  repository: string;
  repositories: readonly string[];
  tagged: boolean;
  /** For leftovers: how far down a parent chain (children are removed first). */
  depth: number;
}

const RUNNING = new Set(['running', 'paused', 'restarting', 'removing']);

export function planHostCleanup(input: HostPlanInput): HostPlan {
  const { own, untouched } = ownImages(input);
  const plan: HostPlan = { engine: input.engine, kept: [], remove: [], untouched, warnings: [] };
  const byImage = containersByImage(input.containers);
  const remaining: Array<{ own: Own; kept: HostKept }> = [];
  const leftovers: Array<{ own: Own; removal: HostRemoval }> = [];
  for (const o of own) {
    const users = byImage.get(o.image.id) ?? [];
    const blocked = blockingUse(users, input);
    const kept: HostKept = { id: o.image.id, repository: o.repository, tags: o.image.repoTags, reasons: [] };
    if (blocked) kept.reasons.push({ reason: 'in-use', detail: blocked });
    const age = input.now.getTime() - lastUsedMs(o.image);
    if (input.mode === 'cleanup' && age < input.safetyWindowMs) {
      kept.reasons.push({ reason: 'recent', detail: `built or tagged ${formatDuration(Math.max(0, age))} ago, within the safety window (${formatDuration(input.safetyWindowMs)})` });
    }
    if (kept.reasons.length > 0) {
      plan.kept.push(kept);
      continue;
    }
    if (input.mode === 'purge') {
      plan.remove.push(removal(o, users, 'purge', 'host purge: every local image of the repository is removed'));
      continue;
    }
    const sync = registrySync(o, input.repositories);
    if (sync.gone) plan.remove.push(removal(o, users, 'registry-sync', sync.gone));
    else if (!o.tagged) leftovers.push({ own: o, removal: removal(o, users, 'leftover', leftoverWhy(o, input.safetyWindowMs)) });
    else {
      if (sync.detail) kept.reasons.push({ reason: 'in-registry', detail: sync.detail });
      remaining.push({ own: o, kept });
    }
  }
  leftovers.sort((a, b) => b.own.depth - a.own.depth || (a.own.image.id < b.own.image.id ? -1 : 1));
  plan.remove.push(...leftovers.map((l) => l.removal));
  if (input.mode === 'cleanup') applyThreshold(plan, remaining, input, byImage);
  return plan;
}

/** The threshold step over what is left; the rest is kept with the volume's reason. */
function applyThreshold(plan: HostPlan, remaining: Array<{ own: Own; kept: HostKept }>, input: HostPlanInput, byImage: ReadonlyMap<string, HostContainer[]>): void {
  const planned = plan.remove.reduce((sum, r) => sum + r.uniqueSize, 0);
  const step = planThreshold(remaining.map((r) => r.own.image), planned, input);
  if (step.threshold) plan.threshold = step.threshold;
  const chosen = new Set(step.remove.map((i) => i.id));
  for (const r of remaining) {
    if (chosen.has(r.own.image.id)) continue;
    r.kept.reasons.push({ reason: 'space-left', detail: step.keptDetail });
    plan.kept.push(r.kept);
  }
  const own = new Map(remaining.map((r) => [r.own.image.id, r.own]));
  for (const image of step.remove) {
    const o = own.get(image.id) as Own;
    plan.remove.push(removal(o, byImage.get(image.id) ?? [], 'over-threshold', step.removeDetail(image)));
  }
}

/**
 * Images of the configured repositories (every name they carry theirs), and how many belong to others.
 * A dangling image without a registry name is the project's only by a --leftover-label: an untagged
 * image built on a project image (a `docker commit`, another team's `FROM`) is not a leftover.
 */
function ownImages(input: HostPlanInput): { own: Own[]; untouched: number } {
  const names = new Set(input.repositories.map((r) => r.name));
  const byId = new Map(input.images.map((i) => [i.id, i]));
  const own: Own[] = [];
  let untouched = 0;
  for (const image of input.images) {
    const repos = [...referencedRepositories(image)];
    const tagged = image.repoTags.length > 0;
    if (repos.length > 0) {
      if (repos.every((r) => names.has(r))) own.push({ image, repository: repos[0] as string, repositories: repos, tagged, depth: depthOf(image, byId) });
      else untouched += 1;
    } else if (labelled(image, input.leftoverLabels)) own.push({ image, repository: 'dangling images', repositories: [], tagged: false, depth: depthOf(image, byId) });
    else untouched += 1;
  }
  return { own, untouched };
}

/** The repositories an image's names name; a name that does not parse counts as a repository of its own (fail closed). */
export function referencedRepositories(image: HostImage): Set<string> {
  const out = new Set<string>();
  for (const t of image.repoTags) out.add(splitTagRef(t)?.repository ?? `unreadable name ${t}`);
  for (const d of image.repoDigests) out.add(splitDigestRef(d)?.repository ?? `unreadable name ${d}`);
  return out;
}

/** How far down a parent chain an image is (children are removed before their parents). */
function depthOf(image: HostImage, byId: ReadonlyMap<string, HostImage>): number {
  let depth = 0;
  for (let cur = image.parentId ? byId.get(image.parentId) : undefined; cur && depth < 1000; cur = cur.parentId ? byId.get(cur.parentId) : undefined) depth++;
  return depth;
}

function labelled(image: HostImage, labels: readonly LeftoverLabel[]): boolean {
  return labels.some((l) => l.key in image.labels && (l.value === undefined || image.labels[l.key] === l.value));
}

function containersByImage(containers: readonly HostContainer[]): Map<string, HostContainer[]> {
  const out = new Map<string, HostContainer[]>();
  for (const c of containers) {
    const list = out.get(c.imageId);
    if (list) list.push(c);
    else out.set(c.imageId, [c]);
  }
  return out;
}

/**
 * Why the containers using an image keep it, or undefined when none does: stopped ones go with the
 * flag (host cleanup: only those created before the safety window).
 */
function blockingUse(users: readonly HostContainer[], input: HostPlanInput): string | undefined {
  const running = users.filter((c) => RUNNING.has(c.state));
  if (running.length > 0) return `used by ${running.length === 1 ? 'container' : 'containers'} ${names(running)} (${running[0]?.state})`;
  if (users.length === 0) return undefined;
  const them = users.length === 1 ? 'it' : 'them';
  if (!input.removeStoppedContainers) return `used by ${users.length === 1 ? 'container' : 'containers'} ${names(users)} (${users[0]?.state}, not running; --remove-stopped-containers removes ${them} with the image)`;
  if (input.mode === 'purge') return undefined;
  const young = users.filter((c) => input.now.getTime() - c.created.getTime() < input.safetyWindowMs);
  return young.length > 0 ? `used by container ${names(young)} (not running), created within the safety window (${formatDuration(input.safetyWindowMs)})` : undefined;
}

const names = (list: readonly HostContainer[]): string => list.slice(0, 3).map((c) => c.name).join(', ') + (list.length > 3 ? ` and ${list.length - 3} more` : '');

/**
 * `gone`: why no registry of the image's repositories has it any longer (neither a digest nor a tag of
 * it, in every one of them, each read); `detail`: what one still has.
 */
function registrySync(o: Own, repositories: readonly HostRepository[]): { gone?: string; detail?: string } {
  if (!o.tagged) return {};
  for (const name of o.repositories) {
    const registry = repositories.find((r) => r.name === name)?.registry;
    if (!registry) return {};
    const digest = o.image.repoDigests.map(splitDigestRef).find((d) => d && d.repository === name && registry.digests.has(d.digest));
    if (digest) return { detail: `the registry ${name} still has ${digest.digest.slice(0, 19)}…` };
    const tag = o.image.repoTags.map(splitTagRef).find((t) => t && t.repository === name && registry.tags.has(t.tag));
    if (tag) return { detail: `the registry ${name} still has the tag ${tag.tag}` };
  }
  return { gone: `the registry ${o.repositories.join(', ')} no longer has it (none of its tags or digests)` };
}

function leftoverWhy(o: Own, windowMs: number): string {
  const what = o.repository === 'dangling images' ? 'dangling image with the project\'s build label' : `dangling image of ${o.repository} (a newer build took its tags)`;
  return `${what}, older than the safety window (${formatDuration(windowMs)})`;
}

function removal(o: Own, users: readonly HostContainer[], step: HostStep, why: string): HostRemoval {
  const { image } = o;
  return { id: image.id, repository: o.repository, tags: image.repoTags, step, why, size: image.size, uniqueSize: uniqueBytes(image), created: image.created,
    ...(image.lastTagTime ? { lastTagTime: image.lastTagTime } : {}), containers: users.slice() };
}
