// The desk's WebRTC in a process of its own (started by desk/webrtcLinks.ts, never by hand): one
// y-webrtc room per channel over @roamhq/wrtc, each on a copy of the channel's document that the
// desk's process keeps in step over IPC. @roamhq/wrtc 0.10 can crash its process (a native data race
// when a send meets the remote's close: SIGSEGV in RTCDataChannel::Send); here that costs the rooms a
// reconnect, not the desk its sessions, its journal or its chain work.
//
// Messages (Node IPC, advanced serialization; types in webrtcLinks.ts):
//   desk -> host: open {id, keys, signaling} · update {id, u} · presence {id, state} · close {id}
//   host -> desk: ready · update {id, u} · status {id, status} · peers {id, u} (an awareness update of the peers)
import * as Y from 'yjs'
import { encodeAwarenessUpdate, type Awareness } from 'y-protocols/awareness'
import { ChannelRoom } from '../core/sync/index.ts'
import { loadNodeWebrtc } from '../core/sync/node.ts'
import type { HostMessage, DeskMessage } from './webrtcLinks.ts'

/** Updates that came from the desk's copy: not sent back to it. */
const FROM_DESK = Symbol('desk')

interface Link {
  readonly doc: Y.Doc
  readonly room: ChannelRoom
  /** The desk's presence, set in the room once its provider is up (y-webrtc makes it a microtask later). */
  presence: Record<string, unknown> | null
  /** Hooks the room's awareness when it exists (then sets the presence); true once hooked. */
  hook(): boolean
  readonly off: () => void
}

const send = (m: HostMessage): void => {
  if (process.connected) process.send!(m)
}

const wrtc = await loadNodeWebrtc()
const links = new Map<string, Link>()

function open(m: Extract<DeskMessage, { t: 'open' }>): void {
  links.get(m.id)?.off()
  const doc = new Y.Doc()
  const room = ChannelRoom.open(doc, m.keys, { signaling: [...m.signaling], iceServers: [], wrtc, broadcastChannel: false })
  const onUpdate = (u: Uint8Array, origin: unknown) => {
    if (origin !== FROM_DESK) send({ t: 'update', id: m.id, u })
  }
  doc.on('update', onUpdate)
  // The peers' presence goes to the desk; this process's own state is the desk's (set by 'presence').
  let aw: Awareness | null = null
  const onAwareness = ({ added, updated, removed }: { added: number[]; updated: number[]; removed: number[] }) => {
    const peers = [...added, ...updated, ...removed].filter((c) => c !== aw!.clientID)
    if (peers.length > 0) send({ t: 'peers', id: m.id, u: encodeAwarenessUpdate(aw!, peers) })
  }
  const link: Link = {
    doc,
    room,
    presence: null,
    hook() {
      if (aw !== null) return true
      const a = room.awareness
      if (!a) return false
      aw = a
      a.on('update', onAwareness)
      if (link.presence !== null) a.setLocalState(link.presence)
      return true
    },
    off: () => {
      doc.off('update', onUpdate)
      offStatus()
      aw?.off('update', onAwareness)
      room.destroy()
      links.delete(m.id)
    },
  }
  const offStatus = room.subscribe(() => {
    link.hook()
    send({ t: 'status', id: m.id, status: room.getStatus() })
  })
  links.set(m.id, link)
  if (!link.hook()) queueMicrotask(() => void link.hook())
  send({ t: 'status', id: m.id, status: room.getStatus() })
}

process.on('message', (m: DeskMessage) => {
  switch (m.t) {
    case 'open':
      open(m)
      return
    case 'update': {
      const l = links.get(m.id)
      if (l) Y.applyUpdate(l.doc, m.u, FROM_DESK)
      return
    }
    case 'presence': {
      const l = links.get(m.id)
      if (!l) return
      l.presence = m.state
      if (l.hook()) l.room.awareness?.setLocalState(m.state)
      return
    }
    case 'close':
      links.get(m.id)?.off()
      return
  }
})
// The desk gone (its IPC channel closed): nothing to serve. That is the one way this process ends on
// its own: Ctrl-C or a stop of npm start signals the whole process group, and a child that died of it
// first would be restarted by a desk still closing its sessions (it logged the crash and a restart).
// The desk closes the rooms and then this channel (WebrtcHost.stop: SIGKILL after 3 s).
process.on('disconnect', () => process.exit(0))
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => undefined)
send({ t: 'ready' })

