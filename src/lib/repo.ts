// Where the repository lives, for links from pages to lab sources. The Pages workflow sets
// REPO_URL (e.g. https://github.com/owner/repo) and REPO_BRANCH; without it, pages show the
// path inside the clone instead of a link that might point nowhere.
export function sourceUrl(path: string, env: Record<string, string | undefined> = process.env): string | null {
  const repo = env.REPO_URL?.replace(/\/+$/, '');
  if (!repo) return null;
  if (!/^https:\/\/[^\s/]+\/[^\s]+$/.test(repo)) {
    throw new Error(`REPO_URL="${env.REPO_URL}" is not an https repository URL such as https://github.com/owner/repo.`);
  }
  return `${repo}/blob/${env.REPO_BRANCH || 'main'}/${path.replace(/^\/+/, '')}`;
}
