// Two processes' copies of channel documents kept in sync over one byte stream, the way y-webrtc
// feeds a doc: every local update is sent, every received update goes in with Y.applyUpdate
// (origin: the link). Frames: u32 length, 32-byte channel id, Yjs update. Used by the desk
// benchmark so the figure is the desk's own cost, not WebRTC's.
import type { Duplex } from 'node:stream'
import * as Y from 'yjs'
import type { Hex } from '../core/index.ts'
import type { SessionTransport, TransportStatus } from '../core/sync/index.ts'

const STATUS: TransportStatus = { webrtcPeers: 0, signalingConnected: 0, synced: true }

export interface DocLink extends SessionTransport {
  destroy(): void
}

export class DocStream {
  private readonly docs = new Map<Hex, { doc: Y.Doc; link: DocLink }>()
  /** Updates for channels not linked on this side yet (the other side started first). */
  private readonly early = new Map<Hex, Uint8Array[]>()
  private pending: Buffer = Buffer.alloc(0)
  /** Frames written in this turn of the event loop, sent as one write (as a socket batches). */
  private out: Buffer[] = []

  constructor(private readonly stream: Duplex) {
    stream.on('data', (chunk: Buffer) => this.receive(chunk))
  }

  link(channelId: Hex, doc: Y.Doc): DocLink {
    const onUpdate = (u: Uint8Array, origin: unknown) => {
      if (origin !== link) this.send(channelId, u)
    }
    const link: DocLink = {
      getStatus: () => STATUS,
      subscribe: () => () => undefined,
      destroy: () => {
        doc.off('update', onUpdate)
        if (this.docs.get(channelId)?.doc === doc) this.docs.delete(channelId)
      },
    }
    this.docs.set(channelId, { doc, link })
    doc.on('update', onUpdate)
    for (const u of this.early.get(channelId) ?? []) Y.applyUpdate(doc, u, link)
    this.early.delete(channelId)
    // The first exchange: each side sends all it has (y-webrtc's sync step does the same).
    this.send(channelId, Y.encodeStateAsUpdate(doc))
    return link
  }

  private send(channelId: Hex, update: Uint8Array): void {
    const frame = Buffer.allocUnsafe(4 + 32 + update.length)
    frame.writeUInt32BE(32 + update.length, 0)
    frame.write(channelId, 4, 'hex')
    frame.set(update, 36)
    if (this.out.length === 0) setImmediate(() => this.flush())
    this.out.push(frame)
  }

  private flush(): void {
    const frames = this.out
    this.out = []
    this.stream.write(frames.length === 1 ? frames[0]! : Buffer.concat(frames))
  }

  private receive(chunk: Buffer): void {
    let buf = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk
    while (buf.length >= 4) {
      const n = buf.readUInt32BE(0)
      if (buf.length < 4 + n) break
      const channelId = buf.toString('hex', 4, 36)
      const update = new Uint8Array(buf.subarray(36, 4 + n))
      buf = buf.subarray(4 + n)
      const to = this.docs.get(channelId)
      if (to) Y.applyUpdate(to.doc, update, to.link)
      else this.early.set(channelId, [...(this.early.get(channelId) ?? []), update])
    }
    this.pending = buf
  }
}
