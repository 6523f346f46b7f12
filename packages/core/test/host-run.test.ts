/**
 * runHostCleanup over an engine in memory: freed space from the engine's layer total (shared layers
 * once) when it gives one, else the images' own sizes; what was removed stays in the report when the
 * disk cannot be measured afterwards; an engine that fails while listing removes nothing.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { emptyReport, runHostCleanup, type HostEngine, type HostImage, type HostRunSettings, type Report } from '../src/index.js';

const NOW = new Date('2026-12-01T12:00:00Z');
const APP = 'ghcr.io/acme/app';
const SETTINGS: HostRunSettings = { mode: 'purge', dryRun: false, safetyWindowMs: 0, removeStoppedContainers: false, allowedVolumeUsage: 70, allowedVolumeUsageMargin: 5, leftoverLabels: [] };

/** Two images of the repository sharing a 600-byte layer, 200 bytes of their own each; one other. */
function memoryEngine(o: { layers?: boolean; failList?: boolean } = {}): HostEngine & { removed: string[] } {
  const image = (id: string, tag: string): HostImage => ({ id, repoTags: [tag], repoDigests: [], created: new Date(NOW.getTime() - 86_400_000), size: 800, sharedSize: 600, labels: {} });
  const images = new Map([image('sha256:a', `${APP}:a`), image('sha256:b', `${APP}:b`), image('sha256:c', 'docker.io/library/other:1')].map((i) => [i.id, i]));
  const removed: string[] = [];
  const layerBytes = (): number => (images.has('sha256:a') || images.has('sha256:b') ? 600 : 0) + [...images.keys()].length * 200 + 600;
  return {
    name: 'memory', removed,
    images: async () => {
      if (o.failList) throw new Error('engine answered 500');
      return [...images.values()];
    },
    containers: async () => [],
    image: async (ref) => images.get(ref) ?? [...images.values()].find((i) => i.repoTags.includes(ref)),
    removeImage: async (ref) => {
      const i = images.get(ref) ?? [...images.values()].find((x) => x.repoTags.includes(ref));
      if (!i) return 'gone';
      images.delete(i.id);
      removed.push(i.id);
      return 'removed';
    },
    removeContainer: async () => 'gone',
    ...(o.layers ? { layersSize: async () => layerBytes() } : {}),
  };
}

const run = async (engine: HostEngine, volume?: () => Promise<undefined>): Promise<Report> => {
  const report = emptyReport({ command: 'host purge', dryRun: false, now: NOW, startedAt: NOW, policySource: 'none' });
  await runHostCleanup(SETTINGS, { clock: { now: () => NOW, sleep: async () => undefined }, engine: async () => engine, repositories: async () => [{ name: APP }], ...(volume ? { volume } : {}) }, report);
  return report;
};

test('freed space: the engine\'s layer total before and after counts the layer both removed images shared once', async () => {
  const engine = memoryEngine({ layers: true });
  const report = await run(engine);
  assert.equal(engine.removed.sort(), ['sha256:a', 'sha256:b']);
  assert.equal([report.host?.freedBy, report.host?.freedBytes], ['layers', 200 + 200 + 600]);
  const withoutTotal = await run(memoryEngine());
  assert.equal([withoutTotal.host?.freedBy, withoutTotal.host?.freedBytes], ['images', 400], 'a lower bound: the shared layer is not counted');
});

test('the disk cannot be measured after the removals: they are in the report all the same, with a warning', async () => {
  let calls = 0;
  const engine = memoryEngine();
  const report = await run(engine, async () => {
    if (++calls > 1) throw new Error('statfs failed');
    return undefined;
  });
  assert.is(report.exitCode, 0);
  assert.is(report.deleted.length, 2);
  assert.match(report.warnings.join('\n'), /the disk could not be measured after the run: statfs failed/);
});

test('an engine that fails while listing: exit 1, nothing removed', async () => {
  const engine = memoryEngine({ failList: true });
  const report = await run(engine);
  assert.is(report.exitCode, 1);
  assert.equal(engine.removed, []);
  assert.match(report.error?.message ?? '', /engine answered 500/);
});

test.run();
