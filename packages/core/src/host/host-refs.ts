/**
 * Image references as a Docker Engine lists them (`RepoTags`, `RepoDigests`), reduced to the repository
 * they name. Docker shortens Docker Hub names (`nginx:1`, `acme/app:1`); podman writes them out
 * (`docker.io/library/nginx:1`): both become `docker.io/library/nginx`, so a configured repository
 * matches either spelling.
 */

/** A repository name in one spelling: lower-case host, Docker Hub's defaults written out. */
export function normalizeRepository(name: string): string {
  const parts = name.split('/');
  const first = parts[0] ?? '';
  // As Docker reads a name: the first part is a registry host when it has a dot, a port or upper case, or is localhost.
  const hasHost = parts.length > 1 && (first.includes('.') || first.includes(':') || first === 'localhost' || first !== first.toLowerCase());
  if (!hasHost) return parts.length === 1 ? `docker.io/library/${name}` : `docker.io/${name}`;
  const host = first.toLowerCase() === 'index.docker.io' ? 'docker.io' : first.toLowerCase();
  const rest = parts.slice(1);
  return host === 'docker.io' && rest.length === 1 ? `docker.io/library/${rest[0]}` : [host, ...rest].join('/');
}

/** `repo:tag` → its repository and tag; undefined when it is not one. */
export function splitTagRef(ref: string): { repository: string; tag: string } | undefined {
  const colon = ref.lastIndexOf(':');
  if (colon <= 0 || colon < ref.lastIndexOf('/') || ref.includes('@')) return undefined;
  return { repository: normalizeRepository(ref.slice(0, colon)), tag: ref.slice(colon + 1) };
}

/** `repo@sha256:…` → its repository and digest; undefined when it is not one. */
export function splitDigestRef(ref: string): { repository: string; digest: string } | undefined {
  const at = ref.indexOf('@');
  if (at <= 0) return undefined;
  return { repository: normalizeRepository(ref.slice(0, at)), digest: ref.slice(at + 1) };
}
