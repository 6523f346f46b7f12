/**
 * DOCKER_HOST as Docker reads it, into where to connect: `unix:///path` (default
 * `unix:///var/run/docker.sock`) or `tcp://host:port` (plain; TLS is not supported yet). Anything else
 * is bad input: the run stops before it reads or removes anything (exit 2).
 */
import { InputError } from '@regsweep/core';
import { refuseUserinfo } from '@regsweep/core/internal';

export type EngineAddress = { socketPath: string } | { host: string; port: number };

export const DEFAULT_DOCKER_HOST = 'unix:///var/run/docker.sock';

const FIX = 'set DOCKER_HOST to unix:///PATH/TO/docker.sock or tcp://HOST:PORT (or leave it unset for the local socket)';

export function parseDockerHost(value: string | undefined, env: { tlsVerify?: string } = {}): EngineAddress {
  const text = value === undefined || value.trim() === '' ? DEFAULT_DOCKER_HOST : value.trim();
  // Checked before the value is printed anywhere: a password in it would be.
  refuseUserinfo(text, 'DOCKER_HOST', 'give the engine without user:password@: regsweep talks to a local socket or a plain tcp:// engine');
  if (text.startsWith('unix://')) {
    const socketPath = text.slice('unix://'.length);
    if (!socketPath.startsWith('/')) throw new InputError(`DOCKER_HOST ${JSON.stringify(text)}: a unix socket needs an absolute path`, FIX);
    return { socketPath };
  }
  if (text.startsWith('tcp://')) {
    if (env.tlsVerify !== undefined && env.tlsVerify !== '' && env.tlsVerify !== '0') {
      throw new InputError('DOCKER_TLS_VERIFY is set: regsweep does not speak TLS to a Docker Engine yet', 'use the engine\'s unix socket, or a plain tcp:// address');
    }
    const m = /^tcp:\/\/(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+):(\d{1,5})\/?$/.exec(text);
    const port = m ? Number(m[2]) : NaN;
    if (!m || port < 1 || port > 65535) throw new InputError(`DOCKER_HOST ${JSON.stringify(text)} is not tcp://HOST:PORT`, FIX);
    return { host: (m[1] as string).replace(/^\[|\]$/g, ''), port };
  }
  throw new InputError(`DOCKER_HOST ${JSON.stringify(text)}: only unix:// and tcp:// engines are supported`, FIX);
}
