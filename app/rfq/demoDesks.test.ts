import { describe, expect, it } from 'vitest'
import { parseDemoUrls } from './demoDesks.ts'

describe('parseDemoUrls', () => {
  it('falls back to the one demo desk when no list is given', () => {
    expect(parseDemoUrls(undefined, 'http://127.0.0.1:8600')).toEqual({ urls: ['http://127.0.0.1:8600'], rejected: [] })
    expect(parseDemoUrls('  ', 'http://127.0.0.1:8600').urls).toEqual(['http://127.0.0.1:8600'])
  })

  it('reads a comma-separated list, without trailing slashes or repeats, naming what it leaves out', () => {
    const r = parseDemoUrls('http://127.0.0.1:8600/, http://127.0.0.1:8601,ws://127.0.0.1:1,not a url,http://127.0.0.1:8600', 'x')
    expect(r.urls).toEqual(['http://127.0.0.1:8600', 'http://127.0.0.1:8601'])
    expect(r.rejected).toEqual(['"ws://127.0.0.1:1": expected an http or https URL', '"not a url" is not a URL'])
  })

  it('shows at most eight desks', () => {
    const list = Array.from({ length: 10 }, (_, i) => `http://127.0.0.1:${8600 + i}`).join(',')
    const r = parseDemoUrls(list, 'x')
    expect(r.urls).toHaveLength(8)
    expect(r.rejected).toEqual(['2 more than the 8 demo desks shown'])
  })
})
