// Where a process's CPU went, from a V8 CPU profile (`node --cpu-prof`): the busy time of its main
// thread over the last seconds of the profile (a benchmark's measuring window comes last), by the
// parts of the desk's path, and the functions with the most self time. How the desk's path was cut
// (desk/README.md, Benchmark):
//   DESK_BENCH_ONLY=link DESK_HOST_NODE_ARGS="--cpu-prof --cpu-prof-interval=100 --cpu-prof-dir=/tmp/prof" \
//     node scripts/netns.mjs npx tsx bench/run.ts desk
//   npx tsx bench/profile.ts /tmp/prof/<the largest .cpuprofile> [seconds, default 14] [functions, default 25]
// (the largest file is the desk's main thread; the other is tsx's loader thread). A sample counts
// for the first part, from the sampled function outwards, whose frame it is under; "other" is the
// rest (timers, sockets, the event loop).
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'

interface CallFrame {
  readonly functionName: string
  readonly url: string
  readonly lineNumber: number
}
interface ProfileNode {
  readonly id: number
  readonly callFrame: CallFrame
  readonly children?: readonly number[]
}
export interface CpuProfile {
  readonly nodes: readonly ProfileNode[]
  readonly startTime: number
  readonly samples: readonly number[]
  readonly timeDeltas: readonly number[]
}

/** The desk's path, innermost first: a sample inside `compute` under `step` counts as the view. */
export const DESK_PARTS: readonly (readonly [string, RegExp])[] = [
  ['idle', /^\(idle\) /],
  ['garbage collection', /^\(garbage collector\) /],
  ['view: read the doc (reader.ts)', /^readChannelDoc sync\/reader\.ts/],
  ['view: engine (engine.ts)', /^computeChannelView sync\/engine\.ts/],
  ['session: sign and publish', /^signAndPublish sync\/session\.ts/],
  ['session: quote', /^(quote|publishQuote) sync\/session\.ts/],
  ['session: the rest of a step', /^step sync\/session\.ts/],
  ['bot: pricing', /^price desk\/channelBot\.ts/],
  ['bot: reactions', /^(tick|tickets|approvals|counters|settleExpired|onNewLatest|openOnChain|handToWatchtower|endOnChain|refuteStale|closeOnChain|refreshChain) desk\/channelBot\.ts/],
  ['yjs: apply a peer update', /^applyUpdate dist\/yjs\.mjs/],
  ['journal (journal-store.ts)', / sync\/journal-store\.ts/],
  ['link to the clients', / bench\/doc-link\.ts/],
]

function frameName(f: CallFrame, line = false): string {
  const where = f.url.split('/').slice(-2).join('/')
  return `${f.functionName || '(anonymous)'} ${where}${line ? `:${f.lineNumber + 1}` : ''}`
}

/** Milliseconds per part and per function (self time) over the last `seconds` of the profile. */
export function summarize(p: CpuProfile, seconds: number, parts: readonly (readonly [string, RegExp])[] = DESK_PARTS): { windowMs: number; parts: Map<string, number>; self: Map<string, number> } {
  const byId = new Map(p.nodes.map((n) => [n.id, n]))
  const parent = new Map<number, number>()
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id)
  const at: number[] = []
  let t = p.startTime
  for (const d of p.timeDeltas) at.push((t += d))
  const from = (at.at(-1) ?? p.startTime) - seconds * 1e6
  const byPart = new Map<string, number>()
  const self = new Map<string, number>()
  let windowUs = 0
  for (let i = 0; i < p.samples.length; i++) {
    // A sample's time is the gap to the next one.
    const us = p.timeDeltas[i + 1] ?? 0
    if (at[i]! < from) continue
    windowUs += us
    const leaf = byId.get(p.samples[i]!)!
    self.set(frameName(leaf.callFrame, true), (self.get(frameName(leaf.callFrame, true)) ?? 0) + us)
    let part = 'other'
    for (let id: number | undefined = leaf.id; id !== undefined; id = parent.get(id)) {
      const name = frameName(byId.get(id)!.callFrame)
      const hit = parts.find(([, re]) => re.test(name))
      if (hit) {
        part = hit[0]
        break
      }
    }
    byPart.set(part, (byPart.get(part) ?? 0) + us)
  }
  const ms = (m: Map<string, number>) => new Map([...m].map(([k, v]) => [k, v / 1000] as const).sort((a, b) => b[1] - a[1]))
  return { windowMs: windowUs / 1000, parts: ms(byPart), self: ms(self) }
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename)) {
  const [file, secondsArg = '14', topArg = '25'] = process.argv.slice(2)
  const seconds = Number(secondsArg)
  const top = Number(topArg)
  if (!file || !(seconds > 0) || !Number.isInteger(top) || top < 0) {
    console.error('usage: npx tsx bench/profile.ts <file.cpuprofile> [seconds > 0, default 14] [functions >= 0, default 25]')
    process.exit(2)
  }
  const s = summarize(JSON.parse(readFileSync(file, 'utf8')) as CpuProfile, seconds)
  const idle = s.parts.get('idle') ?? 0
  const busy = s.windowMs - idle
  console.log(`last ${(s.windowMs / 1000).toFixed(1)} s of the profile: busy ${(busy / 1000).toFixed(1)} s, idle ${(idle / 1000).toFixed(1)} s`)
  const pct = (v: number) => `${((100 * v) / busy).toFixed(1).padStart(5)}%`
  for (const [k, v] of s.parts) if (k !== 'idle') console.log(`${pct(v)}  ${k}`)
  if (top > 0) console.log(`\nmost self time (share of busy):`)
  for (const [k, v] of [...s.self].filter(([k]) => !k.startsWith('(idle)')).slice(0, top)) console.log(`${pct(v)}  ${k}`)
}
