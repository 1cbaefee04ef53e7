// Where the demo desks listen (npm start runs several, one per style): VITE_DEMO_URLS (comma
// separated), overridable by the page's ?demos= parameter, else the one demo desk of the config.
// Parsed once; a bad entry is named and left out, never fetched.

export interface DemoDeskUrls {
  readonly urls: readonly string[]
  /** Entries that are not http(s) URLs, with the reason. */
  readonly rejected: readonly string[]
}

export function parseDemoUrls(list: string | null | undefined, fallback: string): DemoDeskUrls {
  if (!list || !list.trim()) return { urls: [fallback], rejected: [] }
  const urls: string[] = []
  const rejected: string[] = []
  for (const raw of list.split(',').map((x) => x.trim()).filter(Boolean)) {
    let u: URL
    try {
      u = new URL(raw)
    } catch {
      rejected.push(`"${raw}" is not a URL`)
      continue
    }
    if (u.protocol !== 'http:' && u.protocol !== 'https:') {
      rejected.push(`"${raw}": expected an http or https URL`)
      continue
    }
    const url = u.toString().replace(/\/+$/, '')
    if (!urls.includes(url)) urls.push(url)
  }
  if (urls.length > 8) {
    rejected.push(`${urls.length - 8} more than the 8 demo desks shown`)
    urls.length = 8
  }
  return { urls, rejected }
}
