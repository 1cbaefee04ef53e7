// The desk's rooms in a child process (webrtcLinks.ts, webrtcHost.ts) against a peer in this process
// over real WebRTC (@roamhq/wrtc) and a local signaling server. Run inside the loopback-only
// namespace: node scripts/netns.mjs npx vitest run desk/webrtcLinks.test.ts
import { afterAll, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { ChannelRoom, deriveRoomKeys, roomSecretBytes } from '../core/sync/index.ts'
import { loadNodeWebrtc, startSignalingServer, type SignalingServer } from '../core/sync/node.ts'
import type { ChannelEntry } from './channels.ts'
import { WebrtcHost } from './webrtcLinks.ts'

async function until(what: string, cond: () => boolean, ms = 30_000): Promise<void> {
  const end = Date.now() + ms
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 20))
  }
}

describe('the desk’s rooms in a child process', () => {
  const cleanup: (() => unknown)[] = []
  afterAll(async () => {
    for (const c of cleanup.reverse()) await c()
  })

  it('keeps the desk’s doc and the peer’s in step both ways with presence, and survives the child’s crash', async () => {
    const server: SignalingServer = await startSignalingServer()
    cleanup.push(() => server.stop())
    const wrtc = await loadNodeWebrtc()
    const log: string[] = []
    const host = new WebrtcHost({ signaling: [server.url], log: (l) => log.push(l), restartMs: 200 })
    cleanup.push(() => host.stop())
    const entry = { channelId: 'c4'.repeat(32), roomSecret: '5e'.repeat(32) } as ChannelEntry

    // The desk's side: its doc, linked through the child. The peer: a room in this process.
    const deskDoc = new Y.Doc()
    const link = host.connect(deskDoc, entry)
    const peerDoc = new Y.Doc()
    const peer = ChannelRoom.open(peerDoc, deriveRoomKeys(roomSecretBytes(entry), entry.channelId), { signaling: [server.url], iceServers: [], wrtc, broadcastChannel: false, pollMs: 50 })
    cleanup.push(() => peer.destroy())
    await until('a WebRTC peer on both sides', () => link.getStatus().webrtcPeers > 0 && peer.getStatus().webrtcPeers > 0)

    deskDoc.getMap('m').set('from desk', 1)
    peerDoc.getMap('m').set('from peer', 2)
    await until('both writes on both sides', () => deskDoc.getMap('m').get('from peer') === 2 && peerDoc.getMap('m').get('from desk') === 1)

    // Presence: the desk's state reaches the peer's room, the peer's reaches the desk's awareness.
    link.awareness!.setLocalState({ party: 'A', name: 'Desk', editing: null })
    await until('the peer sees the desk', () => peer.awareness !== undefined)
    peer.awareness!.setLocalState({ party: 'B', name: 'Trader', editing: null })
    const states = (aw: NonNullable<typeof link.awareness>) => [...aw.getStates().entries()].filter(([id]) => id !== aw.clientID).map(([, s]) => s as { name?: string })
    await until('each sees the other’s name', () => states(peer.awareness!).some((s) => s.name === 'Desk') && states(link.awareness!).some((s) => s.name === 'Trader'))

    // The child crashes (as @roamhq/wrtc's SIGSEGV does): the desk's doc and link live on; the link
    // reports no peer and no peer presence, the child comes back, and writes made meanwhile on
    // either side arrive.
    const firstPid = host.pid!
    process.kill(firstPid, 'SIGSEGV')
    await until('the link reports the room down', () => link.getStatus().webrtcPeers === 0 && link.getStatus().signalingConnected === 0)
    expect(states(link.awareness!), 'the peers’ presence leaves with the child').toEqual([])
    deskDoc.getMap('m').set('desk while down', 3)
    peerDoc.getMap('m').set('peer while down', 4)
    await until('the child started again', () => host.starts === 2 && host.pid !== null && host.pid !== firstPid)
    await until('a WebRTC peer again', () => link.getStatus().webrtcPeers > 0, 45_000)
    await until('the writes made while down on both sides', () => deskDoc.getMap('m').get('peer while down') === 4 && peerDoc.getMap('m').get('desk while down') === 3, 45_000)
    await until('the desk’s presence back in the room', () => states(peer.awareness!).some((s) => s.name === 'Desk'))
    expect(log.join('\n')).toMatch(/webrtc host exited \(SIGSEGV\): the rooms of 1 channel are down; starting it again in 0\.2 s/)

    // Ctrl-C or a stop of npm start signals the whole process group: the child waits for the desk to
    // close it (its IPC channel), so the desk never sees it die and restarts it while shutting down.
    const pid = host.pid!
    process.kill(pid, 'SIGTERM')
    process.kill(pid, 'SIGINT')
    await new Promise((r) => setTimeout(r, 1_000))
    expect([host.pid, host.starts, link.getStatus().webrtcPeers > 0]).toEqual([pid, 2, true])

    // A link destroyed closes its room in the child; its doc no longer follows the peer, at once.
    // (Not waited for: the peer noticing the closed connection. @roamhq/wrtc does not always signal
    // the remote close, and ICE then takes its own 30 s or more under load: a CI run timed out on it.)
    link.destroy()
    peerDoc.getMap('m').set('after destroy', 5)
    await new Promise((r) => setTimeout(r, 1_000))
    expect(deskDoc.getMap('m').get('after destroy')).toBeUndefined()
    deskDoc.getMap('m').set('desk after destroy', 6)
    await new Promise((r) => setTimeout(r, 1_000))
    expect(peerDoc.getMap('m').get('desk after destroy'), 'nor does the peer follow the desk').toBeUndefined()
  }, 120_000)
})
