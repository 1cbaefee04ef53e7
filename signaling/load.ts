// Load test of the signaling server (bounded in time, loopback only). Run it inside the namespace:
//   node scripts/netns.mjs npx tsx signaling/load.ts [--server ours|before|PATH] [--only churn,slow,abuse] [--abuse-seconds 10]
// "before" is scripts/signaling-server.mjs as it was before the hardening (testkit.BEFORE_COMMIT).
// Scenarios (each starts a fresh server process; memory is that process's RSS from /proc):
//   churn  one connection subscribes and unsubscribes 320k distinct topic names, 64 per message
//   slow   31 subscribers that never read, one publisher sends 400 messages of 30 KiB to their topic
//          (churn and slow run ours with the rate limits lifted: they measure the topic bookkeeping
//          and the back-pressure alone; the rate limit is measured by abuse)
//   abuse  an honest pair exchanges round trips at 50/s for 10 s (--abuse-seconds) on one topic while abusers flood
//          (max-size publishes to non-reading subscribers, topic churn, publishes to the honest
//          topic without subscribing, a connection flood, squatters on the honest topic; the abusers
//          run in a child process and reconnect whenever closed); reports
//          honest p50/p99, honest disconnections, junk the honest pair received, whether a late
//          honest joiner gets into the room, and the server's peak RSS
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { connect, percentile, serverScript, sleep, startServerProcess, type Client, type ServerProcess } from './testkit.ts'

const args = process.argv.slice(2)
const opt = (name: string, dflt: string): string => {
  const i = args.indexOf(name)
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1]! : dflt
}
const which = opt('--server', 'ours')
const abuseSeconds = Number(opt('--abuse-seconds', '10'))
const only = new Set(opt('--only', 'churn,slow,abuse').split(','))
const script = args[0] === '--abusers' ? '' : serverScript(which)
const MB = (b: number): string => `${(b / 1048576).toFixed(1)} MB`

/** Lifts our rate limits, so that churn and slow measure topic bookkeeping and back-pressure alone. */
const NO_RATE_LIMIT = { SIGNALING_MESSAGES_PER_SECOND: 1e9, SIGNALING_MESSAGE_BURST: 1e9, SIGNALING_ADDRESS_MESSAGES_PER_SECOND: 1e9, SIGNALING_ADDRESS_MESSAGE_BURST: 1e9 }

async function drain(c: Client, below = 1 << 20): Promise<void> {
  while (c.ws.bufferedAmount > below && !c.isClosed()) await sleep(1)
}

async function churn(): Promise<void> {
  const server = await startServerProcess({ script, env: NO_RATE_LIMIT })
  try {
    const c = await connect(server.url)
    await c.sync()
    const rss0 = server.rss()
    const t0 = performance.now()
    const names = 320_000
    for (let i = 0; i < names / 64 && !c.isClosed(); i++) {
      const topics = Array.from({ length: 64 }, (_, j) => `churn-${i}-${j}-${'x'.repeat(40)}`)
      c.send({ type: 'subscribe', topics })
      c.send({ type: 'unsubscribe', topics })
      if (i % 50 === 0) await drain(c)
    }
    await c.sync(120_000)
    const ms = performance.now() - t0
    await sleep(500)
    const rss1 = server.rss()
    const stats = await server.stats()
    console.log(`churn  ${names} topic names in ${(ms / 1000).toFixed(1)} s: RSS ${MB(rss0)} -> ${MB(rss1)} (+${MB(rss1 - rss0)}); topics left: ${stats ? stats.topics : 'n/a'}`)
    c.close()
  } finally {
    await server.stop()
  }
}

async function slow(): Promise<void> {
  const server = await startServerProcess({ script, env: NO_RATE_LIMIT })
  try {
    const subs: Client[] = []
    for (let i = 0; i < 31; i++) {
      const s = await connect(server.url, { from: '127.0.0.2' })
      s.send({ type: 'subscribe', topics: ['slow'] })
      await s.sync()
      s.ws.pause() // never reads again
      subs.push(s)
    }
    const pub = await connect(server.url, { from: '127.0.0.3', keep: false })
    pub.send({ type: 'subscribe', topics: ['slow'] })
    await sleep(200)
    const rss0 = server.rss()
    let peak = rss0
    const sampler = setInterval(() => { peak = Math.max(peak, server.rss()) }, 100)
    const data = 'x'.repeat(30 * 1024)
    for (let k = 0; k < 400 && !pub.isClosed(); k++) {
      pub.send({ type: 'publish', topic: 'slow', data })
      // Paced, so the publisher reads its own echo and is not itself the slow one.
      await drain(pub, 64 * 1024)
      await sleep(2)
    }
    await sleep(2000)
    clearInterval(sampler)
    const rss1 = server.rss()
    const reasons = new Map<string, number>()
    for (const s of subs) {
      if (!s.isClosed()) continue
      const { code, reason } = await s.closed
      reasons.set(`${code} ${reason}`, (reasons.get(`${code} ${reason}`) ?? 0) + 1)
    }
    const st = await server.stats()
    if (st) for (const [r, n] of Object.entries(st.closed)) reasons.set(`server closed: ${r}`, n)
    const closedBy = [...reasons].map(([r, n]) => `${n}x "${r}"`).join(', ') || 'none'
    console.log(`slow   400 x 30 KiB to 31 non-reading subscribers: RSS ${MB(rss0)} -> peak ${MB(peak)} (+${MB(peak - rss0)}), after ${MB(rss1)}; subscribers closed: ${closedBy}; publisher ${pub.isClosed() ? 'closed' : 'open'}`)
    for (const s of subs) s.ws.terminate()
    pub.close()
  } finally {
    await server.stop()
  }
}

/** Keeps an abuser running: reconnects whenever the server closes it, until stop(). */
function abuser(server: ServerProcess, from: string, run: (c: Client, live: () => boolean) => Promise<void>): { stop: () => void; closes: Map<string, number> } {
  let stopped = false
  const closes = new Map<string, number>()
  void (async () => {
    while (!stopped) {
      let c: Client
      try {
        c = await connect(server.url, { from, keep: false })
      } catch (e) {
        closes.set(`refused: ${(e as Error).message.slice(0, 60)}`, (closes.get(`refused: ${(e as Error).message.slice(0, 60)}`) ?? 0) + 1)
        await sleep(50)
        continue
      }
      void c.closed.then(({ code, reason }) => closes.set(`${code} ${reason}`, (closes.get(`${code} ${reason}`) ?? 0) + 1))
      try { await run(c, () => !stopped && !c.isClosed()) } catch { /* closed under it */ }
      if (stopped) c.ws.terminate()
      else await sleep(20)
    }
  })()
  return { stop: () => { stopped = true }, closes }
}

/**
 * The abusers, in a process of their own (so their loops do not delay the honest pair's event
 * loop): run until stdin closes, then print a JSON summary line.
 */
async function runAbusers(url: string, room: string): Promise<void> {
  const server = { url } as ServerProcess
  const big = 'y'.repeat(30 * 1024)
  const abusers = {
    // max-size publishes into a topic with 8 non-reading subscribers
    flood: abuser(server, '127.0.0.20', async (c, live) => {
      const topic = `flood-${Math.random()}`
      const sinks: Client[] = []
      for (let i = 0; i < 8; i++) {
        try {
          const s = await connect(server.url, { from: '127.0.0.21', keep: false })
          s.send({ type: 'subscribe', topics: [topic] })
          sinks.push(s)
        } catch { /* refused */ }
      }
      await sleep(100)
      for (const s of sinks) s.ws.pause()
      c.send({ type: 'subscribe', topics: [topic] })
      while (live()) {
        for (let i = 0; i < 10; i++) c.send({ type: 'publish', topic, data: big })
        await drain(c, 4 << 20)
        await sleep(0)
      }
      for (const s of sinks) s.ws.terminate()
    }),
    // topic churn
    churn: abuser(server, '127.0.0.22', async (c, live) => {
      for (let i = 0; live(); i++) {
        const topics = Array.from({ length: 64 }, (_, j) => `c-${Math.random()}-${i}-${j}`)
        c.send({ type: 'subscribe', topics })
        c.send({ type: 'unsubscribe', topics })
        if (i % 10 === 0) { await drain(c); await sleep(0) }
      }
    }),
    // junk into the honest room without subscribing
    unsubscribed: abuser(server, '127.0.0.23', async (c, live) => {
      for (let i = 0; live(); i++) {
        c.send({ type: 'publish', topic: room, data: { from: 'X', junk: i } })
        if (i % 10 === 0) { await drain(c); await sleep(1) }
      }
    }),
  }
  // A connection flood from one address: up to 400 held open, replaced when closed.
  let floodOpen = 0
  let floodRefused = 0
  let running = true
  const held: Client[] = []
  const flood = (async () => {
    while (running) {
      if (floodOpen >= 400) { await sleep(20); continue }
      try {
        const c = await connect(server.url, { from: '127.0.0.24', keep: false })
        floodOpen++
        held.push(c)
        void c.closed.then(() => { floodOpen-- })
      } catch { floodRefused++; await sleep(5) }
    }
  })()
  // Up to 200 squatters from one more address, all subscribing to the honest room.
  const squat: Client[] = []
  for (let i = 0; i < 200 && running; i++) {
    try {
      const s = await connect(server.url, { from: '127.0.0.26', keep: false })
      s.send({ type: 'subscribe', topics: [room] })
      squat.push(s)
    } catch { /* refused */ }
  }
  console.error('abusers running')
  await new Promise<void>((res) => { process.stdin.on('end', res); process.stdin.on('close', res); process.stdin.resume() })
  running = false
  for (const x of Object.values(abusers)) x.stop()
  await flood
  const summary = {
    closes: Object.fromEntries(Object.entries(abusers).map(([k, x]) => [k, Object.fromEntries(x.closes)])),
    floodHeld: floodOpen, floodRefused,
    squattersOpen: squat.filter((s) => !s.isClosed()).length,
  }
  console.log(JSON.stringify(summary))
  process.exit(0)
}

async function abuse(): Promise<void> {
  const server = await startServerProcess({ script })
  const room = 'honest-room-3f9a1c'
  let abusers: ReturnType<typeof spawn> | null = null
  try {
    const a = await connect(server.url, { from: '127.0.0.10', keep: false })
    const b = await connect(server.url, { from: '127.0.0.11', keep: false })
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
      if (m.data?.from === 'B') {
        const t = typeof m.data.seq === 'number' ? pending.get(m.data.seq) : undefined
        if (t !== undefined) { rtts.push(performance.now() - t); pending.delete(m.data.seq!) }
      } else if (m.data?.from !== 'A') junk++
    })
    let seq = 0
    /** Round trips at 50/s for ms; returns the sorted round-trip times and how many were lost. */
    const roundTrips = async (ms: number): Promise<{ sorted: number[]; sent: number; lost: number }> => {
      rtts.length = 0
      const first = seq
      const end = performance.now() + ms
      while (performance.now() < end && !a.isClosed() && !b.isClosed()) {
        pending.set(seq, performance.now())
        a.send({ type: 'publish', topic: room, data: { from: 'A', seq } })
        seq++
        await sleep(20)
      }
      await sleep(1000)
      // Round trips still pending one second after the run count as lost, not as late samples.
      const sorted = [...rtts].sort((x, y) => x - y)
      return { sorted, sent: seq - first, lost: seq - first - sorted.length }
    }
    const fmt = (r: { sorted: number[]; sent: number; lost: number }): string =>
      `${r.sorted.length}/${r.sent} completed (lost ${r.lost}): p50 ${percentile(r.sorted, 50).toFixed(1)} ms, p99 ${percentile(r.sorted, 99).toFixed(1)} ms, max ${(r.sorted.at(-1) ?? NaN).toFixed(1)} ms`
    // The same pair without abuse first: the machine's own latency at this moment.
    const quiet = await roundTrips(3000)

    const rss0 = server.rss()
    let peak = rss0
    const sampler = setInterval(() => { try { peak = Math.max(peak, server.rss()) } catch { /* exited */ } }, 100)
    const cpu0 = server.cpuSeconds()
    const wall0 = performance.now()

    // At a low CPU priority: real abusers run on their own machines, not on the honest pair's cores.
    abusers = spawn('nice', ['-n', '15', process.execPath, '--import', 'tsx', fileURLToPath(import.meta.url), '--abusers', server.url, room], { stdio: ['pipe', 'pipe', 'pipe'] })
    let abuserOut = ''
    let abuserErr = ''
    abusers.stdout!.on('data', (d: Buffer) => { abuserOut += d.toString() })
    abusers.stderr!.on('data', (d: Buffer) => { abuserErr += d.toString() })
    const t0 = performance.now()
    while (!abuserErr.includes('abusers running') && performance.now() - t0 < 30_000) await sleep(50)
    await sleep(500)

    const peaks: string[] = []
    const marks = setInterval(() => peaks.push(MB(peak)), 10_000)
    const abused = await roundTrips(abuseSeconds * 1000)
    clearInterval(marks)
    const cpuShare = (server.cpuSeconds() - cpu0) / ((performance.now() - wall0) / 1000)
    // A late honest joiner: does it get into the room and hear A?
    let lateJoined = false
    try {
      const late = await connect(server.url, { from: '127.0.0.12' })
      late.send({ type: 'subscribe', topics: [room] })
      await sleep(300)
      a.send({ type: 'publish', topic: room, data: { from: 'A', seq: -1 } })
      await late.waitFor((m) => m.type === 'publish' && (m.data as { seq?: number } | undefined)?.seq === -1, 3000)
      lateJoined = true
      late.close()
    } catch { /* refused or never heard */ }
    clearInterval(sampler)
    const exited = new Promise<void>((res) => abusers!.once('exit', () => res()))
    abusers.stdin!.end()
    await Promise.race([exited, sleep(15_000)])
    console.log(`abuse  honest round trips without abuse: ${fmt(quiet)}`)
    console.log(`       under abuse: ${fmt(abused)}; server CPU ${(cpuShare * 100).toFixed(0)}% of a core; honest closed: A ${a.isClosed()}, B ${b.isClosed()}; junk received by honest pair: ${junk}; late joiner got in: ${lateJoined}; server RSS ${MB(rss0)} -> peak ${MB(peak)} (+${MB(peak - rss0)}; peak at each 10 s: ${peaks.join(', ')})`)
    console.log(`       abusers: ${abuserOut.trim() || `(no summary) ${abuserErr.slice(-300)}`}`)
    const stats = await server.stats()
    if (stats) console.log(`       server: closed ${JSON.stringify(stats.closed)} dropped ${JSON.stringify(stats.dropped)}`)
    a.close()
    b.close()
  } finally {
    abusers?.kill('SIGKILL')
    await server.stop()
  }
}

if (args[0] === '--abusers') {
  await runAbusers(args[1]!, args[2]!)
}
console.log(`signaling load test against ${which} (${script})`)
if (only.has('churn')) await churn()
if (only.has('slow')) await slow()
if (only.has('abuse')) await abuse()
process.exit(0)
