/**
 * Starts the real CNCF distribution registry (Debian's /usr/bin/docker-registry) on a free 127.0.0.1
 * port with a temporary root directory, optionally with deletion disabled or htpasswd auth.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
export const REGISTRY_BIN = '/usr/bin/docker-registry';

export interface RegistryServerOptions {
  /** storage.delete.enabled (default true). */
  deleteEnabled?: boolean;
  /** htpasswd users; needs a bcrypt hasher (see `bcryptAvailable`). */
  users?: Record<string, string>;
}

export interface RegistryServer {
  /** `127.0.0.1:PORT`. */
  host: string;
  port: number;
  url: string;
  root: string;
  /** The registry process, for a bench's CPU figures. */
  pid: number | undefined;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** A bcrypt hash of `password` (htpasswd -B, or python3's crypt with METHOD_BLOWFISH). */
export async function bcryptHash(password: string): Promise<string | undefined> {
  try {
    const { stdout } = await run('htpasswd', ['-nbB', 'u', password]);
    return stdout.trim().split(':')[1];
  } catch {
    // not installed: try python3
  }
  try {
    const script = 'import crypt,sys,warnings\nwarnings.simplefilter("ignore")\nprint(crypt.crypt(sys.stdin.readline().rstrip("\\n"), crypt.mksalt(crypt.METHOD_BLOWFISH)))';
    const child = execFile('python3', ['-c', script]);
    const out = await new Promise<string>((resolve, reject) => {
      let text = '';
      child.stdout?.on('data', (d: Buffer) => (text += d.toString()));
      child.on('error', reject);
      child.on('close', (code) => (code === 0 ? resolve(text.trim()) : reject(new Error(`python3 exited ${code}`))));
      child.stdin?.end(`${password}\n`);
    });
    return out.startsWith('$2') ? out : undefined;
  } catch {
    return undefined;
  }
}

export function registryInstalled(): boolean {
  return existsSync(REGISTRY_BIN);
}

export async function startRegistry(options: RegistryServerOptions = {}): Promise<RegistryServer> {
  const root = await mkdtemp(join(tmpdir(), 'regsweep-registry-'));
  const port = await freePort();
  const host = `127.0.0.1:${port}`;
  const lines = [
    'version: 0.1',
    'log:',
    '  level: error',
    '  accesslog:',
    '    disabled: true',
    'storage:',
    '  filesystem:',
    `    rootdirectory: ${join(root, 'data')}`,
    '  delete:',
    `    enabled: ${options.deleteEnabled ?? true}`,
    'http:',
    `  addr: ${host}`,
  ];
  if (options.users !== undefined) {
    const entries: string[] = [];
    for (const [user, password] of Object.entries(options.users)) {
      const hash = await bcryptHash(password);
      if (hash === undefined) throw new Error('no bcrypt hasher (htpasswd or python3 crypt) available');
      entries.push(`${user}:${hash}`);
    }
    await writeFile(join(root, 'htpasswd'), `${entries.join('\n')}\n`);
    lines.push('auth:', '  htpasswd:', '    realm: regsweep-test', `    path: ${join(root, 'htpasswd')}`);
  }
  const config = join(root, 'config.yml');
  await writeFile(config, `${lines.join('\n')}\n`);
  const child = spawn(REGISTRY_BIN, ['serve', config], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  const url = `http://${host}`;
  const stop = async (): Promise<void> => {
    await kill(child);
    await rm(root, { recursive: true, force: true });
  };
  try {
    await waitUntilUp(url, child, () => stderr);
  } catch (error) {
    await stop();
    throw error;
  }
  return { host, port, url, root, pid: child.pid, stop };
}

async function waitUntilUp(url: string, child: ChildProcess, stderr: () => string): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`docker-registry exited ${child.exitCode}: ${stderr()}`);
    try {
      const res = await fetch(`${url}/v2/`);
      await res.body?.cancel();
      if (res.status === 200 || res.status === 401) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`docker-registry did not answer on ${url} within 15 s: ${stderr()}`);
}

async function kill(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}
