// The desk's channels reach their traders through y-webrtc rooms that run in a child process
// (desk/webrtcHost.ts), not in the desk's own. The native WebRTC addon (@roamhq/wrtc 0.10) can crash
// the process it runs in (SIGSEGV in RTCDataChannel::Send when a send meets the remote's close, a
// data race in the addon); in a child that costs the rooms a reconnect, and the desk keeps its
// sessions, its journal, its chain work and its HTTP API. The child is started again after a crash
// and every live channel's room with it; each doc goes over in full, and y-webrtc's sync step with
// the peer brings back whatever the peer sent meanwhile.
//
// Each channel's document lives here; the child holds a copy, kept in step both ways over Node's IPC
// channel (Yjs updates; a copy's updates are sent back, the desk's are not echoed). Presence: the
// desk's own state is set in the child's room; the peers' states come back as awareness updates into
// an Awareness on the desk's doc, which the session reads as it reads a room's.
import { fork, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import * as Y from 'yjs'
import { Awareness, applyAwarenessUpdate, removeAwarenessStates } from 'y-protocols/awareness'
import { deriveRoomKeys, roomSecretBytes, type RoomKeys, type TransportStatus } from '../core/sync/index.ts'
import { countOf } from '../core/index.ts'
import type { ChannelEntry } from './channels.ts'
import type { ChannelLink, ConnectChannel } from './transport.ts'

export type DeskMessage =
  | { readonly t: 'open'; readonly id: string; readonly keys: RoomKeys; readonly signaling: readonly string[] }
  | { readonly t: 'update'; readonly id: string; readonly u: Uint8Array }
  | { readonly t: 'presence'; readonly id: string; readonly state: Record<string, unknown> | null }
  | { readonly t: 'close'; readonly id: string }

export type HostMessage =
  | { readonly t: 'ready' }
  | { readonly t: 'update'; readonly id: string; readonly u: Uint8Array }
  | { readonly t: 'status'; readonly id: string; readonly status: TransportStatus }
  | { readonly t: 'peers'; readonly id: string; readonly u: Uint8Array }

const NO_CONNECTION: TransportStatus = { webrtcPeers: 0, signalingConnected: 0, synced: false }
const HOST_SCRIPT = fileURLToPath(new URL('./webrtcHost.ts', import.meta.url))
/** Updates and presence that came from the child: not sent back to it. */
const FROM_HOST = Symbol('webrtc host')

export interface WebrtcHostOptions {
  readonly signaling: readonly string[]
  readonly log: (line: string) => void
  /** Wait before the child is started again after it died (default 1 s; doubled per crash within a minute, at most 30 s). */
  readonly restartMs?: number
}

class HostLink implements ChannelLink {
  status: TransportStatus = NO_CONNECTION
  readonly awareness: Awareness
  private readonly listeners = new Set<() => void>()
  private readonly offDoc: () => void

  constructor(readonly id: string, readonly doc: Y.Doc, readonly keys: RoomKeys, private readonly host: WebrtcHost) {
    this.awareness = new Awareness(doc)
    // No state until the session sets one (the room's presence is the desk's name, set by the bot).
    this.awareness.setLocalState(null)
    const onUpdate = (u: Uint8Array, origin: unknown) => {
      if (origin !== FROM_HOST) host.send({ t: 'update', id, u })
    }
    const onAwareness = (_: unknown, origin: unknown) => {
      if (origin === 'local') host.send({ t: 'presence', id, state: this.awareness.getLocalState() })
    }
    doc.on('update', onUpdate)
    this.awareness.on('update', onAwareness)
    this.offDoc = () => {
      doc.off('update', onUpdate)
      this.awareness.off('update', onAwareness)
    }
  }

  /** The room opened in the (new) child: the whole doc and the desk's presence go over. */
  openInHost(signaling: readonly string[]): void {
    this.host.send({ t: 'open', id: this.id, keys: this.keys, signaling })
    this.host.send({ t: 'update', id: this.id, u: Y.encodeStateAsUpdate(this.doc) })
    const state = this.awareness.getLocalState()
    if (state !== null) this.host.send({ t: 'presence', id: this.id, state })
  }

  /** The child is gone: no peer, and the peers' presence with it. */
  lost(): void {
    const peers = [...this.awareness.getStates().keys()].filter((c) => c !== this.awareness.clientID)
    if (peers.length > 0) removeAwarenessStates(this.awareness, peers, FROM_HOST)
    this.setStatus(NO_CONNECTION)
  }

  receive(m: HostMessage): void {
    if (m.t === 'update') Y.applyUpdate(this.doc, m.u, FROM_HOST)
    else if (m.t === 'peers') applyAwarenessUpdate(this.awareness, m.u, FROM_HOST)
    else if (m.t === 'status') this.setStatus(m.status)
  }

  private setStatus(s: TransportStatus): void {
    const same = s.webrtcPeers === this.status.webrtcPeers && s.signalingConnected === this.status.signalingConnected && s.synced === this.status.synced
    this.status = s
    if (!same) for (const l of this.listeners) l()
  }

  getStatus(): TransportStatus {
    return this.status
  }

  subscribe(onChange: () => void): () => void {
    this.listeners.add(onChange)
    return () => this.listeners.delete(onChange)
  }

  destroy(): void {
    if (this.host.drop(this)) {
      this.offDoc()
      this.awareness.destroy()
    }
  }
}

/** The child process that runs the desk's rooms, started again whenever it dies until stop(). */
export class WebrtcHost {
  private child: ChildProcess | null = null
  private ready = false
  private stopped = false
  private readonly links = new Map<string, HostLink>()
  private crashes: number[] = []
  private restartTimer: ReturnType<typeof setTimeout> | null = null
  /** How many times the child was started (tests and the log). */
  starts = 0

  constructor(private readonly o: WebrtcHostOptions) {
    this.start()
  }

  /** The desk's ConnectChannel: the channel's room, in the child. */
  readonly connect: ConnectChannel = (doc: Y.Doc, entry: ChannelEntry) => {
    const id = entry.channelId
    this.links.get(id)?.destroy()
    const link = new HostLink(id, doc, deriveRoomKeys(roomSecretBytes(entry), id), this)
    this.links.set(id, link)
    if (this.ready) link.openInHost(this.o.signaling)
    return link
  }

  /** @internal */
  send(m: DeskMessage): void {
    if (this.ready && this.child?.connected) this.child.send(m)
  }

  /** @internal Removes `link` (true if it was the live one) and closes its room in the child. */
  drop(link: HostLink): boolean {
    if (this.links.get(link.id) !== link) return false
    this.links.delete(link.id)
    this.send({ t: 'close', id: link.id })
    return true
  }

  /** The child's process id (tests). */
  get pid(): number | null {
    return this.child?.pid ?? null
  }

  async stop(): Promise<void> {
    this.stopped = true
    if (this.restartTimer) clearTimeout(this.restartTimer)
    const c = this.child
    if (!c || c.exitCode !== null || c.signalCode !== null) return
    const exited = new Promise((r) => c.once('exit', r))
    c.disconnect() // the host exits when its IPC channel closes
    const kill = setTimeout(() => c.kill('SIGKILL'), 3_000)
    await exited
    clearTimeout(kill)
  }

  private start(): void {
    this.starts++
    this.ready = false
    const child = fork(HOST_SCRIPT, [], { execArgv: ['--import', 'tsx'], serialization: 'advanced', stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
    this.child = child
    child.on('message', (m: HostMessage) => {
      if (m.t === 'ready') {
        this.ready = true
        for (const l of this.links.values()) l.openInHost(this.o.signaling)
        return
      }
      this.links.get(m.id)?.receive(m)
    })
    child.on('error', (e) => this.o.log(`webrtc host: ${e.message}`))
    child.once('exit', (code, signal) => {
      if (this.child !== child) return
      this.child = null
      this.ready = false
      for (const l of this.links.values()) l.lost()
      if (this.stopped) return
      const now = Date.now()
      this.crashes = [...this.crashes.filter((t) => now - t < 60_000), now]
      const base = this.o.restartMs ?? 1_000
      const wait = Math.min(30_000, base * 2 ** (this.crashes.length - 1))
      this.o.log(`webrtc host exited (${signal ?? `code ${code}`}): the rooms of ${countOf(this.links.size, 'channel')} are down; starting it again in ${(wait / 1000).toFixed(1)} s`)
      this.restartTimer = setTimeout(() => {
        this.restartTimer = null
        if (!this.stopped) this.start()
      }, wait)
    })
  }
}
