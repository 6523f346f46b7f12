/**
 * A `Registry` for a registry with a REST API of its own (an in-house image store), to show what an
 * adapter does. Its API, per repository:
 *
 *   GET    {api}/repositories/{repo}/images?page=N     { images: [{ digest, tags, pushedAt, mediaType }], nextPage }
 *   GET    {api}/repositories/{repo}/manifests/{digest} the manifest, its media type as Content-Type
 *   GET    {api}/repositories/{repo}/blobs/{digest}     a blob (an image config)
 *   DELETE {api}/repositories/{repo}/images/{digest}    204, or 404 when it is already gone
 *
 * The adapter only moves bytes: the engine decides. It must fail closed — a listing it could not read
 * whole throws instead of answering part of it (pages can shift under a concurrent push, so the
 * listing is read until two reads agree) — and say which failures are worth a retry.
 */
import { listUntilAgreed, RegistryError, type DeleteOutcome, type Digest, type ListedImage, type RawManifest, type Registry } from '@regsweep/core';

interface ApiImage {
  digest: string;
  tags: string[];
  pushedAt: string;
  mediaType: string;
}

interface ApiPage {
  images: ApiImage[];
  nextPage: number | null;
}

export class RestRegistry implements Registry {
  readonly name: string;
  /** What workloads pull (`images.example.internal/app`): without it, in-use protection is off. */
  readonly imageReference: string;
  /** This registry lists untagged images and deletes whole images only. */
  readonly capabilities = { listsUntagged: true, deletesTagAlone: false };

  constructor(private readonly api: string, private readonly repository: string, private readonly token: string) {
    this.name = `${new URL(api).host}/${repository}`;
    this.imageReference = this.name;
  }

  list(): Promise<ListedImage[]> {
    return listUntilAgreed(() => this.readListing(), { input: `registry ${this.name}` });
  }

  private async readListing(): Promise<ListedImage[]> {
    const images: ListedImage[] = [];
    for (let page: number | null = 1; page !== null;) {
      const body = (await (await this.send('GET', `images?page=${page}`)).json()) as ApiPage;
      const next = body.nextPage;
      if (!Array.isArray(body.images) || (next !== null && !(Number.isInteger(next) && next > page))) {
        throw new RegistryError(`${this.name}: page ${page} of the listing is not what the API describes`);
      }
      for (const i of body.images) images.push({ digest: i.digest, tags: i.tags, mediaType: i.mediaType, pushedAt: new Date(i.pushedAt) });
      page = next;
    }
    return images;
  }

  async getManifest(digest: Digest): Promise<RawManifest> {
    const response = await this.send('GET', `manifests/${digest}`);
    return { mediaType: response.headers.get('content-type') ?? '', body: await response.json() };
  }

  async getBlobJson(digest: Digest): Promise<unknown> {
    return (await this.send('GET', `blobs/${digest}`)).json();
  }

  async deleteImage(image: ListedImage): Promise<DeleteOutcome> {
    const response = await this.send('DELETE', `images/${image.digest}`, [404]);
    return response.status === 404 ? 'gone' : 'deleted';
  }

  private async send(method: string, path: string, alsoFine: number[] = []): Promise<Response> {
    const url = `${this.api}/repositories/${encodeURIComponent(this.repository)}/${path}`;
    const response = await fetch(url, { method, headers: { authorization: `Bearer ${this.token}` } });
    if (response.ok || alsoFine.includes(response.status)) return response;
    // Server errors and rate limits are transient: the engine retries them. Anything else is not.
    const transient = response.status >= 500 || response.status === 429;
    throw new RegistryError(`${method} ${this.name} ${path}: HTTP ${response.status}`, { status: response.status, transient });
  }
}
