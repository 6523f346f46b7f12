/** Parsing and normalising image references the way container runtimes read them. */
export interface ImageReference {
  /** Registry host with port, lower case; `docker.io` for Docker Hub. */
  host: string;
  /** Repository path; Docker Hub single names get `library/`. */
  path: string;
  tag?: string;
  digest?: string;
}

const DIGEST = /@(sha256:[0-9a-f]{64}|sha512:[0-9a-f]{128})$/;

export function parseImageReference(text: string): ImageReference | undefined {
  let rest = text.trim();
  if (rest === '') return undefined;
  let digest: string | undefined;
  const d = DIGEST.exec(rest);
  if (d) {
    digest = d[1];
    rest = rest.slice(0, d.index);
  } else if (rest.includes('@')) return undefined;
  let tag: string | undefined;
  const lastSlash = rest.lastIndexOf('/');
  const colon = rest.lastIndexOf(':');
  if (colon > lastSlash) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  const parts = rest.split('/');
  let host = 'docker.io';
  const first = parts[0] ?? '';
  if (parts.length > 1 && (first.includes('.') || first.includes(':') || first === 'localhost')) {
    host = first.toLowerCase();
    parts.shift();
  }
  if (host === 'index.docker.io' || host === 'registry-1.docker.io') host = 'docker.io';
  if (host === 'docker.io' && parts.length === 1) parts.unshift('library');
  const path = parts.join('/');
  if (path === '' || (tag !== undefined && tag === '')) return undefined;
  return { host, path, ...(tag !== undefined ? { tag } : {}), ...(digest ? { digest } : {}) };
}

/** `host/path` of a reference, for comparing repositories. */
export function repositoryKey(ref: ImageReference): string {
  return `${ref.host}/${ref.path}`;
}
