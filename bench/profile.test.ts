import { describe, expect, it } from 'vitest'
import { summarize, type CpuProfile } from './profile.ts'

const frame = (functionName: string, file: string) => ({ functionName, url: `file:///repo/${file}`, lineNumber: 0 })

/** root -> step -> compute -> readChannelDoc -> verify; root -> tick -> price; root -> (idle); root -> timers. */
const nodes = [
  { id: 1, callFrame: frame('(root)', ''), children: [2, 6, 8, 9] },
  { id: 2, callFrame: frame('step', 'core/sync/session.ts'), children: [3] },
  { id: 3, callFrame: frame('compute', 'core/sync/session.ts'), children: [4] },
  { id: 4, callFrame: frame('readChannelDoc', 'core/sync/reader.ts'), children: [5] },
  { id: 5, callFrame: frame('verifyOneShot', 'internal/crypto/sig') },
  { id: 6, callFrame: frame('tickets', 'desk/channelBot.ts'), children: [7] },
  { id: 7, callFrame: frame('price', 'desk/channelBot.ts') },
  { id: 8, callFrame: frame('(idle)', '') },
  { id: 9, callFrame: frame('processTimers', 'node:internal/timers') },
]

describe('bench/profile summarize', () => {
  it("counts each sample's time (the gap to the next one) for its innermost part, over the last seconds only", () => {
    // One sample a second, the first two outside a 3 s window: 2 s of verify, then verify, price, idle, timers, verify.
    const samples = [5, 5, 5, 7, 8, 9, 5]
    const p: CpuProfile = { nodes, startTime: 0, samples, timeDeltas: samples.map(() => 1e6) }
    const s = summarize(p, 4)
    // In the window (t >= 3 s): samples at 3..7 s; the last one has no gap after it.
    expect(s.windowMs).toBe(4000)
    expect(Object.fromEntries(s.parts)).toEqual({ 'view: read the doc (reader.ts)': 1000, 'bot: pricing': 1000, idle: 1000, other: 1000 })
    expect(s.self.get('verifyOneShot crypto/sig:1')).toBe(1000)
    expect(s.self.get('price desk/channelBot.ts:1')).toBe(1000)
    // A longer window takes the earlier samples in.
    expect(summarize(p, 100).parts.get('view: read the doc (reader.ts)')).toBe(3000)
  })
})
