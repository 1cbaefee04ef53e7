// IndexedDbChannelStore in a real browser (Chromium through Playwright; Node has no IndexedDB):
// whatever append/appendUpdate resolved is there after the page is closed at once, doc updates that
// arrive during a commit share the next transaction, and replace swaps everything at once.
import { chromium, type Browser, type BrowserContext, type Page } from '@playwright/test'
import { existsSync, readFileSync } from 'node:fs'
import ts from 'typescript'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import type { StoreRecord } from './store.ts'

const ORIGIN = 'http://store.test'
// The store imports types only: transpiled alone, it is a self-contained module the page can load.
const storeModule = ts.transpileModule(readFileSync(new URL('./indexeddb-store.ts', import.meta.url), 'utf8'), {
  compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
}).outputText

type StoreModule = typeof import('./indexeddb-store.ts')
/** In the page: the store module, and how many write transactions touched each object store. */
type PageGlobals = { store: StoreModule; writes: Record<string, number> }

let browser: Browser
let context: BrowserContext
let page: Page
let channel = 0

// The page loads the store and counts the write transactions on each object store.
const PAGE = `<!doctype html><title>store test</title><script type="module">
  import * as store from '/store.js'
  const writes = {}
  const open = IDBDatabase.prototype.transaction
  IDBDatabase.prototype.transaction = function (scope, mode, opts) {
    if (mode === 'readwrite') for (const s of typeof scope === 'string' ? [scope] : scope) writes[s] = (writes[s] ?? 0) + 1
    return open.call(this, scope, mode, opts)
  }
  Object.assign(globalThis, { store, writes })
</script>`

/** A new page of the same profile (its IndexedDB stays), the old one closed without ceremony. */
async function freshPage(): Promise<void> {
  await page?.close({ runBeforeUnload: false })
  page = await context.newPage()
  await page.goto(`${ORIGIN}/`)
  await page.waitForFunction(() => 'store' in globalThis)
}

beforeAll(async () => {
  browser = await chromium.launch({ ...(existsSync('/usr/bin/chromium') ? { executablePath: '/usr/bin/chromium' } : {}), args: ['--no-sandbox', '--disable-gpu'] })
  context = await browser.newContext()
  await context.route(`${ORIGIN}/**`, (route) =>
    route.request().url().endsWith('/store.js')
      ? route.fulfill({ contentType: 'text/javascript', body: storeModule })
      : route.fulfill({ contentType: 'text/html', body: PAGE }),
  )
})

afterAll(async () => {
  await browser?.close()
})

beforeEach(async () => {
  channel++
  await freshPage()
})

const channelId = () => channel.toString(16).padStart(64, '0')
const approve = (i: number): StoreRecord => ({ k: 'approve', intent: `intent-${i}` })

describe('IndexedDbChannelStore', () => {
  it('keeps everything whose append or appendUpdate resolved when the page closes at once, in order', async () => {
    await page.evaluate(async ({ id, records }) => {
      const { store } = globalThis as unknown as PageGlobals
      const s = await store.IndexedDbChannelStore.open(id as `${string}`)
      const writes: Promise<void>[] = []
      for (let i = 0; i < 200; i++) {
        writes.push(s.appendUpdate(new Uint8Array([i, i >> 8, 7])))
        if (i % 20 === 0) writes.push(s.append([records[i / 20]!]))
      }
      await Promise.all(writes)
    }, { id: channelId(), records: Array.from({ length: 10 }, (_, i) => approve(i)) })
    await freshPage() // at once: a write still waiting in this page's memory would be lost now
    const loaded = await page.evaluate(async (id) => {
      const { store } = globalThis as unknown as PageGlobals
      const s = await store.IndexedDbChannelStore.open(id as `${string}`)
      const { records, updates } = await s.load()
      await s.close()
      return { records, updates: updates.map((u) => [...u]) }
    }, channelId())
    expect(loaded.records).toEqual(Array.from({ length: 10 }, (_, i) => approve(i)))
    expect(loaded.updates).toEqual(Array.from({ length: 200 }, (_, i) => [i & 255, i >> 8, 7]))
  })

  it('commits doc updates that arrive during a commit together, in one transaction', async () => {
    const { writes, count } = await page.evaluate(async (id) => {
      const g = globalThis as unknown as PageGlobals
      const s = await g.store.IndexedDbChannelStore.open(id as `${string}`)
      await Promise.all(Array.from({ length: 100 }, (_, i) => s.appendUpdate(new Uint8Array([i]))))
      const { updates } = await s.load()
      return { writes: g.writes['updates'] ?? 0, count: updates.length }
    }, channelId())
    expect(count).toBe(100)
    // The first update starts a commit; the 99 queued behind it go in the next one.
    expect(writes).toBe(2)
  })

  it('replace leaves exactly the compact form', async () => {
    const loaded = await page.evaluate(async ({ id, before, after }) => {
      const { store } = globalThis as unknown as PageGlobals
      const s = await store.IndexedDbChannelStore.open(id as `${string}`)
      await s.append(before)
      await s.appendUpdate(new Uint8Array([1]))
      await s.replace(after, new Uint8Array([9, 9]))
      const { records, updates } = await s.load()
      return { records, updates: updates.map((u) => [...u]) }
    }, { id: channelId(), before: [approve(1), approve(2)], after: [approve(3)] })
    expect(loaded).toEqual({ records: [approve(3)], updates: [[9, 9]] })
  })
})
