// Image reference forms: the cache keys node images by the fully qualified form the runtime
// reports, and ImageLocality looks pod images up by the same rules, so both use these.

/** Upstream normalizedImageName: an image without a tag gets ":latest". */
export function normalizedImageName(name: string): string {
  return name.lastIndexOf(':') <= name.lastIndexOf('/') ? `${name}:latest` : name;
}

/**
 * The fully qualified Docker reference: "nginx" -> "docker.io/library/nginx:latest",
 * "user/app:1" -> "docker.io/user/app:1". Runtimes report node images in this form, while pods
 * usually use the short one.
 */
export function fullyQualifiedImageName(name: string): string {
  const slash = name.indexOf('/');
  const first = slash < 0 ? '' : name.slice(0, slash);
  const hasDomain = slash >= 0 && (first.includes('.') || first.includes(':') || first === 'localhost');
  let domain = hasDomain ? first : 'docker.io';
  let rest = hasDomain ? name.slice(slash + 1) : name;
  if (domain === 'index.docker.io') domain = 'docker.io';
  if (domain === 'docker.io' && !rest.includes('/')) rest = `library/${rest}`;
  return normalizedImageName(`${domain}/${rest}`);
}
