// The signaling server's bounds, one test per class of attack, each against a real server process
// on loopback; clients pick their loopback source address (127.0.0.x) because limits count per
// address. Run inside the namespace (the y-webrtc test starts WebRTC peers):
//   node scripts/netns.mjs npx vitest run signaling
// SIGNALING_SERVER=before runs the same tests against the server before the hardening: every test
// of a bound fails there (that is what they catch); the protocol tests pass on both.
import { afterEach, describe, expect, it } from 'vitest'
import { spawn, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { WebSocket } from 'ws'
import { createConnection, createServer as createTcpServer, type Socket } from 'node:net'
import { connect, percentile, sleep, startServerProcess, type Client, type ServerProcess } from './testkit.ts'
import { DEFAULT_LIMITS, addressKey, parseConfig } from './server.ts'

const NO_RATE_LIMIT = { SIGNALING_MESSAGES_PER_SECOND: 1e9, SIGNALING_MESSAGE_BURST: 1e9, SIGNALING_ADDRESS_MESSAGES_PER_SECOND: 1e9, SIGNALING_ADDRESS_MESSAGE_BURST: 1e9 }
const MB = 1024 * 1024

let server: ServerProcess | null = null
const clients: Client[] = []
const children: ChildProcess[] = []
afterEach(async () => {
  for (const c of clients.splice(0)) c.ws.terminate()
  for (const c of children.splice(0)) c.kill('SIGKILL')
  await server?.stop()
  server = null
})
async function start(env: Record<string, string | number> = {}): Promise<ServerProcess> {
  server = await startServerProcess({ env })
  return server
}
async function client(from = '127.0.0.1', keep = true): Promise<Client> {
  const c = await connect(server!.url, { from, keep })
  clients.push(c)
  return c
}
/** The close a client saw, or null if it is still open after ms. */
async function closedWithin(c: Client, ms: number): Promise<{ code: number; reason: string } | null> {
  return Promise.race([c.closed, sleep(ms).then(() => null)])
}

describe('signaling server protocol (y-webrtc bin/server.js)', () => {
  it('relays a publish to every subscriber of the topic (sender included) with the subscriber count, and answers ping', async () => {
    await start()
    const a = await client()
    const b = await client()
    a.send({ type: 'subscribe', topics: ['room-1'] })
    b.send({ type: 'subscribe', topics: ['room-1'] })
    await a.sync()
    await b.sync()
    a.send({ type: 'publish', topic: 'room-1', data: { type: 'announce', from: 'peer-a' } })
    const got = await b.waitFor((m) => m.type === 'publish')
    expect(got).toEqual({ type: 'publish', topic: 'room-1', data: { type: 'announce', from: 'peer-a' }, clients: 2 })
    expect(await a.waitFor((m) => m.type === 'publish')).toEqual(got)
    b.send({ type: 'unsubscribe', topics: ['room-1'] })
    await b.sync()
    a.send({ type: 'publish', topic: 'room-1', data: 'encrypted-base64' })
    expect((await a.waitFor((m) => m.type === 'publish' && m.data === 'encrypted-base64')).clients).toBe(1)
    await b.sync()
    expect(b.received.filter((m) => m.type === 'publish')).toHaveLength(1)
  })

  // @roamhq/wrtc peers sometimes never complete ICE on a loaded machine (core/sync/room.ts rejoins for that;
  // this bare test peer does not): retried, still asserting the sync.
  it('two y-webrtc providers (Node, @roamhq/wrtc, room password) sync a Y.Doc through it', { retry: 2 }, async () => {
    const s = await start()
    const peer = fileURLToPath(new URL('./testkit-peer.ts', import.meta.url))
    // The shape of the product's rooms (core/sync/room.ts): 32 hex name, 64 hex password.
    const cfg = { url: s.url, room: 'a1'.repeat(16), password: 'b2'.repeat(32) }
    const out = ['', '']
    for (const [i, name] of ['a', 'b'].entries()) {
      const child = spawn('node_modules/.bin/tsx', [peer, JSON.stringify({ ...cfg, name })], { stdio: ['pipe', 'pipe', 'inherit'] })
      child.stdout!.on('data', (d: Buffer) => { out[i] += d.toString() })
      children.push(child)
    }
    const end = Date.now() + 30_000
    const done = (): boolean => out.every((o) => o.includes('connected') && o.includes('synced peer:a,peer:b'))
    while (!done() && Date.now() < end) await sleep(50)
    expect(out.map((o) => [o.includes('connected'), o.includes('synced peer:a,peer:b')])).toEqual([[true, true], [true, true]])
    // What a real (encrypted) room sends: the largest message, against the default cap (ours only:
    // a server without GET /stats has no figure).
    const stats = await s.stats()
    if (stats) {
      console.log(`y-webrtc room through the server: largest message ${stats.maxMessageBytesSeen} bytes (cap ${DEFAULT_LIMITS.maxMessageBytes}), ${stats.messages} messages`)
      expect(stats.maxMessageBytesSeen).toBeLessThan(DEFAULT_LIMITS.maxMessageBytes / 4)
    }
  })
})

describe('signaling server bounds (issue 17, finding 4)', () => {
  it('topic churn: empty topics are deleted and memory stays bounded', async () => {
    const s = await start(NO_RATE_LIMIT)
    const c = await client()
    await c.sync()
    const rss0 = s.rss()
    // 160k distinct names, 64 per message (the old server's per-connection cap).
    for (let i = 0; i < 2500; i++) {
      const topics = Array.from({ length: 64 }, (_, j) => `churn-${i}-${j}-${'x'.repeat(40)}`)
      c.send({ type: 'subscribe', topics })
      c.send({ type: 'unsubscribe', topics })
      if (i % 50 === 0) while (c.ws.bufferedAmount > MB) await sleep(1)
    }
    await c.sync(60_000)
    await sleep(300)
    const growth = s.rss() - rss0
    console.log(`topic churn, 160k names: RSS +${(growth / MB).toFixed(1)} MB`)
    expect(growth).toBeLessThan(24 * MB)
    expect((await s.stats())?.topics).toBe(0)
  })

  it('connections are capped in total and per address, with a close reason; others keep working', async () => {
    await start({ SIGNALING_MAX_CONNECTIONS: 6, SIGNALING_MAX_CONNECTIONS_PER_ADDRESS: 4 })
    const fromA: Client[] = []
    for (let i = 0; i < 4; i++) fromA.push(await client('127.0.0.2'))
    const fifth = await client('127.0.0.2')
    expect(await closedWithin(fifth, 2000)).toEqual({ code: 1013, reason: 'too many connections from this address' })
    const b1 = await client('127.0.0.3')
    await client('127.0.0.3')
    const seventh = await client('127.0.0.4')
    expect(await closedWithin(seventh, 2000)).toEqual({ code: 1013, reason: 'server full' })
    for (const c of [...fromA, b1]) await c.sync()
    fromA[0]!.close()
    await fromA[0]!.closed
    await sleep(100)
    const again = await client('127.0.0.2')
    expect(await closedWithin(again, 300)).toBeNull()
    await again.sync()
  })

  it('TCP sockets that never send a request are capped per address; other addresses still connect', async () => {
    await start({ SIGNALING_MAX_CONNECTIONS_PER_ADDRESS: 4 })
    const sockets: Socket[] = []
    for (let i = 0; i < 40; i++) {
      const sock = createConnection({ host: '127.0.0.1', port: server!.port, localAddress: '127.0.0.5' })
      sock.on('error', () => { /* destroyed by the server */ })
      sockets.push(sock)
    }
    await sleep(500)
    // 4 WebSockets + 16 sockets of slack; the rest were dropped at once.
    expect(sockets.filter((x) => !x.destroyed && x.readyState === 'open').length).toBe(20)
    const other = await client('127.0.0.6')
    await other.sync()
    for (const x of sockets) x.destroy()
  })

  it('topics: per-connection cap and name length close the connection; a full topic refuses that topic only, with a reason', async () => {
    await start({ SIGNALING_MAX_TOPICS: 8, SIGNALING_MAX_TOPIC_LENGTH: 64, SIGNALING_MAX_SUBSCRIBERS_PER_TOPIC: 3 })
    const many = await client()
    many.send({ type: 'subscribe', topics: Array.from({ length: 8 }, (_, i) => `t${i}`) })
    await many.sync()
    many.send({ type: 'subscribe', topics: ['t8'] })
    expect(await closedWithin(many, 2000)).toEqual({ code: 1008, reason: 'too many topics' })

    const long = await client()
    long.send({ type: 'subscribe', topics: ['x'.repeat(65)] })
    expect(await closedWithin(long, 2000)).toEqual({ code: 1008, reason: 'topic name too long' })

    const members: Client[] = []
    for (let i = 0; i < 3; i++) {
      const m = await client(`127.0.0.${10 + i}`)
      m.send({ type: 'subscribe', topics: ['room'] })
      await m.sync()
      members.push(m)
    }
    const late = await client('127.0.0.20')
    late.send({ type: 'subscribe', topics: ['room', 'other'] })
    expect(await late.waitFor((m) => m.type === 'error')).toEqual({ type: 'error', reason: 'topic full', topic: 'room' })
    // Still connected, and subscribed to the other topic.
    late.send({ type: 'publish', topic: 'other', data: 'hi' })
    expect((await late.waitFor((m) => m.type === 'publish')).topic).toBe('other')
    members[0]!.send({ type: 'unsubscribe', topics: ['room'] })
    await members[0]!.sync()
    late.send({ type: 'subscribe', topics: ['room'] })
    await late.sync()
    members[1]!.send({ type: 'publish', topic: 'room', data: 'in' })
    expect((await late.waitFor((m) => m.type === 'publish' && m.topic === 'room')).data).toBe('in')
  })

  it('a publish to a topic the sender has not subscribed is dropped, and repeated ones close it', async () => {
    await start({ SIGNALING_STRIKE_BURST: 5 })
    const member = await client('127.0.0.2')
    member.send({ type: 'subscribe', topics: ['room'] })
    await member.sync()
    const outsider = await client('127.0.0.3')
    outsider.send({ type: 'publish', topic: 'room', data: 'junk' })
    await outsider.sync()
    await member.sync()
    expect(member.received.filter((m) => m.type === 'publish')).toEqual([])
    for (let i = 0; i < 10; i++) outsider.send({ type: 'publish', topic: 'room', data: `junk ${i}` })
    expect(await closedWithin(outsider, 2000)).toEqual({ code: 1008, reason: 'publish to a topic not subscribed' })
    await member.sync()
    expect(member.received.filter((m) => m.type === 'publish')).toEqual([])
  })

  it('an oversized message closes the connection with 1009; one under the cap passes', async () => {
    await start({ SIGNALING_MAX_MESSAGE_BYTES: 4096 })
    const c = await client()
    c.send({ type: 'subscribe', topics: ['room'] })
    c.send({ type: 'publish', topic: 'room', data: 'x'.repeat(3900) })
    expect((await c.waitFor((m) => m.type === 'publish')).data).toHaveLength(3900)
    c.send({ type: 'publish', topic: 'room', data: 'x'.repeat(5000) })
    expect(await closedWithin(c, 2000)).toEqual({ code: 1009, reason: 'message too big' })
  })

  it('slow subscribers that never read are closed past the queue bound; memory stays bounded', async () => {
    const s = await start(NO_RATE_LIMIT)
    const sinks: Client[] = []
    for (let i = 0; i < 16; i++) {
      const c = await client('127.0.0.2', false)
      c.send({ type: 'subscribe', topics: ['room'] })
      sinks.push(c)
    }
    const pub = await client('127.0.0.3', false)
    pub.send({ type: 'subscribe', topics: ['room'] })
    await sleep(200)
    for (const c of sinks) c.ws.pause()
    const rss0 = s.rss()
    let peak = rss0
    const data = 'x'.repeat(16 * 1024)
    // 600 x 16 KiB: 9.4 MiB per subscriber, more than loopback's socket buffers hold.
    for (let k = 0; k < 600 && !pub.isClosed(); k++) {
      pub.send({ type: 'publish', topic: 'room', data })
      while (pub.ws.bufferedAmount > 64 * 1024) await sleep(1)
      if (k % 4 === 0) await sleep(1)
      if (k % 50 === 0) peak = Math.max(peak, s.rss())
    }
    await sleep(500)
    peak = Math.max(peak, s.rss())
    console.log(`slow subscribers: RSS peak +${((peak - rss0) / MB).toFixed(1)} MB`)
    expect(peak - rss0).toBeLessThan(40 * MB)
    expect(pub.isClosed()).toBe(false)
    expect((await s.stats())?.closed['subscriber too slow']).toBe(16)
  })

  it('a connection that stops answering pings is closed; one that answers stays', async () => {
    await start({ SIGNALING_HEARTBEAT_MS: 200 })
    const answering = await client()
    const mute = new WebSocket(server!.url, { autoPong: false })
    const closed = new Promise<{ code: number; reason: string }>((res) => mute.on('close', (code, reason) => res({ code, reason: reason.toString() })))
    await new Promise((res) => mute.once('open', res))
    const result = await Promise.race([closed, sleep(2000).then(() => null)])
    mute.terminate()
    expect(result).toEqual({ code: 1001, reason: 'heartbeat timeout' })
    expect(answering.isClosed()).toBe(false)
    await answering.sync()
  })

  it('messages beyond the rate are delayed (back-pressure), not lost, and the connection stays open', async () => {
    await start({ SIGNALING_MESSAGES_PER_SECOND: 50, SIGNALING_MESSAGE_BURST: 40 })
    const c = await client()
    for (let i = 0; i < 100; i++) c.send({ type: 'ping' })
    await sleep(400)
    const early = c.received.length
    // 40 at once, then 50 a second: about 60 after 0.4 s; 100 after about 1.2 s.
    expect(early).toBeLessThan(75)
    const end = Date.now() + 5000
    while (c.received.length < 100 && Date.now() < end) await sleep(20)
    expect(c.received.length).toBe(100)
    expect(c.isClosed()).toBe(false)
  })

  it('an honest pair keeps exchanging messages (nothing lost, p99 within 250 ms of its quiet p99) while abusers flood', async () => {
    const s = await start()
    const room = 'honest-room-3f9a1c'
    const a = await client('127.0.0.10', false)
    const b = await client('127.0.0.11', false)
    a.send({ type: 'subscribe', topics: [room] })
    b.send({ type: 'subscribe', topics: [room] })
    await sleep(200)
    let junk = 0
    const rtts: number[] = []
    const pending = new Map<number, number>()
    b.ws.on('message', (raw) => {
      const m = JSON.parse(raw.toString()) as { type: string; data?: { from?: string; seq?: number } }
      if (m.type !== 'publish') return
      if (m.data?.from === 'A') b.send({ type: 'publish', topic: room, data: { from: 'B', seq: m.data.seq } })
      else if (m.data?.from !== 'B') junk++
    })
    a.ws.on('message', (raw) => {
      const m = JSON.parse(raw.toString()) as { type: string; data?: { from?: string; seq?: number } }
      if (m.type !== 'publish') return
      const t = typeof m.data?.seq === 'number' ? pending.get(m.data.seq) : undefined
      if (m.data?.from === 'B') { if (t !== undefined) { rtts.push(performance.now() - t); pending.delete(m.data.seq!) } }
      else if (m.data?.from !== 'A') junk++
    })
    let seq = 0
    const roundTrips = async (ms: number): Promise<{ sorted: number[]; sent: number }> => {
      rtts.length = 0
      const first = seq
      const end = performance.now() + ms
      while (performance.now() < end) {
        pending.set(seq, performance.now())
        a.send({ type: 'publish', topic: room, data: { from: 'A', seq } })
        seq++
        await sleep(20)
      }
      await sleep(1000)
      return { sorted: [...rtts].sort((x, y) => x - y), sent: seq - first }
    }
    // The machine's own latency right now (these 2 cores are shared), without abuse.
    const quiet = await roundTrips(2000)
    // The abusers of the load test, in their own process (signaling/load.ts --abusers).
    const load = fileURLToPath(new URL('./load.ts', import.meta.url))
    // At a low CPU priority: real abusers run on their own machines, not on the honest pair's cores.
    const abusers = spawn('nice', ['-n', '15', process.execPath, '--import', 'tsx', load, '--abusers', s.url, room], { stdio: ['pipe', 'pipe', 'pipe'] })
    children.push(abusers)
    let err = ''
    abusers.stderr!.on('data', (d: Buffer) => { err += d.toString() })
    const t0 = Date.now()
    while (!err.includes('abusers running') && Date.now() - t0 < 30_000) await sleep(50)
    expect(err).toContain('abusers running')
    const abused = await roundTrips(5000)
    const done = abused.sorted
    const late = await client('127.0.0.12')
    late.send({ type: 'subscribe', topics: [room] })
    await late.sync()
    a.send({ type: 'publish', topic: room, data: { from: 'A', seq: -1 } })
    const lateHeard = await late.waitFor((m) => m.type === 'publish', 3000).then(() => true, () => false)
    const stats = await s.stats()
    const quietP99 = percentile(quiet.sorted, 99)
    console.log(`honest pair: quiet p99 ${quietP99.toFixed(1)} ms; under abuse ${done.length}/${abused.sent} round trips, p50 ${percentile(done, 50).toFixed(1)} ms, p99 ${percentile(done, 99).toFixed(1)} ms; server closed ${JSON.stringify(stats?.closed)}`)
    expect(quiet.sorted.length).toBe(quiet.sent)
    expect(done.length).toBe(abused.sent)
    // The bound: 250 ms above what the same pair saw without abuse a moment before.
    expect(percentile(done, 99)).toBeLessThan(250 + quietP99)
    expect(junk).toBe(0)
    expect(a.isClosed() || b.isClosed()).toBe(false)
    expect(lateHeard).toBe(true)
  })
})

describe('signaling server configuration', () => {
  it('counts IPv4 addresses one by one and IPv6 addresses by /64', () => {
    expect(addressKey('127.0.0.7')).toBe('127.0.0.7')
    expect(addressKey('::ffff:10.1.2.3')).toBe('10.1.2.3')
    expect(addressKey('2001:db8::1')).toBe('2001:db8:0:0::/64')
    expect(addressKey('2001:0db8:0000:0000:abcd::9')).toBe('2001:db8:0:0::/64')
    expect(addressKey('2001:db8:0:0:ffff:1:2:3')).toBe('2001:db8:0:0::/64')
    expect(addressKey('2001:db8:1::1')).toBe('2001:db8:1:0::/64')
    expect(addressKey('::1')).toBe('0:0:0:0::/64')
    expect(addressKey('fe80::1%eth0')).toBe('fe80:0:0:0::/64')
  })

  it('reads flags over environment and names the bad value', () => {
    const cfg = parseConfig(['--max-topics', '12', '--port=0'], { SIGNALING_MAX_TOPICS: '99', SIGNALING_MAX_CONNECTIONS: '7' })
    expect(cfg.limits.maxTopicsPerConnection).toBe(12)
    expect(cfg.limits.maxConnections).toBe(7)
    expect(cfg.port).toBe(0)
    expect(cfg.host).toBe('127.0.0.1')
    expect(() => parseConfig(['--max-topics', 'many'], {})).toThrow('--max-topics: expected an integer >= 1, got "many"')
    expect(() => parseConfig([], { SIGNALING_MAX_CONNECTIONS: '0' })).toThrow('SIGNALING_MAX_CONNECTIONS: expected an integer >= 1, got "0"')
    expect(() => parseConfig(['--max-conections', '5'], {})).toThrow('unknown option "--max-conections"')
    expect(() => parseConfig(['--message-burst', '8'], {})).toThrow('--message-burst (8) is below the cost of the largest message')
  })

  it('refuses an empty host (node would listen on every interface) and never reads the generic HOST variable', () => {
    for (const argv of [['--host='], ['--host', ''], ['--host', '  ']]) expect(() => parseConfig(argv, {}), argv.join(' ')).toThrow(/^--host: empty; give the address to listen on/)
    expect(() => parseConfig([], { SIGNALING_HOST: '' })).toThrow(/^SIGNALING_HOST: empty; give the address to listen on/)
    expect(parseConfig([], { SIGNALING_HOST: '127.0.0.2' }).host).toBe('127.0.0.2')
    expect(parseConfig(['--host', '127.0.0.3'], { SIGNALING_HOST: '127.0.0.2' }).host).toBe('127.0.0.3')
    // HOST is anyone's (a shell, a container): before, `HOST= node signaling/server.ts` listened on *:port.
    for (const HOST of ['', '0.0.0.0', '::']) expect(parseConfig([], { HOST }).host, `HOST=${HOST}`).toBe('127.0.0.1')
  })
})

/** Runs the server script with `args` and `env` until it is ready (then stops it) or exits; its output and exit code. */
async function runScript(args: string[], env: Record<string, string>): Promise<{ code: number | null; out: string }> {
  const script = fileURLToPath(new URL('./server.ts', import.meta.url))
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== 'HOST' && k !== 'PORT' && !k.startsWith('SIGNALING_'))) as Record<string, string>
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], { env: { ...base, ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
  children.push(child)
  let out = ''
  const exited = new Promise<number | null>((res) => child.once('exit', (code) => res(code)))
  for (const s of [child.stdout!, child.stderr!]) s.on('data', (d: Buffer) => {
    out += d.toString()
    if (/Signaling server running/.test(out)) child.kill('SIGTERM')
  })
  const code = await Promise.race([exited, sleep(20_000).then(() => 'timeout' as const)])
  if (code === 'timeout') throw new Error(`the server neither got ready nor exited in 20 s:\n${out}`)
  return { code, out }
}

describe('signaling server process: where it listens', () => {
  it('an empty --host or SIGNALING_HOST exits with status 2 naming it; HOST is not read', async () => {
    const emptyFlag = await runScript(['--port', '0', '--host='], {})
    expect(emptyFlag.code, emptyFlag.out).toBe(2)
    expect(emptyFlag.out.trim()).toBe('signaling server: --host: empty; give the address to listen on (default 127.0.0.1), or leave it out')
    const emptyEnv = await runScript(['--port', '0'], { SIGNALING_HOST: '' })
    expect([emptyEnv.code, emptyEnv.out.trim()]).toEqual([2, 'signaling server: SIGNALING_HOST: empty; give the address to listen on (default 127.0.0.1), or leave it out'])
    const host = await runScript(['--port', '0'], { HOST: '' })
    expect(host.out, 'HOST= listens on loopback, not on every interface').toMatch(/Signaling server running on 127\.0\.0\.1:\d+/)
  }, 60_000)

  it('a port it cannot listen on exits with status 2 naming --port/--host, without a stack', async () => {
    const taken = createTcpServer()
    await new Promise<void>((res) => taken.listen(0, '127.0.0.1', () => res()))
    try {
      const port = (taken.address() as { port: number }).port
      const r = await runScript(['--port', String(port)], {})
      expect(r.code, r.out).toBe(2)
      expect(r.out.trim()).toBe(`signaling server: --port/--host: cannot listen on 127.0.0.1:${port} (EADDRINUSE: address already in use)`)
    } finally {
      await new Promise<void>((res) => taken.close(() => res()))
    }
  }, 30_000)
})
