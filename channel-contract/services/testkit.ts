// Tests only: what the services' tests (and the desk's API tests) share.
import { createServer } from 'node:http'
import { connect, type AddressInfo } from 'node:net'
import type { SignedAttestation } from '../../core/index.ts'
import { sendError, sendJson, ServiceError } from './http.ts'

/**
 * Sends `text` as it is on a raw socket to 127.0.0.1:`port` (a request no HTTP client would send,
 * such as `GET //[`) and resolves with the whole answer.
 */
export function rawRequest(port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.end(text))
    let answer = ''
    socket.on('data', (b: Buffer) => (answer += b.toString()))
    socket.on('end', () => resolve(answer))
    socket.on('error', reject)
  })
}

/** An oracle service for the tests: what it answered, and how to stop it. */
export interface StubOracle {
  readonly url: string
  /** Every attestation asked for, in order. */
  readonly asked: { readonly feed: string; readonly instant: number }[]
  close(): Promise<void>
}

/**
 * A stand-in for the oracle service (channel-contract/services/oracle.ts) with prices the test
 * chooses: GET /oracle/attestation?feed=F&instant=MS answers what `answer` gives, a signed
 * attestation in the oracle's wire form, or 422 NO_PRICE when it gives null (an oracle without a
 * price for that instant yet). `answer` may wait (do something on chain first).
 */
export async function startStubOracle(answer: (feed: string, instant: number) => SignedAttestation | null | Promise<SignedAttestation | null>): Promise<StubOracle> {
  const asked: { feed: string; instant: number }[] = []
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://oracle')
    const feed = url.searchParams.get('feed') ?? ''
    const instant = Number(url.searchParams.get('instant'))
    if (url.pathname !== '/oracle/attestation') return sendError(res, new ServiceError(404, 'NOT_FOUND', `no route ${url.pathname}`))
    asked.push({ feed, instant })
    Promise.resolve(answer(feed, instant)).then(
      (att) => (att ? sendJson(res, 200, att) : sendError(res, new ServiceError(422, 'NO_PRICE', `no price of ${feed} at ${instant} yet`))),
      (e: unknown) => sendError(res, new ServiceError(500, 'INTERNAL', String(e))),
    )
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    asked,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      }),
  }
}
