// Test helper: a y-webrtc peer (WebrtcProvider + @roamhq/wrtc) in a process of its own (y-webrtc
// allows one provider per room name per process). It writes `peer:<name>` into the shared map,
// prints "connected" once a WebRTC data channel is up and "synced <keys>" each time the map changes,
// and exits when stdin closes.
//   tsx signaling/testkit-peer.ts '<json {url, room, password, name}>'
import * as Y from 'yjs'
import { WebrtcProvider } from 'y-webrtc'

const cfg = JSON.parse(process.argv[2] ?? '{}') as { url: string; room: string; password: string; name: string }
const g = globalThis as { WebSocket?: unknown }
g.WebSocket ??= (await import('ws')).WebSocket
const wrtcModule = (await import('@roamhq/wrtc')) as { default?: unknown }
const wrtc = wrtcModule.default ?? wrtcModule

const doc = new Y.Doc()
const provider = new WebrtcProvider(cfg.room, doc, {
  signaling: [cfg.url],
  password: cfg.password,
  peerOpts: { wrtc, config: { iceServers: [] } },
} as ConstructorParameters<typeof WebrtcProvider>[2])
const map = doc.getMap<string>('m')
map.set(`peer:${cfg.name}`, cfg.name)
map.observe(() => console.log(`synced ${[...map.keys()].sort().join(',')}`))
let connected = false
const timer = setInterval(() => {
  if (!connected && (provider.room?.webrtcConns.size ?? 0) > 0) {
    connected = true
    console.log('connected')
  }
}, 20)
process.stdin.resume()
process.stdin.on('end', () => {
  clearInterval(timer)
  provider.destroy()
  // lib0 keeps a BroadcastChannel open: exit explicitly.
  process.exit(0)
})
