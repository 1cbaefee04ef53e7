// The session's store for the UI (React's useSyncExternalStore contract): the last computed view
// with the transport's status, the peer's presence and the errors of actions the session performed
// on its own. The snapshot object changes identity only when something changed.
import type { Awareness } from 'y-protocols/awareness'
import type { Party } from '../channel.ts'
import type { ChannelView } from './engine.ts'
import { parsePresence, type Presence, type RejectedEntry } from './reader.ts'

/** What a transport (the y-webrtc room, or a test network) reports. */
export interface TransportStatus {
  /** Peers connected over WebRTC data channels (provider.room.webrtcConns.size). */
  readonly webrtcPeers: number
  /** Connected signaling servers. */
  readonly signalingConnected: number
  readonly synced: boolean
}

export interface SessionTransport {
  getStatus(): TransportStatus
  subscribe(onChange: () => void): () => void
  readonly awareness?: Awareness
}

export interface SessionSnapshot {
  readonly view: ChannelView
  readonly connection: TransportStatus
  readonly presence: readonly Presence[]
  /** Stored records that failed to parse or verify on load. */
  readonly storeRejected: readonly RejectedEntry[]
  /** Errors from actions the session performed on its own (never thrown at the caller). */
  readonly errors: readonly string[]
}

const NO_CONNECTION: TransportStatus = { webrtcPeers: 0, signalingConnected: 0, synced: false }
const MAX_ERRORS = 20

export class SnapshotStore {
  private readonly listeners = new Set<() => void>()
  private snapshot: SessionSnapshot
  private transport: SessionTransport | null = null
  private unsubscribeTransport: (() => void) | null = null
  private errors: string[] = []

  constructor(
    /** The current view, computed afresh (a change of the transport or presence shows it too). */
    private readonly compute: () => ChannelView,
    private readonly storeRejected: readonly RejectedEntry[],
  ) {
    this.snapshot = { view: compute(), connection: NO_CONNECTION, presence: [], storeRejected, errors: [] }
  }

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  getSnapshot = (): SessionSnapshot => this.snapshot

  /** A new snapshot with `view` (computed afresh if not given); listeners are told. */
  publish(view: ChannelView = this.compute()): void {
    const connection = this.transport?.getStatus() ?? NO_CONNECTION
    const aw = this.transport?.awareness
    const presence: Presence[] = []
    if (aw) {
      for (const [id, st] of aw.getStates()) {
        if (id === aw.clientID) continue
        const p = this.presenceOf(id, st)
        if (p) presence.push(p)
      }
    }
    this.snapshot = { view, connection, presence, storeRejected: this.storeRejected, errors: this.errors }
    for (const l of this.listeners) l()
  }

  /**
   * Each peer's awareness state parsed once: y-protocols replaces a state's object whenever the
   * peer sends one, and every publish (several per trade) lists the peers. A state that does not
   * parse (a peer that set none: `{}`) cost a failed schema check, with its error, each time.
   */
  private readonly parsedPresence = new WeakMap<object, { readonly clientId: number; readonly presence: Presence | null }>()

  private presenceOf(clientId: number, state: unknown): Presence | null {
    if (typeof state !== 'object' || state === null) return parsePresence(clientId, state)
    const hit = this.parsedPresence.get(state)
    if (hit?.clientId === clientId) return hit.presence
    const presence = parsePresence(clientId, state)
    this.parsedPresence.set(state, { clientId, presence })
    return presence
  }

  attachTransport(t: SessionTransport | null): void {
    this.unsubscribeTransport?.()
    this.transport = t
    this.unsubscribeTransport = null
    if (t) {
      const off = t.subscribe(() => this.publish())
      const aw = t.awareness
      const onAw = () => this.publish()
      aw?.on('change', onAw)
      this.unsubscribeTransport = () => {
        off()
        aw?.off('change', onAw)
      }
    }
    this.publish()
  }

  setPresence(me: Party, p: { name: string; editing: { rfqId: string; field: string } | null }): void {
    this.transport?.awareness?.setLocalState({ party: me, name: p.name.slice(0, 64), editing: p.editing })
  }

  /** An error of an action the session performed on its own: shown in the next snapshot. */
  noteError(e: unknown): void {
    this.errors = [...this.errors.slice(-(MAX_ERRORS - 1)), e instanceof Error ? `${(e as { code?: string }).code ?? e.name}: ${e.message}` : String(e)]
  }
}
