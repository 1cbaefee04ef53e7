// Test helper (tests and benchmarks only): a Node peer in its own process (y-webrtc keeps one
// provider per room per process), the market maker side of the WebRTC test and benchmark. It answers every open RFQ with a quote, countersigns
// trades on its own quotes (the session's policy), and echoes "ping:<n>" keys of the `bench` map as
// "pong:<n>" (the plain Yjs round trip). One process can serve several channels (one room each),
// as a market maker does; the benchmark uses that to keep the bot's code warm between channels.
// It prints one JSON status line per change on stdout (with `nonceByte` naming the channel).
//   tsx core/sync/testkit-peer.ts '<json {party, signaling, roomSecret, openingTs, nonceByte}>'
//   tsx core/sync/testkit-peer.ts '<json {party, signaling, channels: [{roomSecret, openingTs, nonceByte}, ...]}>'
import { ChannelSession } from './session.ts'
import { ChannelRoom, deriveRoomKeys } from './room.ts'
import { loadNodeWebrtc, nodeSigner, nodeVerifier } from './node.ts'
import { answerRfqs, keysOf, makeParams, openingSigned, storeWithOpening } from './testkit.ts'
import { channelIdOf, type Party } from '../channel.ts'
import { hexToBytes } from '../bytes.ts'

interface ChannelCfg { roomSecret: string; openingTs: number; nonceByte: number }
const cfg = JSON.parse(process.argv[2] ?? '{}') as { party: Party; signaling: string; channels?: ChannelCfg[] } & Partial<ChannelCfg>
const channels: ChannelCfg[] = cfg.channels ?? [{ roomSecret: cfg.roomSecret!, openingTs: cfg.openingTs!, nonceByte: cfg.nonceByte! }]
const wrtc = await loadNodeWebrtc()
const keys = keysOf(cfg.party)
const signer = nodeSigner(keys.secretKey)
const verifier = nodeVerifier()
const rooms: ChannelRoom[] = []

for (const ch of channels) {
  const params = makeParams(ch.nonceByte)
  const session = await ChannelSession.open({
    params,
    me: cfg.party,
    secretKey: keys.secretKey,
    store: storeWithOpening(openingSigned(params, ch.openingTs)),
    signer,
    verifier,
  })
  const room = ChannelRoom.open(session.doc, deriveRoomKeys(hexToBytes(ch.roomSecret), channelIdOf(params)), { signaling: [cfg.signaling], iceServers: [], wrtc, pollMs: 50, broadcastChannel: false })
  session.attachTransport(room)
  rooms.push(room)

  const bench = session.doc.getMap<string>('bench')
  bench.observe((e) => {
    for (const k of e.keysChanged) if (k.startsWith('ping:') && !bench.has('pong:' + k.slice(5))) bench.set('pong:' + k.slice(5), '1')
  })

  let lastLine = ''
  const report = () => {
    const s = session.getSnapshot()
    const line = JSON.stringify({ nonceByte: ch.nonceByte, webrtcPeers: s.connection.webrtcPeers, version: s.view.latest?.state.version ?? -1, latestHash: s.view.latestHash, errors: s.errors.length })
    if (line !== lastLine) process.stdout.write(line + '\n')
    lastLine = line
  }
  session.subscribe(report)
  answerRfqs(session)
  room.subscribe(report)
}

process.stdin.on('data', () => undefined)
process.stdin.on('end', () => {
  for (const room of rooms) room.destroy()
  process.exit(0)
})
