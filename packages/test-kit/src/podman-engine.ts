/**
 * A real Docker Engine API for tests, without Docker: Debian's `podman system service` on a private
 * unix socket, with its own storage (the `vfs` driver, graph and run roots in a temporary folder), as
 * root (platform-facts.md, round 2). Images come from `podman import` of a one-file root filesystem
 * (with labels and a tag), containers from `podman create`. `npm run test:all` installs podman; the
 * service is started and stopped by the test that needs it.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface PodmanEngine {
  /** `unix:///…/docker.sock`, as DOCKER_HOST names it. */
  dockerHost: string;
  socketPath: string;
  /** Imports a tiny image as `ref` (`host/name:tag`) with these labels; returns its image id (`sha256:…`). */
  importImage(ref: string, labels?: Record<string, string>): Promise<string>;
  /** Adds another tag to an image. */
  tag(image: string, ref: string): Promise<void>;
  /** Creates (does not start) a container of `image`; returns its id. */
  createContainer(image: string, name: string): Promise<string>;
  /** Runs podman against this service's storage (for what the API cannot do, in tests). */
  podman(args: readonly string[]): Promise<string>;
  stop(): Promise<void>;
}

/** Whether podman is installed (the tests that need it say so when it is not). */
export async function havePodman(): Promise<boolean> {
  try {
    await run('podman', ['--version']);
    return true;
  } catch {
    return false;
  }
}

function ping(socketPath: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request({ socketPath, path: '/_ping', method: 'GET', timeout: 1000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => {
      req.destroy();
      resolve(false);
    });
    req.end();
  });
}

export async function startPodmanEngine(): Promise<PodmanEngine> {
  const dir = await mkdtemp(join(tmpdir(), 'regsweep-podman-'));
  const graph = join(dir, 'graph');
  const runroot = join(dir, 'run');
  const socketPath = join(dir, 'docker.sock');
  const conf = join(dir, 'storage.conf');
  await writeFile(conf, `[storage]\ndriver = "vfs"\ngraphroot = "${graph}"\nrunroot = "${runroot}"\n`);
  const env = { ...process.env, CONTAINERS_STORAGE_CONF: conf };
  const base = ['--root', graph, '--runroot', runroot, '--storage-driver', 'vfs'];
  const service: ChildProcess = spawn('podman', [...base, 'system', 'service', '--time=0', `unix://${socketPath}`], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  service.stderr?.on('data', (chunk: Buffer) => void (log += chunk.toString()));
  for (let i = 0; !(await ping(socketPath)); i++) {
    if (i > 100 || service.exitCode !== null) {
      service.kill('SIGKILL');
      await rm(dir, { recursive: true, force: true });
      throw new Error(`podman system service did not answer on ${socketPath}: ${log.slice(-500)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const podman = async (args: readonly string[]): Promise<string> => (await run('podman', [...base, ...args], { env })).stdout.trim();
  let images = 0;
  return {
    dockerHost: `unix://${socketPath}`, socketPath, podman,
    async importImage(ref, labels = {}) {
      const rootfs = join(dir, `rootfs-${++images}`);
      await mkdir(rootfs);
      // Each image its own content, so that each has its own id.
      await writeFile(join(rootfs, 'content'), `${ref} ${images}\n`);
      const tar = `${rootfs}.tar`;
      await run('tar', ['-C', rootfs, '-cf', tar, '.']);
      const changes = Object.entries(labels).flatMap(([k, v]) => ['--change', `LABEL ${k}=${v}`]);
      const out = await podman(['import', '-q', ...changes, tar, ref]);
      const id = out.split('\n').pop() ?? '';
      return id.startsWith('sha256:') ? id : `sha256:${id}`;
    },
    async tag(image, ref) {
      await podman(['tag', image, ref]);
    },
    async createContainer(image, name) {
      return podman(['create', '--name', name, image, '/content']);
    },
    async stop() {
      service.kill('SIGTERM');
      await new Promise((resolve) => (service.exitCode !== null ? resolve(undefined) : service.once('exit', resolve)));
      await rm(dir, { recursive: true, force: true });
    },
  };
}
