// One running channel: its durable store, its ChannelSession (the protocol engine) and its y-webrtc
// room. Runtimes are shared and reference counted per channel, so React StrictMode's
// mount/unmount/mount and several components reuse one session and one room.
import type { KeyPair } from '../../core/index.ts'
import { signBytes } from '../../core/index.ts'
import { ChannelRoom, ChannelSession, IndexedDbChannelStore, deriveRoomKeys, primeStateSignatures, roomSecretBytes, webCryptoSigner, type StateSigner } from '../../core/sync/index.ts'
import { config } from '../config.ts'
import type { ChannelRecord } from './channelRecords.ts'
import { describeFailure } from '../settlement/connection.ts'

export type RuntimeStatus = 'opening' | 'ready' | 'failed'

export interface RuntimeSnapshot {
  readonly status: RuntimeStatus
  readonly session: ChannelSession | null
  readonly room: ChannelRoom | null
  readonly error: string | null
}

export class ChannelRuntime {
  private snapshot: RuntimeSnapshot = { status: 'opening', session: null, room: null, error: null }
  private listeners = new Set<() => void>()
  private refs = 0
  private closed = false

  private constructor(readonly record: ChannelRecord) {}

  private static all = new Map<string, ChannelRuntime>()

  /** Gets (starting if needed) the runtime of a channel; call release() when done. */
  static acquire(record: ChannelRecord, keys: KeyPair, clock: () => number): ChannelRuntime {
    let rt = ChannelRuntime.all.get(record.channelId)
    if (!rt) {
      rt = new ChannelRuntime(record)
      ChannelRuntime.all.set(record.channelId, rt)
      void rt.start(keys, clock)
    }
    rt.refs++
    return rt
  }

  release(): void {
    if (--this.refs > 0) return
    // Defer: StrictMode re-acquires on the next render.
    setTimeout(() => {
      if (this.refs > 0 || this.closed) return
      this.closed = true
      ChannelRuntime.all.delete(this.record.channelId)
      this.snapshot.room?.destroy()
      void this.snapshot.session?.close()
    }, 0)
  }

  subscribe = (fn: () => void): (() => void) => {
    this.listeners.add(fn)
    return () => this.listeners.delete(fn)
  }

  getSnapshot = (): RuntimeSnapshot => this.snapshot

  private set(patch: Partial<RuntimeSnapshot>): void {
    this.snapshot = { ...this.snapshot, ...patch }
    for (const fn of this.listeners) fn()
  }

  private async start(keys: KeyPair, clock: () => number): Promise<void> {
    const r = this.record
    // Released (the screen left, or Lock) while starting: what was built so far is closed, and
    // nothing more is. Without this a session holding the key, and its room, ran on unseen after
    // Lock, and the next unlock opened a second session on the same store.
    const released = async (session: ChannelSession | null, store: IndexedDbChannelStore): Promise<boolean> => {
      if (!this.closed) return false
      if (session) await session.close()
      await store.close()
      return true
    }
    try {
      const store = await IndexedDbChannelStore.open(r.channelId)
      if (await released(null, store)) return
      const session = await ChannelSession.open({
        params: r.params,
        me: r.me,
        secretKey: keys.secretKey,
        store,
        clock,
        // WebCrypto signing and checking when it works here (checked once), else the noble default.
        ...(await fastCrypto(keys.secretKey)),
        // The invitee agreed to these deposits when it accepted the invite: countersign them.
        // A restored channel (data lost, rebuilt from the node) never signs an opening again.
        ...(r.restoredAt === undefined ? { opening: { depositA: r.deposits.A, depositB: r.deposits.B } } : { restoring: true }),
      })
      // Tests grant media first (Chromium gathers no loopback ICE candidates before that); so does
      // a browser opened inside npm start's loopback-only namespace (?loopback=1, printed by start).
      const hook = (globalThis as { __otcBeforeConnect?: Promise<unknown> }).__otcBeforeConnect
      if (hook) await hook
      else if (config.loopbackMedia) await grantMediaOnce()
      if (await released(session, store)) return
      const room = ChannelRoom.open(session.doc, deriveRoomKeys(roomSecretBytes(r), r.channelId), {
        signaling: config.signalingUrls,
        iceServers: config.iceServers,
      })
      session.attachTransport(room)
      this.set({ status: 'ready', session, room })
      // The inviter proposes the opening state once; the engine never signs version 0 twice.
      if (r.me === 'A' && r.restoredAt === undefined && session.view.latest === null && !session.view.outcomes.some((o) => o.type === 'open')) {
        await session.proposeOpening(r.deposits.A, r.deposits.B)
      }
    } catch (e) {
      this.set({ status: 'failed', error: describeFailure(e) })
    }
  }
}

// WebCrypto Ed25519 signs ~10x faster than noble, but not every browser has it. Checked once: it must
// give noble's bytes (Ed25519 is deterministic), else the session would stop with BAD_SIGNER.
let webCryptoWorks: Promise<boolean> | null = null
async function fastCrypto(secretKey: KeyPair['secretKey']): Promise<{ signer?: StateSigner; verifyAhead?: typeof primeStateSignatures }> {
  const sign = webCryptoSigner(secretKey)
  webCryptoWorks ??= (async () => {
    try {
      const probe = new Uint8Array(32).fill(7)
      return (await sign(probe)) === signBytes(probe, secretKey)
    } catch {
      return false
    }
  })()
  // Where WebCrypto's Ed25519 works, it also checks the peer's signatures ahead of the engine.
  return (await webCryptoWorks) ? { signer: sign, verifyAhead: primeStateSignatures } : {}
}

/** One media grant, released at once: only for a browser inside a loopback-only namespace (dev). */
async function grantMediaOnce(): Promise<void> {
  try {
    const stream = await navigator.mediaDevices?.getUserMedia({ audio: true })
    stream?.getTracks().forEach((t) => t.stop())
  } catch {
    // No device or refused: WebRTC may then gather no candidates; the header says "peer offline".
  }
}
