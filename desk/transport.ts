// How a channel's document reaches the trader: a link per channel, made when the channel starts.
// The desk uses y-webrtc rooms in a child process (webrtcLinks.ts WebrtcHost); anything that feeds
// the doc the same way (Yjs updates applied to the doc, the doc's updates sent on) can stand in for
// it (the desk benchmark links docs over a pipe: bench/doc-link.ts).
import type * as Y from 'yjs'
import type { SessionTransport } from '../core/sync/index.ts'
import type { ChannelEntry } from './channels.ts'

export interface ChannelLink extends SessionTransport {
  destroy(): void
}

export type ConnectChannel = (doc: Y.Doc, entry: ChannelEntry) => ChannelLink
