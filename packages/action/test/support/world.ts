/**
 * A fake GitHub for the action's end-to-end tests, on one 127.0.0.1 port: GraphQL over a `RepoModel`
 * (executed against GitHub's real schema), the Packages REST API (fake-packages.ts) and ghcr.io's OCI
 * reads (fake-ghcr-oci.ts), all from packages/github/test/support. Real time: the action runs in
 * another process, so the fake's clock is the wall clock.
 */
import { fakeGraphql, oidOf, RepoModel } from '@regsweep/test-kit/fake-graphql';
import { FakeGhcrOci } from '@regsweep/test-kit/fake-ghcr-oci';
import { FakePackages, type FakePackagesOptions } from '@regsweep/test-kit/fake-packages';
import { startFakeServer, type FakeServer, type Handler, type RecordedRequest } from '@regsweep/test-kit/server';
import { testSecret } from '@regsweep/test-kit/secrets';

export const TOKEN = testSecret('ghp-e2e');
export const OWNER = 'acme';
export const REPO = 'app';
const DAY = 86_400_000;

export interface VersionSpec {
  digest: string;
  tags?: string[];
  downloads?: number;
  /** Pushed this many days ago (default: publish's). */
  days?: number;
}

export interface WorldOptions extends Pick<FakePackagesOptions, 'hourlyBudget'> {
  /** Handlers that see every request before the fakes (return false to pass it on). */
  before?: Handler[];
}

export class World {
  readonly model = new RepoModel(OWNER, REPO);
  readonly packages: FakePackages;
  readonly oci = new FakeGhcrOci(new Set([TOKEN]));
  private server: FakeServer | undefined;
  /** Package version id of every digest published (ids stay known after a delete). */
  readonly ids = new Map<string, number>();

  constructor(private readonly options: WorldOptions = {}) {
    this.packages = new FakePackages({
      owners: { [OWNER]: 'Organization', octo: 'User' },
      tokens: { [TOKEN]: { login: 'octo', read: true, delete: true } },
      clock: Date.now,
      ...(options.hourlyBudget !== undefined ? { hourlyBudget: options.hourlyBudget } : {}),
    });
  }

  get url(): string {
    if (!this.server) throw new Error('world not started');
    return this.server.url;
  }

  get requests(): RecordedRequest[] {
    return this.server?.requests ?? [];
  }

  /** A commit `days` ago (an ISO date for RepoModel). */
  static daysAgo(days: number): string {
    return new Date(Date.now() - days * DAY).toISOString();
  }

  /** An image built `days` ago from the commit `label` (its revision label; absent: no label). */
  image(label: string | undefined, days = 20, platform = { os: 'linux', architecture: 'amd64' }, pkg = REPO): string {
    return this.oci.addImage(`${OWNER}/${pkg}`, {
      created: World.daysAgo(days), ...platform,
      config: { Labels: label !== undefined ? { 'org.opencontainers.image.revision': oidOf(label) } : {} },
    });
  }

  /** An amd64 + arm64 index of images built from `label`. Returns the index and its children. */
  multiArch(label: string, days = 20, pkg = REPO): { index: string; children: string[] } {
    const amd = this.image(label, days, { os: 'linux', architecture: 'amd64' }, pkg);
    const arm = this.image(label, days, { os: 'linux', architecture: 'arm64' }, pkg);
    const index = this.oci.addIndex(`${OWNER}/${pkg}`, [
      { digest: amd, platform: { os: 'linux', architecture: 'amd64' } },
      { digest: arm, platform: { os: 'linux', architecture: 'arm64' } },
    ]);
    return { index, children: [amd, arm] };
  }

  /** A cosign signature of `subject`, listed as the version tagged `sha256-<hex>.sig`. */
  signature(subject: string, pkg = REPO): VersionSpec {
    return { digest: this.oci.addImage(`${OWNER}/${pkg}`, { mediaType: 'application/vnd.dev.cosign.simplesigning.v1+json', signed: subject }), tags: [`${subject.replace(':', '-')}.sig`] };
  }

  /** The package's versions, all pushed `days` ago. */
  publish(versions: VersionSpec[], pkg = REPO, days = 20): void {
    const added = this.packages.addPackage(OWNER, pkg, versions.map((v) => ({ name: v.digest, ageMinutes: (v.days ?? days) * 1440, ...(v.tags ? { tags: v.tags } : {}), ...(v.downloads !== undefined ? { downloads: v.downloads } : {}) })));
    for (const v of added) this.ids.set(v.name, v.id);
  }

  /** Digests of the versions still in the package. */
  left(pkg = REPO): string[] {
    return this.packages.versions(OWNER, pkg).map((v) => v.name).sort();
  }

  async start(): Promise<this> {
    this.server = await startFakeServer([...(this.options.before ?? []), fakeGraphql({ models: [this.model], token: TOKEN }), this.packages.handler, this.oci.handler]);
    return this;
  }

  async close(): Promise<void> {
    await this.server?.close();
  }
}
