/**
 * The core `Registry` port over one repository of a GitLab project's container registry
 * (platform-facts.md §3):
 * - list(): the registry's own `/gitlab/v1` tags listing (1,000 tags a page, with digest, media type,
 *   size and push time) where the registry has it, authenticated by a registry JWT from
 *   `<server>/jwt/auth`; else REST v4: the tag pages, then one details call per tag (digest and
 *   build time), a few at a time through the shared pacer. Tags are grouped by digest.
 * - deletes: REST `DELETE …/tags/:name`, tag by tag (never the bulk endpoint, which is asynchronous,
 *   hourly and reports nothing). Deleting an image removes each of its tags; the untagged manifest is
 *   then garbage-collected by the registry. A tag a protection or immutable rule covers (403) is
 *   reported as skipped with the rule; a token that may not delete stops every later delete unsent.
 *   Never a registry manifest delete: GitLab refuses those in projects with immutable rules.
 * - reads: manifests and configs through the OCI API of `CI_REGISTRY` (the registry's Bearer challenge
 *   points at the same JWT endpoint), behind the digest cache when given.
 */
import { DeleteSkipped, IncompleteInputError, InputError, RegistryError, type DeleteOutcome, type Digest, type ListedImage, type RawManifest, type Registry, type RegistryCapabilities } from '@regsweep/core';
import { listUntilAgreed, resolveBracketed } from '@regsweep/core/internal';
import { createManifestReader, registryLocation, type CacheStats, type DigestCache, type ManifestReads, type OciRegistryClientOptions } from '@regsweep/oci-registry';
import { field, stringField, type GitLabApi, type ProjectId } from './gitlab-api.js';
import { statusOf, TOKEN_HINT } from './gitlab-errors.js';
import { GitLabRequestError, type GitLabHttp } from './gitlab-http.js';
import { tagRuleMatcher, type TagRuleMatcher } from './gitlab-tag-rules.js';
import { listTagsV1, RegistryJwt } from './gitlab-v1.js';
import type { TagFacts } from './gitlab-fields.js';

export interface GitLabRepository {
  /** The registry repository's id in REST v4. */
  id: number;
  /** `group/project` or `group/project/name`. */
  path: string;
}

export interface GitLabRegistryOptions {
  http: GitLabHttp;
  api: GitLabApi;
  project: ProjectId;
  repository: GitLabRepository;
  /** `CI_REGISTRY`: `registry.gitlab.com`, `registry.example.com:5050`, or an `http://` URL for tests. */
  registry: string;
  /** User and password for the registry and its JWT endpoint (`gitlab-ci-token` and the job token). */
  credentials: { username: string; password: string };
  /** `auto` (default): `/gitlab/v1` where it answers, else REST. */
  listing?: 'auto' | 'gitlab-v1' | 'rest';
  /** Tag details in flight at once on the REST listing (default 8). */
  detailsConcurrency?: number;
  cache?: { cache: DigestCache; readOnly: boolean };
  oci?: Pick<OciRegistryClientOptions, 'fetch' | 'sleep' | 'now' | 'maxAttempts' | 'backoffMs' | 'timeoutMs' | 'onSecret'>;
  log?: (message: string) => void;
}

export interface GitLabRegistryStats {
  /** How the last listing was read. */
  listing: 'gitlab-v1' | 'rest' | undefined;
  tags: number;
  oci: { tokens: number; manifests: number; blobs: number };
  cache?: CacheStats;
}

export class GitLabRegistry implements Registry {
  readonly name: string;
  readonly imageReference: string;
  readonly capabilities: RegistryCapabilities = { listsUntagged: false, deletesTagAlone: true };
  private readonly location: ReturnType<typeof registryLocation>;
  private readonly jwt: RegistryJwt;
  private reader: ManifestReads | undefined;
  private listedBy: GitLabRegistryStats['listing'];
  private listedTags = 0;
  /** The first permission refusal of a delete: every later delete fails with it, unsent. */
  private denied: InputError | undefined;
  private protection: Promise<TagRuleMatcher | undefined> | undefined;
  private deletedTags = 0;
  /** Plain 403s that could be a protection rule or the token's role (rules unreadable). */
  private unexplained = 0;

  constructor(private readonly o: GitLabRegistryOptions) {
    this.location = registryLocation(o.registry, 'CI_REGISTRY');
    this.name = `${this.location.host}/${o.repository.path}`;
    this.imageReference = this.name;
    this.jwt = new RegistryJwt(o.http, o.credentials, o.oci?.onSecret);
  }

  async list(): Promise<ListedImage[]> {
    const mode = this.o.listing ?? 'auto';
    const input = `registry ${this.name} listing`;
    const onRetry = (why: string): void => this.o.log?.(`${this.name}: the tag list changed while it was read (${why}); reading it again`);
    if (mode !== 'rest') {
      const v1 = (): Promise<TagFacts[] | undefined> => listTagsV1(this.o.http, this.jwt, this.location.url, this.o.repository.path, this.name);
      const first = await v1();
      if (first !== undefined) {
        this.listedBy = 'gitlab-v1';
        // Pages by `last` miss a tag pushed behind the cursor: read again until two reads agree (listing-check.ts).
        let pending: TagFacts[] | undefined = first;
        return listUntilAgreed(async () => {
          const tags = pending ?? (await v1());
          pending = undefined;
          if (tags === undefined) throw this.incomplete('the /gitlab/v1 tags listing stopped answering');
          return this.group(tags);
        }, { input, onRetry });
      }
      if (mode === 'gitlab-v1') throw new InputError(`${this.name}: the registry has no /gitlab/v1 API (it needs GitLab's metadata database)`, 'let regsweep use the REST API (REGSWEEP_LISTING=auto or rest)');
      this.o.log?.(`${this.name}: the registry has no /gitlab/v1 tags listing; reading tag details through REST, one request per tag`);
    }
    this.listedBy = 'rest';
    return this.group(await this.listRest(input, onRetry));
  }

  /** Tag pages, one details call per tag, tag pages again: they must agree (listing-check.ts). */
  private async listRest(input: string, onRetry: (why: string) => void): Promise<TagFacts[]> {
    const { api, project, repository } = this.o;
    const listNames = async (): Promise<string[]> => (await this.read('list tags', () => api.registryTags(project, repository.id))).map((t) => {
      const name = stringField(t, 'name');
      if (name === undefined) throw this.incomplete('a tag in the REST listing has no name');
      return name;
    });
    const details = await resolveBracketed({
      input, onRetry, listNames, concurrency: Math.max(1, this.o.detailsConcurrency ?? 8),
      pause: (attempt) => (this.o.oci?.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms))))(250 * attempt),
      resolve: (name) => this.tagDetails(name),
    });
    return [...details.values()];
  }

  /** One tag's digest, build time and size through REST; undefined when GitLab says it does not exist. */
  private async tagDetails(name: string): Promise<TagFacts | undefined> {
    const { api, project, repository } = this.o;
    let d: unknown;
    try {
      d = await api.registryTag(project, repository.id, name);
    } catch (err) {
      if (statusOf(err) === 404) return undefined;
      throw this.readError(`read tag ${name}`, err);
    }
    const digest = stringField(d, 'digest');
    if (digest === undefined || !/^sha256:[0-9a-f]{64}$/.test(digest)) throw this.incomplete(`tag ${name} has no digest in its details`);
    const created = stringField(d, 'created_at');
    const size = field(d, 'total_size');
    return { name, digest, ...(created !== undefined ? { at: created } : {}), ...(typeof size === 'number' ? { size } : {}) };
  }

  /** One listed image per digest; its time is its newest tag's (keeps rather than deletes). */
  private group(tags: readonly TagFacts[]): ListedImage[] {
    this.listedTags = tags.length;
    const byDigest = new Map<Digest, ListedImage>();
    for (const t of tags) {
      let image = byDigest.get(t.digest);
      if (image === undefined) byDigest.set(t.digest, (image = { digest: t.digest, tags: [] }));
      image.tags.push(t.name);
      if (t.mediaType !== undefined) image.mediaType = t.mediaType;
      if (t.size !== undefined) image.size = t.size;
      const at = t.at !== undefined ? new Date(t.at) : undefined;
      if (at !== undefined && !Number.isNaN(at.getTime()) && (image.pushedAt === undefined || at > image.pushedAt)) image.pushedAt = at;
    }
    for (const image of byDigest.values()) image.tags.sort();
    return [...byDigest.values()];
  }

  async deleteImage(image: ListedImage): Promise<DeleteOutcome> {
    if (image.tags.length === 0) throw new RegistryError(`${this.name}: ${image.digest} has no tag; GitLab deletes tags, and its registry collects untagged manifests itself`);
    const outcomes: DeleteOutcome[] = [];
    const protectedTags: string[] = [];
    const reasons: string[] = [];
    for (const tag of image.tags) {
      try {
        outcomes.push(await this.deleteTag(tag));
      } catch (err) {
        if (!(err instanceof DeleteSkipped)) throw err;
        protectedTags.push(tag);
        reasons.push(err.message);
      }
    }
    if (protectedTags.length > 0) {
      // Never a registry manifest delete instead: GitLab refuses those in a project with immutable rules,
      // and one would take the protected tags with it.
      const removed = image.tags.filter((t) => !protectedTags.includes(t));
      throw new DeleteSkipped(`GitLab keeps tag${protectedTags.length > 1 ? 's' : ''} ${protectedTags.join(', ')} of ${image.digest}, so the image stays: ${reasons.join('; ')}` +
        (removed.length > 0 ? ` (its other tags ${removed.join(', ')} were removed)` : '') + '; the rules are in Settings > Packages and registries');
    }
    return outcomes.every((o) => o === 'gone') ? 'gone' : 'deleted';
  }

  async deleteTag(tag: string): Promise<DeleteOutcome> {
    if (this.denied !== undefined) throw this.denied;
    try {
      await this.o.api.removeRegistryTag(this.o.project, this.o.repository.id, tag);
      this.deletedTags += 1;
      return 'deleted';
    } catch (err) {
      const status = statusOf(err);
      const message = err instanceof GitLabRequestError ? err.description : err instanceof Error ? err.message : String(err);
      if (status === 404) return 'gone';
      if ((status === 403 || status === 400) && /immutab/i.test(message)) throw new DeleteSkipped(`tag ${tag} is immutable: ${message}`);
      if ((status === 403 || status === 400) && /protect/i.test(message)) throw new DeleteSkipped(`tag ${tag} is protected: ${message}`);
      if (status === 403) return this.refused(tag, message);
      if (status === 401) throw this.deny(tag, status, message);
      throw err instanceof RegistryError ? err : new RegistryError(`${this.name}: delete tag ${tag}: ${message}`, { ...(status !== undefined ? { status } : {}), transient: status === undefined || status >= 500 });
    }
  }

  /**
   * A plain 403 on a tag delete: newer GitLab answers it both for a tag a protection rule guards and
   * for a token that may not delete. The project's rules tell which; where they cannot be read, a few
   * such refusals without any delete going through count as the token's.
   */
  private async refused(tag: string, message: string): Promise<never> {
    this.protection ??= this.o.api.tagRules(this.o.project).then(
      (rules) => (rules !== undefined ? tagRuleMatcher(rules) : undefined),
      () => undefined,
    );
    const explain = await this.protection;
    if (explain !== undefined) {
      const reason = explain(tag);
      if (reason !== undefined) throw new DeleteSkipped(reason);
      throw this.deny(tag, 403, message);
    }
    this.unexplained += 1;
    if (this.deletedTags === 0 && this.unexplained >= 3) throw this.deny(tag, 403, message);
    throw new DeleteSkipped(`GitLab refused to delete tag ${tag} (403): a protection rule guards it, or the token may not delete`);
  }

  private deny(tag: string, status: number, message: string): InputError {
    this.denied ??= new InputError(`${this.name}: GitLab refused to delete tag ${tag} (${status}${message ? ` ${message}` : ''})`,
      `deleting tags needs the Developer role or higher and a token with the api scope; ${TOKEN_HINT}`);
    return this.denied;
  }

  /** Manifest and config reads answered by the digest cache so far (progress lines). */
  readsFromCache(): number {
    return this.reader?.cacheStats()?.hits ?? 0;
  }

  async getManifest(digest: Digest): Promise<RawManifest> {
    return this.oci().getManifest(digest);
  }

  async getBlobJson(digest: Digest): Promise<unknown> {
    return this.oci().getBlobJson(digest);
  }

  stats(): GitLabRegistryStats {
    const cache = this.reader?.cacheStats();
    return { listing: this.listedBy, tags: this.listedTags, oci: this.reader?.counts() ?? { tokens: 0, manifests: 0, blobs: 0 }, ...(cache !== undefined ? { cache } : {}) };
  }

  private oci(): ManifestReads {
    return (this.reader ??= createManifestReader({
      ...this.o.oci,
      repository: this.name,
      plainHttp: this.location.plainHttp,
      credentials: this.o.credentials,
      credentialsHint: TOKEN_HINT,
      ...(this.o.cache !== undefined ? { cache: this.o.cache } : {}),
    }));
  }

  private async read<T>(what: string, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (err) {
      throw this.readError(what, err);
    }
  }

  private readError(what: string, err: unknown): Error {
    const status = statusOf(err);
    if (status === 401 || status === 403) {
      return new InputError(`${this.name}: ${what}: GitLab refused the token (${status} ${err instanceof GitLabRequestError ? err.description : ''})`.trim(), TOKEN_HINT);
    }
    return this.incomplete(`${what}: ${err instanceof Error ? err.message : String(err)}`, err);
  }

  private incomplete(why: string, cause?: unknown): IncompleteInputError {
    return new IncompleteInputError(`${this.name} listing`, why, 'nothing was deleted; run again when GitLab answers', cause);
  }
}

