// Two Node peers over real WebRTC (@roamhq/wrtc) through a local y-webrtc signaling server: this
// process is party B (the taker); party A (a market-maker bot, core/sync/testkit-peer.ts) runs in a
// child process, because y-webrtc allows one provider per room per process.
// Run inside the loopback-only namespace: node scripts/netns.mjs npx vitest run core/sync
import { afterAll, describe, expect, it } from 'vitest'
import { spawn, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { ChannelSession } from './session.ts'
import { ChannelRoom, deriveRoomKeys } from './room.ts'
import { loadNodeWebrtc, startSignalingServer, type SignalingServer } from './node.ts'
import { T0, DAY, keysB, makeParams, openingSigned, storeWithOpening } from './testkit.ts'
import { channelIdOf } from '../channel.ts'
import { hexToBytes } from '../bytes.ts'

async function until(what: string, cond: () => boolean, ms = 20_000): Promise<void> {
  const end = Date.now() + ms
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 20))
  }
}

export interface BotStatus { webrtcPeers: number; version: number; latestHash: string | null; errors: number }

export function spawnBot(cfg: object): { child: ChildProcess; status: () => BotStatus } {
  const bot = fileURLToPath(new URL('./testkit-peer.ts', import.meta.url))
  const child = spawn('node_modules/.bin/tsx', [bot, JSON.stringify(cfg)], { stdio: ['pipe', 'pipe', 'inherit'] })
  let last: BotStatus = { webrtcPeers: 0, version: -1, latestHash: null, errors: 0 }
  let buf = ''
  child.stdout!.on('data', (d: Buffer) => {
    buf += d.toString()
    let i
    while ((i = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, i)
      buf = buf.slice(i + 1)
      try { last = JSON.parse(line) as BotStatus } catch { /* not a status line */ }
    }
  })
  return { child, status: () => last }
}

describe('two Node peers over real WebRTC', () => {
  let server: SignalingServer | null = null
  const cleanup: (() => void)[] = []
  afterAll(async () => {
    for (const c of cleanup) c()
    await server?.stop()
  })

  it('RFQ -> quote -> accept -> co-signed trade, then a signaling restart and resync', async () => {
    server = await startSignalingServer()
    const wrtc = await loadNodeWebrtc()
    const nonceByte = 7
    const params = makeParams(nonceByte)
    const openingTs = Date.now() - 1000
    const roomSecret = '5e'.repeat(32)
    const bot = spawnBot({ party: 'A', signaling: server.url, roomSecret, openingTs, nonceByte })
    cleanup.push(() => bot.child.kill('SIGKILL'))
    const b = await ChannelSession.open({ params, me: 'B', secretKey: keysB.secretKey, store: storeWithOpening(openingSigned(params, openingTs)) })
    const rb = ChannelRoom.open(b.doc, deriveRoomKeys(hexToBytes(roomSecret), channelIdOf(params)), { signaling: [server.url], iceServers: [], wrtc, pollMs: 50 })
    cleanup.push(() => rb.destroy())
    b.attachTransport(rb)
    await until('WebRTC connection', () => b.getSnapshot().connection.webrtcPeers > 0 && bot.status().webrtcPeers > 0, 30_000)

    const legs = [{ kind: 'call' as const, strike: '100', cap: '120', quantity: '1', direction: 'long' as const }]
    const rfq1 = b.createRfq({ feed: 'BTC-USD', expiry: T0 + 30 * DAY, side: 'buy', legs })
    await until('quote from the market maker', () => b.view.quotes.some((q) => q.signed.quote.rfqId === rfq1 && q.status === 'live'))
    await b.accept(b.view.quotes.find((q) => q.signed.quote.rfqId === rfq1)!.hash)
    await until('co-signed trade on both', () => b.view.latest?.state.version === 1 && bot.status().version === 1)
    expect(bot.status().latestHash).toBe(b.view.latestHash)

    // The signaling server dies; B drops its peer connection and files an RFQ while offline.
    await server.stop()
    rb.provider!.disconnect()
    await until('B offline', () => (rb.provider!.room?.webrtcConns.size ?? 0) === 0)
    const rfq2 = b.createRfq({ feed: 'BTC-USD', expiry: T0 + 30 * DAY, side: 'buy', legs: [{ ...legs[0]!, strike: '110', cap: '130' }] })
    rb.provider!.connect()
    await server.start()
    await until('reconnected over WebRTC', () => b.getSnapshot().connection.webrtcPeers > 0, 30_000)
    await until('quote after resync', () => b.view.quotes.some((q) => q.signed.quote.rfqId === rfq2 && q.status === 'live'), 30_000)
    await b.accept(b.view.quotes.find((q) => q.signed.quote.rfqId === rfq2)!.hash)
    await until('second trade co-signed on both', () => b.view.latest?.state.version === 2 && bot.status().version === 2)
    expect(b.view.latest!.state.positions).toHaveLength(2)
    expect(bot.status().latestHash).toBe(b.view.latestHash)
    await b.close()
  }, 90_000)
})
