/**
 * `repo:tag`, or `repo:tag@sha256:…` when a digest is given: the kubelet then pulls exactly that
 * image (the tag is kept for people reading the manifest; the digest decides).
 */
export function imageReference(repository: string, tag: string, digest?: string): string {
  return digest ? `${repository}:${tag}@${digest}` : `${repository}:${tag}`;
}
