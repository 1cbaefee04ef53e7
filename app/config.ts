// Where the app finds its services. Vite env at build time, overridable per page by URL parameters
// (?node=...&signaling=...) so tests and a second trader on another port can point elsewhere.
const params = new URLSearchParams(globalThis.location?.search ?? '')

function loopbackUrl(value: string | null | undefined, fallback: string, field: string): string {
  if (!value) return fallback
  try {
    const u = new URL(value)
    if (!['http:', 'https:', 'ws:', 'wss:'].includes(u.protocol)) throw new Error('protocol')
    return u.toString().replace(/\/$/, '')
  } catch {
    console.warn(`ignoring ${field}=${value}: not a URL`)
    return fallback
  }
}

export const config = {
  nodeUrl: loopbackUrl(params.get('node'), import.meta.env.VITE_NODE_URL ?? 'http://127.0.0.1:8547', 'node'),
  signalingUrls: [loopbackUrl(params.get('signaling'), import.meta.env.VITE_SIGNALING_URL ?? 'ws://127.0.0.1:4444', 'signaling')],
  /** ICE servers: none by default (loopback and LAN). Users add STUN/TURN for real networks. */
  iceServers: [] as RTCIceServer[],
  /** The settlement asset of this deployment (the contract counts integer minor units of it). */
  asset: { symbol: 'USDC', decimals: 6 },
  demoUrl: loopbackUrl(params.get('demo'), import.meta.env.VITE_DEMO_URL ?? 'http://127.0.0.1:8600', 'demo'),
  /**
   * Dev only: this browser runs inside npm start's loopback-only network namespace, where Chromium
   * gathers loopback ICE candidates only after a media grant (see ../shared NOTES, scripts/start.ts).
   */
  loopbackMedia: params.get('loopback') === '1',
  /** Namespaces IndexedDB so two traders can share one browser profile in development. */
  profile: params.get('profile') ?? 'default',
}
