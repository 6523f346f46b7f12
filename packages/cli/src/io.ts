/** What the CLI prints through: the process's streams with every secret the run learns redacted. */
import { InputError } from '@regsweep/core';
import { createRedactor } from '@regsweep/core/internal';

export interface Io {
  stdout(text: string): void;
  stderr(text: string): void;
  cwd: string;
  /** Environment variables (registry credentials, cache folder); the process's own in bin.ts. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Standard input, read once for `--password-stdin`. */
  readStdin?: () => Promise<string>;
}

/**
 * `io` with everything it prints through one redaction of every secret the run learns (the
 * password, REGSWEEP_REGISTRY_PASSWORD, Docker config and helper secrets, Bearer tokens, kubeconfig
 * credentials): `learn` adds one, `redact` is for what is written to files (the report).
 */
export function redactingIo(io: Io): { io: Io; learn: (secret: string) => void; redact: (text: string) => string } {
  const secrets = createRedactor();
  secrets.add(io.env?.['REGSWEEP_REGISTRY_PASSWORD']);
  const redact = (text: string): string => secrets.redact(text);
  return {
    io: { ...io, stdout: (t) => io.stdout(redact(t)), stderr: (t) => io.stderr(redact(t)) },
    learn: (secret) => void secrets.add(secret),
    redact,
  };
}

/** The password piped to `--password-stdin` (one trailing newline dropped). */
export async function readPassword(io: Io): Promise<string> {
  const text = io.readStdin ? await io.readStdin() : '';
  const password = text.replace(/\r?\n$/, '');
  if (password === '') throw new InputError('--password-stdin: standard input was empty', 'pipe the password or token in: echo "$TOKEN" | regsweep … --password-stdin');
  return password;
}
