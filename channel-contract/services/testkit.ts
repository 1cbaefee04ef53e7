// Tests only: what the services' tests (and the desk's API tests) share.
import { connect } from 'node:net'

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
