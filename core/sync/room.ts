// The y-webrtc room for one channel. Browser-safe (Node passes wrtc in via options).
//
// Room name and password are derived from a secret only the two counterparties hold:
//   name     = hex(HKDF-SHA256(secret, salt "otc-room/v1", info "name:" + channelId, 16))
//   password = hex(HKDF-SHA256(secret, salt "otc-room/v1", info "password:" + channelId, 32))
// The signaling server sees a random-looking name and (y-webrtc encrypts signaling with the
// password) nothing else. There are NO default signaling URLs or ICE servers: both are required,
// so nothing reaches the internet unless configured to.
//
// open/destroy are idempotent and reference counted per room name. A provider for a name is
// destroyed on the next macrotask after its last release, and re-opening in between reuses it:
// React StrictMode's mount-unmount-mount never builds a second provider for a live room (which
// y-webrtc refuses with "room already exists").
import { WebrtcProvider } from 'y-webrtc'
import type * as Y from 'yjs'
import type { Awareness } from 'y-protocols/awareness'
import { messageYjsSyncStep2, messageYjsUpdate } from 'y-protocols/sync'
import { hkdf } from '@noble/hashes/hkdf.js'
import { sha256 } from '@noble/hashes/sha2.js'
import { bytesToHex, utf8ToBytes, type Hex } from '../bytes.ts'
import { SyncError } from './errors.ts'
import type { SessionTransport, TransportStatus } from './session.ts'

export interface RoomKeys {
  readonly name: string
  readonly password: string
}

export function deriveRoomKeys(roomSecret: Uint8Array, channelId: Hex): RoomKeys {
  if (roomSecret.length < 16) throw new SyncError('ROOM_CONFIG', 'room secret must be at least 16 bytes')
  const salt = utf8ToBytes('otc-room/v1')
  return {
    name: bytesToHex(hkdf(sha256, roomSecret, salt, utf8ToBytes(`name:${channelId}`), 16)),
    password: bytesToHex(hkdf(sha256, roomSecret, salt, utf8ToBytes(`password:${channelId}`), 32)),
  }
}

export interface RoomOptions {
  /** Signaling server URLs, e.g. ["ws://127.0.0.1:4444"]. Required: no internet default. */
  readonly signaling: readonly string[]
  /** ICE servers (STUN/TURN). Required, may be empty (loopback / LAN only). */
  readonly iceServers: readonly RTCIceServer[]
  /** Node: the @roamhq/wrtc module. */
  readonly wrtc?: unknown
  readonly maxConns?: number
  /** Share updates between tabs of one browser via BroadcastChannel (default false). */
  readonly filterBcConns?: boolean
  /**
   * Also send every update and awareness change to other tabs of this browser over BroadcastChannel
   * (y-webrtc's way; default true). y-webrtc encrypts each such message (AES-GCM) before it posts
   * it. A Node peer (the desk, test bots) has no other tabs: pass false, and its updates go only
   * to the WebRTC peers.
   */
  readonly broadcastChannel?: boolean
  /** Status polling interval, ms (signaling connects are not all evented). */
  readonly pollMs?: number
}

interface Entry {
  provider: WebrtcProvider | null
  doc: Y.Doc
  refs: number
  destroyTimer: ReturnType<typeof setTimeout> | null
  closing: Promise<void>
  /** Whether the room's peer connections carry nothing, since when (watchStuck). */
  stuck: StuckWatch
}

/**
 * A room whose peer connections have carried nothing for this long is given up: the provider
 * leaves and rejoins the room, which announces it again and starts fresh connections. Seen with
 * @roamhq/wrtc: now and then an offer/answer exchange completes but ICE never connects; or both
 * peers announce at once, both offer (y-webrtc's glare), and the connection that results reads
 * connected on both sides while no message ever arrives (desk/demo.test.ts failed so in CI). A
 * healthy connection carries data at once: y-webrtc sends its sync step 1 on connect.
 */
export const STUCK_CONNECTION_MS = 5_000
/**
 * Up to this much more, at random, per wait: two peers stuck with each other must not rejoin in
 * step, or they announce at once again and meet in the same glare.
 */
export const STUCK_JITTER_MS = 5_000

/** The watchdog's state: since when no connection of the room has carried data, and how long it waits. */
export interface StuckWatch {
  readonly since: number | null
  readonly waitMs: number
}

/**
 * One look of the watchdog: `conns` connections y-webrtc holds for the room, `carrying` of them
 * have delivered data. A room with no connection is not stuck (no peer is there); one with a
 * connection that carries data is not either. `jitter()` is in [0, 1).
 */
export function watchStuck(w: StuckWatch, conns: number, carrying: number, now: number, jitter: () => number = Math.random): { watch: StuckWatch; rejoin: boolean } {
  if (conns === 0 || carrying > 0) return { watch: { since: null, waitMs: 0 }, rejoin: false }
  if (w.since === null) return { watch: { since: now, waitMs: STUCK_CONNECTION_MS + Math.floor(jitter() * STUCK_JITTER_MS) }, rejoin: false }
  if (now - w.since < w.waitMs) return { watch: w, rejoin: false }
  return { watch: { since: null, waitMs: 0 }, rejoin: true }
}

const entries = new Map<string, Entry>()

/** Rooms currently held by this module (for tests and diagnostics). */
export function openRoomNames(): string[] {
  return [...entries.keys()]
}

/** Resolves once every room destroyed so far has been taken down by y-webrtc (and given back its exit-listener cap). */
export async function roomsClosed(): Promise<void> {
  await Promise.all([...closingByName.values()])
}

/** y-webrtc connections that have delivered data. */
const carryingConns = new WeakSet<object>()

export class ChannelRoom implements SessionTransport {
  private released = false
  private listeners = new Set<() => void>()
  private last: TransportStatus = { webrtcPeers: 0, signalingConnected: 0, synced: false }
  private timer: ReturnType<typeof setInterval> | null = null
  private offProvider: (() => void) | null = null

  private constructor(
    readonly keys: RoomKeys,
    private readonly entry: Entry,
    private readonly opts: RoomOptions,
  ) {}

  /** Joins (or re-joins) the channel's room. Calling it twice for one room shares one provider. */
  static open(doc: Y.Doc, keys: RoomKeys, opts: RoomOptions): ChannelRoom {
    if (!Array.isArray(opts.signaling) || opts.signaling.length === 0) throw new SyncError('ROOM_CONFIG', 'at least one signaling URL is required (there is no default)')
    if (!Array.isArray(opts.iceServers)) throw new SyncError('ROOM_CONFIG', 'iceServers is required (pass [] for loopback/LAN only)')
    let e = entries.get(keys.name)
    if (e && e.doc !== doc) throw new SyncError('ROOM_CONFIG', 'this room is already open with another Y.Doc')
    if (!e) {
      e = { provider: null, doc, refs: 0, destroyTimer: null, closing: closingByName.get(keys.name) ?? Promise.resolve(), stuck: { since: null, waitMs: 0 } }
      entries.set(keys.name, e)
    }
    if (e.destroyTimer) {
      clearTimeout(e.destroyTimer)
      e.destroyTimer = null
    }
    e.refs++
    const room = new ChannelRoom(keys, e, opts)
    room.ensureProvider()
    room.timer = setInterval(() => room.refresh(), opts.pollMs ?? 250)
    return room
  }

  private ensureProvider(): void {
    const e = this.entry
    if (e.provider) {
      this.hook()
      return
    }
    void e.closing.then(() => {
      if (this.released || e.provider || e.refs === 0) {
        if (e.provider) this.hook()
        return
      }
      processExitListeners(+1)
      e.provider = new WebrtcProvider(this.keys.name, e.doc, {
        signaling: [...this.opts.signaling],
        password: this.keys.password,
        maxConns: this.opts.maxConns ?? 4,
        filterBcConns: this.opts.filterBcConns ?? true,
        peerOpts: { ...(this.opts.wrtc ? { wrtc: this.opts.wrtc } : {}), config: { iceServers: [...this.opts.iceServers] } },
      } as ConstructorParameters<typeof WebrtcProvider>[2])
      this.withoutBroadcastChannel()
      guardSignalingSends(e.provider)
      this.hook()
    })
  }

  /**
   * With `broadcastChannel: false`: once y-webrtc has opened and connected its room (after the
   * password's key is derived), the room stops sending to other tabs. y-webrtc has no option for
   * this; it reads `bcconnected` on every message, and sets it again on each connect (reconnect()
   * calls this again).
   */
  private withoutBroadcastChannel(): void {
    const p = this.entry.provider
    if (this.opts.broadcastChannel !== false || !p) return
    void Promise.resolve(p.key).then(() => {
      if (p.room && this.entry.provider === p) p.room.bcconnected = false
    })
  }

  private hook(): void {
    const p = this.entry.provider
    if (!p || this.offProvider) return
    const on = () => this.refresh()
    p.on('peers', on)
    p.on('synced', on)
    this.offProvider = () => {
      p.off('peers', on)
      p.off('synced', on)
    }
    this.refresh()
  }

  get provider(): WebrtcProvider | null {
    return this.entry.provider
  }

  get awareness(): Awareness | undefined {
    return this.entry.provider?.awareness
  }

  getStatus(): TransportStatus {
    return this.last
  }

  subscribe(onChange: () => void): () => void {
    this.listeners.add(onChange)
    return () => this.listeners.delete(onChange)
  }

  /** Connections whose first data event this room listens for. */
  private readonly hookedConns = new WeakSet<object>()

  private refresh(): void {
    const p = this.entry.provider
    // Only connections that carry data count as peers: connected, or one that has delivered data
    // (simple-peer delivers as soon as the data channel opens, and y-webrtc emits nothing when it
    // marks the connection connected, so its first message refreshes the status at once). A conn
    // y-webrtc has created but not yet connected carries nothing.
    const conns = p?.room ? [...p.room.webrtcConns.values()] : []
    for (const c of conns) {
      if (this.hookedConns.has(c)) continue
      this.hookedConns.add(c)
      const peer = (c as { peer?: Partial<EchoPeer> & { once?(ev: 'data', f: () => void): void } }).peer
      peer?.once?.('data', () => {
        carryingConns.add(c)
        this.refresh()
      })
      if (peer && isEchoPeer(peer)) skipEchoes(peer, this.entry.doc)
    }
    const connected = conns.filter((c) => c.connected || carryingConns.has(c)).length
    const carrying = conns.filter((c) => carryingConns.has(c) || (c as { synced?: boolean }).synced === true).length
    const look = watchStuck(this.entry.stuck, conns.length, carrying, Date.now())
    this.entry.stuck = look.watch
    if (look.rejoin) this.reconnect()
    const next: TransportStatus = p
      ? {
          webrtcPeers: connected,
          signalingConnected: p.signalingConns.filter((c) => c.connected).length,
          synced: p.room?.synced ?? false,
        }
      : { webrtcPeers: 0, signalingConnected: 0, synced: false }
    if (next.webrtcPeers === this.last.webrtcPeers && next.signalingConnected === this.last.signalingConnected && next.synced === this.last.synced) return
    this.last = next
    for (const l of this.listeners) l()
  }

  /**
   * Leaves the room and joins it again on the same signaling connection: every peer connection is
   * dropped, the room is announced again, and fresh connections are made (the doc resyncs on
   * connect). Room level, not provider level: y-webrtc's provider disconnect would also close a
   * signaling socket no other room uses (the app then read "signaling disconnected" for as long as
   * a new socket took), and its connect would list that socket once more.
   */
  reconnect(): void {
    const p = this.entry.provider
    const room = p?.room
    if (!p || !room) return
    // y-webrtc's room disconnect removes this peer's presence (awareness): it is set back.
    const presence = p.awareness.getLocalState()
    room.disconnect()
    room.connect()
    if (presence !== null) p.awareness.setLocalState(presence)
    this.withoutBroadcastChannel()
  }

  /** Releases this handle. The provider is destroyed when no handle holds the room any more. */
  destroy(): void {
    if (this.released) return
    this.released = true
    if (this.timer) clearInterval(this.timer)
    this.offProvider?.()
    this.listeners.clear()
    const e = this.entry
    e.refs--
    if (e.refs > 0) return
    e.destroyTimer = setTimeout(() => {
      e.destroyTimer = null
      if (e.refs > 0) return
      const p = e.provider
      e.provider = null
      entries.delete(this.keys.name)
      if (p) {
        p.destroy()
        // y-webrtc removes the room after its key promise settles: wait for that before a new provider.
        e.closing = Promise.resolve(p.key).then(() => new Promise<void>((r) => setTimeout(r, 0))).finally(() => processExitListeners(-1))
        closingByName.set(this.keys.name, e.closing)
      }
    }, 0)
  }
}

const closingByName = new Map<string, Promise<void>>()

/**
 * In Node, y-webrtc's room adds one listener for the process's 'exit' (in a browser it listens for
 * 'beforeunload' instead). A desk holds a room per channel in one process, and the 11th room made
 * Node print its warning of a listener leak. Each provider raises the process's cap by one while it
 * lives (until y-webrtc has taken its room down), so the warning still tells of a real leak.
 */
function processExitListeners(delta: 1 | -1): void {
  if (typeof window !== 'undefined' || typeof process === 'undefined' || typeof process.getMaxListeners !== 'function') return
  const max = process.getMaxListeners()
  if (max === 0) return // no cap
  process.setMaxListeners(Math.max(1, max + delta))
}

/**
 * A y-webrtc connection's peer: the event emitter and the send the echo guard needs. In Node it is
 * simple-peer's (a Duplex stream: 'data' comes through the stream's emit); in the app's build
 * simple-peer-light's (vite.config.ts), whose small emitter has no prependListener: the guard
 * wraps `emit`, which both have.
 */
export interface EchoPeer {
  emit(event: string, ...args: unknown[]): unknown
  send(message: Uint8Array): void
}

function isEchoPeer(p: Partial<EchoPeer>): p is EchoPeer {
  return typeof p.emit === 'function' && typeof p.send === 'function'
}

// y-webrtc's messages begin with their type (one byte: a varuint below 128; y-webrtc does not
// export these): sync, then y-protocols' own type (step 1, step 2, update), or awareness.
const MESSAGE_SYNC = 0
const MESSAGE_AWARENESS = 1

const echoGuarded = new WeakSet<object>()

/**
 * y-webrtc sends every doc update and awareness change the room's doc takes to every connection
 * of the room, the one it came from included: each update a peer sends comes straight back to it.
 * In a channel's room (two parties) that is half of every peer's messages, each a second send
 * (a blocking call into @roamhq/wrtc in Node), receive and decode, for nothing: the peer has it.
 * While this peer's message is read (its 'data' event, every listener of it), what would go back
 * to it only to repeat that message is not sent to it:
 *  - the doc update that a sync step 2 or an update from it makes, if the doc held nothing pending
 *    before (then that update holds what the message brought and nothing else; pending structs
 *    of others that it completes go back, as y-webrtc sends them);
 *  - the awareness change that an awareness message from it makes (the answer to its awareness
 *    query is sent).
 * One of each per message: a write that follows within the same read is sent. Every other
 * connection still gets what y-webrtc relays to it.
 */
export function skipEchoes(peer: EchoPeer, doc: Y.Doc): void {
  if (echoGuarded.has(peer)) return
  echoGuarded.add(peer)
  let skipUpdate = false
  let skipAwareness = false
  const emit = peer.emit.bind(peer)
  peer.emit = (event: string, ...args: unknown[]) => {
    const data = args[0]
    if (event !== 'data' || !(data instanceof Uint8Array)) return emit(event, ...args)
    skipUpdate = data[0] === MESSAGE_SYNC && (data[1] === messageYjsSyncStep2 || data[1] === messageYjsUpdate) && doc.store.pendingStructs === null && doc.store.pendingDs === null
    skipAwareness = data[0] === MESSAGE_AWARENESS
    try {
      return emit(event, ...args)
    } finally {
      // Also if a listener throws.
      skipUpdate = false
      skipAwareness = false
    }
  }
  const send = peer.send.bind(peer)
  peer.send = (m: Uint8Array) => {
    if (skipUpdate && m[0] === MESSAGE_SYNC && m[1] === messageYjsUpdate) {
      skipUpdate = false
      return
    }
    if (skipAwareness && m[0] === MESSAGE_AWARENESS) {
      skipAwareness = false
      return
    }
    send(m)
  }
}

interface SignalingConnLike {
  ws: { readyState: number } | null
  send(m: unknown): void
}

/** The classes (prototypes) of signaling connections whose send is guarded. */
const guardedClasses = new WeakSet<object>()

/**
 * y-webrtc encrypts a signaling message (async) and then sends it on the signaling WebSocket; if
 * that socket dropped meanwhile and is reconnecting, lib0's send throws inside the promise: an
 * unhandled rejection (seen in CI), which ends a Node process that does not catch it. A message to
 * a socket that is not open is dropped instead, which loses nothing the throw did not: on
 * (re)connect y-webrtc subscribes every room and announces it again, and a peer connection stuck
 * without its answer is redone by the watchdog. Guarded on the connections' class, not on each
 * connection: a provider's disconnect and connect make a new one (seen in CI as well, when only
 * the connections of the moment were guarded).
 */
function guardSignalingSends(p: WebrtcProvider): void {
  for (const conn of p.signalingConns as unknown as SignalingConnLike[]) {
    const proto = Object.getPrototypeOf(conn) as SignalingConnLike
    if (guardedClasses.has(proto)) continue
    guardedClasses.add(proto)
    const send = proto.send
    proto.send = function (this: SignalingConnLike, m: unknown) {
      if (this.ws && this.ws.readyState !== WS_OPEN) return
      send.call(this, m)
    }
  }
}

/** WebSocket.OPEN (the same in the browser and in the ws package). */
const WS_OPEN = 1
