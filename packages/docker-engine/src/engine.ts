/**
 * The `HostEngine` port over the Docker Engine API with dockerode (the well-kept Node client): list
 * images and containers (all of them, running or not), re-read one image right before removing it,
 * remove an image without force (a 409 "in use" is an outcome, not an error) and a stopped container.
 * Listing fails closed: an engine that cannot be reached or answers an error throws IncompleteInputError.
 */
import Docker from 'dockerode';
import { IncompleteInputError, type HostContainer, type HostEngine, type HostImage, type HostRemoveOutcome } from '@regsweep/core';
import { parseDockerHost, type EngineAddress } from './docker-host.js';

const statusOf = (err: unknown): number | undefined =>
  typeof err === 'object' && err !== null && 'statusCode' in err && typeof err.statusCode === 'number' ? err.statusCode : undefined;

const messageOf = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/** The engine's tags without its `<none>:<none>` placeholder (a dangling image). */
const realTags = (tags: readonly string[] | undefined): string[] => (tags ?? []).filter((t) => t !== '<none>:<none>');

function fromList(i: Docker.ImageInfo): HostImage {
  return {
    id: i.Id, repoTags: realTags(i.RepoTags), repoDigests: (i.RepoDigests ?? []).filter((d) => !d.startsWith('<none>')),
    created: new Date(i.Created * 1000), size: i.Size,
    ...(typeof i.SharedSize === 'number' && i.SharedSize >= 0 ? { sharedSize: i.SharedSize } : {}),
    labels: i.Labels ?? {}, ...(typeof i.Containers === 'number' && i.Containers >= 0 ? { containers: i.Containers } : {}),
    ...(i.ParentId ? { parentId: i.ParentId } : {}),
  };
}

/** The engine's last tag time; Docker and podman answer year 1 for none. */
function lastTagTime(text: string | undefined): Date | undefined {
  const t = text ? Date.parse(text) : Number.NaN;
  return Number.isFinite(t) && new Date(t).getUTCFullYear() > 1970 ? new Date(t) : undefined;
}

function fromInspect(i: Docker.ImageInspectInfo & { Metadata?: { LastTagTime?: string } }): HostImage {
  const tagged = lastTagTime(i.Metadata?.LastTagTime);
  return {
    id: i.Id, repoTags: realTags(i.RepoTags), repoDigests: i.RepoDigests ?? [],
    created: new Date(i.Created), size: i.Size, labels: i.Config?.Labels ?? {},
    ...(i.Parent ? { parentId: i.Parent } : {}),
    ...(tagged ? { lastTagTime: tagged } : {}),
  };
}

function fromContainer(c: Docker.ContainerInfo): HostContainer {
  return {
    id: c.Id, name: (c.Names?.[0] ?? c.Id).replace(/^\//, ''), imageId: c.ImageID, image: c.Image, state: c.State,
    created: new Date(c.Created * 1000), labels: c.Labels ?? {},
  };
}

export class DockerEngine implements HostEngine {
  private readonly docker: Docker;

  constructor(readonly name: string, address: EngineAddress) {
    this.docker = 'socketPath' in address ? new Docker({ socketPath: address.socketPath }) : new Docker({ host: address.host, port: address.port, protocol: 'http' });
  }

  private failed(what: string, err: unknown): IncompleteInputError {
    return new IncompleteInputError(`Docker Engine ${this.name}`, `could not ${what}: ${messageOf(err)}`,
      'nothing was removed; check DOCKER_HOST and that the engine runs and this user may use it', err);
  }

  async images(): Promise<HostImage[]> {
    try {
      // shared-size: what each image shares with others (Docker answers -1 without it).
      return (await this.docker.listImages({ all: false, 'shared-size': true } as Docker.ListImagesOptions)).map(fromList);
    } catch (err) {
      throw this.failed('list images', err);
    }
  }

  async containers(): Promise<HostContainer[]> {
    try {
      return (await this.docker.listContainers({ all: true })).map(fromContainer);
    } catch (err) {
      throw this.failed('list containers', err);
    }
  }

  async image(id: string): Promise<HostImage | undefined> {
    try {
      return fromInspect(await this.docker.getImage(id).inspect());
    } catch (err) {
      if (statusOf(err) === 404) return undefined;
      throw this.failed(`read image ${id}`, err);
    }
  }

  async removeImage(ref: string): Promise<HostRemoveOutcome> {
    try {
      await this.docker.getImage(ref).remove({ force: false, noprune: false });
      return 'removed';
    } catch (err) {
      const status = statusOf(err);
      if (status === 404) return 'gone';
      if (status === 409) return 'in-use';
      throw this.failed(`remove image ${ref}`, err);
    }
  }

  async layersSize(): Promise<number | undefined> {
    try {
      const df = (await this.docker.df()) as { LayersSize?: unknown; Images?: unknown[] };
      // podman answers 0 whatever it stores: no figure rather than a wrong one.
      return typeof df.LayersSize === 'number' && df.LayersSize > 0 ? df.LayersSize : undefined;
    } catch (err) {
      throw this.failed('read the engine\'s disk usage', err);
    }
  }

  async tagImage(id: string, ref: string): Promise<void> {
    const colon = ref.lastIndexOf(':');
    const [repo, tag] = colon > ref.lastIndexOf('/') ? [ref.slice(0, colon), ref.slice(colon + 1)] : [ref, 'latest'];
    try {
      await this.docker.getImage(id).tag({ repo, tag });
    } catch (err) {
      throw this.failed(`put the tag ${ref} back on ${id}`, err);
    }
  }

  async dataRoot(): Promise<string | undefined> {
    try {
      const info = (await this.docker.info()) as { DockerRootDir?: unknown };
      return typeof info.DockerRootDir === 'string' && info.DockerRootDir !== '' ? info.DockerRootDir : undefined;
    } catch (err) {
      throw this.failed('read the engine\'s info', err);
    }
  }

  async removeContainer(id: string): Promise<'removed' | 'gone'> {
    try {
      await this.docker.getContainer(id).remove({ force: false });
      return 'removed';
    } catch (err) {
      if (statusOf(err) === 404) return 'gone';
      throw this.failed(`remove container ${id}`, err);
    }
  }
}

/** The engine DOCKER_HOST names (InputError when malformed: nothing is touched). */
export function openDockerEngine(dockerHost: string | undefined, env: { tlsVerify?: string } = {}): DockerEngine {
  const address = parseDockerHost(dockerHost, env);
  return new DockerEngine('socketPath' in address ? `unix://${address.socketPath}` : `tcp://${address.host}:${address.port}`, address);
}
