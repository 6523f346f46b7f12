/**
 * One redaction of every secret a run knows (tokens, passwords, credential helpers' secrets,
 * kubeconfig credentials), for everything a front end prints or writes: its log lines, the JSON
 * report, a job summary, outputs, a dotenv file. Secrets are added as the run learns them.
 *
 * The rule for short values: a secret of fewer than MIN_SECRET_LENGTH (4) characters is not
 * redacted. Masking every `ab` or `app` would mangle image names, tags and messages beyond use, and
 * such a value is no real credential; `add` answers false so the caller can say so. regsweep never
 * puts a credential in a message on purpose: redaction is the second line, for what a server or a
 * tool echoes back.
 *
 * Besides the secret itself, its forms in the outputs are redacted: the secret with surrounding
 * whitespace trimmed, each line of a multi-line secret, its JSON-escaped form (the report is JSON)
 * and its URL-encoded form (a URL in a message). Longer secrets are replaced first, so a secret that
 * holds another is masked whole.
 */

import { InputError } from '../errors.js';

export const MIN_SECRET_LENGTH = 4;

export interface Redactor {
  /** Adds a secret (undefined and empty values are ignored). False when it is too short to redact. */
  add(secret: string | undefined): boolean;
  /** `text` with every known secret replaced by the mask. */
  redact(text: string): string;
  /** How many secrets it holds (their forms not counted). */
  readonly size: number;
}

export interface RedactorOptions {
  /** What a secret is replaced by (default `***`, as GitHub masks; the GitLab job uses `[MASKED]`). */
  mask?: string;
}

function formsOf(secret: string): string[] {
  const forms = new Set<string>([secret]);
  for (const line of secret.split(/\r?\n/)) {
    const t = line.trim();
    if (t.length >= MIN_SECRET_LENGTH) forms.add(t);
  }
  for (const form of [...forms]) {
    forms.add(JSON.stringify(form).slice(1, -1));
    forms.add(encodeURIComponent(form));
  }
  return [...forms].filter((f) => f.length >= MIN_SECRET_LENGTH);
}

export function createRedactor(options: RedactorOptions = {}): Redactor {
  const mask = options.mask ?? '***';
  const secrets = new Set<string>();
  /** Every form of every secret, longest first; rebuilt when a secret is added. */
  let forms: string[] = [];
  return {
    add(secret) {
      const s = secret?.trim() ?? '';
      if (s === '') return true;
      if (s.length < MIN_SECRET_LENGTH) return false;
      if (!secrets.has(s)) {
        secrets.add(s);
        forms = [...new Set([...forms, ...formsOf(s)])].sort((a, b) => b.length - a.length);
      }
      return true;
    },
    redact(text) {
      let out = text;
      for (const form of forms) if (out.includes(form)) out = out.split(form).join(mask);
      return out;
    },
    get size() {
      return secrets.size;
    },
  };
}

/**
 * Credentials written into a registry reference or URL: `user:password@host/name`,
 * `https://user:password@host`. Returns the text with the userinfo replaced by `***` (safe to print),
 * or undefined when it has none. `oci:DIR` references are paths and never have userinfo; a digest
 * (`host/name@sha256:…`) comes after the first `/` and is not userinfo.
 */
export function maskedUserinfo(ref: string): string | undefined {
  if (ref.startsWith('oci:')) return undefined;
  const scheme = /^[A-Za-z][A-Za-z0-9+.-]*:\/\//.exec(ref)?.[0] ?? '';
  const rest = ref.slice(scheme.length);
  const end = rest.search(/[/?#]/);
  const authority = end === -1 ? rest : rest.slice(0, end);
  const at = authority.lastIndexOf('@');
  if (at === -1) return undefined;
  return `${scheme}***@${rest.slice(at + 1)}`;
}

/**
 * Throws an InputError (exit 2) when `ref` carries credentials: `what` names where it came from
 * (`--registry`, `FILE: cleanup.repositories[0].ref`, `input registry-url`), the message shows the
 * reference with the userinfo masked and never the secret, `hint` says how to pass credentials instead.
 */
export function refuseUserinfo(ref: string, what: string, hint: string): void {
  const masked = maskedUserinfo(ref);
  if (masked !== undefined) throw new InputError(`credentials in ${what} are not accepted (${masked})`, hint);
}
