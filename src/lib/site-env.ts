// Reads the deployment settings from the environment with clear errors, so a typo in a
// workflow fails the build instead of publishing a site whose links all 404.

/** `SITE_BASE`: `/` (default) or a sub-path such as `/module-9/`. Always ends with `/`. */
export function siteBase(value: string | undefined): string {
  if (value === undefined || value === '' || value === '/') return '/';
  if (!/^\/[A-Za-z0-9._~-]+(\/[A-Za-z0-9._~-]+)*\/?$/.test(value)) {
    throw new Error(
      `SITE_BASE="${value}" is not a URL path. Use "/" or a path such as "/module-9/" (unset it to serve at /).`,
    );
  }
  return value.endsWith('/') ? value : `${value}/`;
}

/** `SITE_URL`: the origin the site is published at; defaults to the local preview server. */
export function siteUrl(value: string | undefined): string {
  const url = value === undefined || value === '' ? 'http://localhost:4321' : value;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error(`SITE_URL="${url}" is not a URL. Use an origin such as "https://example.github.io".`);
  }
  if (parsed.pathname !== '/' || parsed.search || parsed.hash) {
    throw new Error(`SITE_URL="${url}" must be an origin only; put the sub-path in SITE_BASE instead.`);
  }
  return parsed.origin;
}
