// How a channel's document reaches the trader: a link per channel, made when the channel starts.
// The desk's own process uses y-webrtc rooms (`webrtcLinks`); anything that feeds the doc the same
// way (Yjs updates applied to the doc, the doc's updates sent on) can stand in for it.
import type * as Y from 'yjs'
import { ChannelRoom, deriveRoomKeys, roomSecretBytes, type SessionTransport } from '../core/sync/index.ts'
import type { ChannelEntry } from './channels.ts'

export interface ChannelLink extends SessionTransport {
  destroy(): void
}

export type ConnectChannel = (doc: Y.Doc, entry: ChannelEntry) => ChannelLink

/** y-webrtc rooms over @roamhq/wrtc, on the desk's own signaling servers, with no ICE servers. */
export function webrtcLinks(signaling: readonly string[], wrtc: unknown): ConnectChannel {
  return (doc, entry) => ChannelRoom.open(doc, deriveRoomKeys(roomSecretBytes(entry), entry.channelId), { signaling: [...signaling], iceServers: [], wrtc, broadcastChannel: false })
}
