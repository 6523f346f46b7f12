/** What `explain` names an image by: one of its tags, or its digest (whole, or the first 12+ hex digits). */

/** Whether an image with this digest and these tags is the one `target` names. */
export function namesImage(target: string, digest: string, tags: readonly string[]): boolean {
  if (tags.includes(target)) return true;
  if (target === digest) return true;
  const hex = digest.slice(digest.indexOf(':') + 1);
  const wanted = target.startsWith('sha256:') ? target.slice(7) : target;
  return /^[0-9a-f]{12,64}$/.test(wanted) && hex.startsWith(wanted);
}
