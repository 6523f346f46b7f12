/**
 * What the registry has after the registry cleanup that ran just before, from its report: every digest
 * and tag the report names, except the images it deleted (or found gone). A dry run deleted nothing, so
 * everything stays. The Action and the GitLab job sync the host with this instead of listing again.
 */
import type { Report } from '../report/report.js';
import { normalizeRepository } from './host-refs.js';
import type { HostRepository } from './host-plan.js';

export function repositoriesFromReport(report: Report, imageReference: (repository: string) => string = (r) => r): HostRepository[] {
  const byName = new Map<string, { digests: Set<string>; tags: Set<string> }>();
  const entry = (repository: string): { digests: Set<string>; tags: Set<string> } => {
    const name = normalizeRepository(imageReference(repository));
    let e = byName.get(name);
    if (!e) byName.set(name, (e = { digests: new Set(), tags: new Set() }));
    return e;
  };
  for (const t of report.repositories) entry(t.repository);
  const stays = [...report.kept, ...report.failed, ...report.skipped, ...report.notAttempted, ...report.deleted.filter((d) => d.status === 'would-delete')];
  for (const image of stays) {
    const e = entry(image.repository);
    e.digests.add(image.digest);
    for (const tag of image.tags) e.tags.add(tag);
  }
  // A stale tag removed alone is gone from the registry; its digest stays.
  for (const t of report.tagsRemoved) if (t.status !== 'would-remove') entry(t.repository).tags.delete(t.tag);
  return [...byName].map(([name, registry]) => ({ name, registry }));
}
