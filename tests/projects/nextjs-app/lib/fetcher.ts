export async function fetchPage(url: string) {
  const response = await fetch(url, { signal: AbortSignal.timeout(5000) });
  return response.text();
}

export async function fetchRepository(owner: string) {
  // The host is fixed: the owner only chooses a path on it.
  const response = await fetch(`https://api.github.com/repos/${encodeURIComponent(owner)}`, { signal: AbortSignal.timeout(5000) });
  return response.json();
}
