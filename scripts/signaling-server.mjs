#!/usr/bin/env node
// The y-webrtc signaling server (same wire protocol as y-webrtc's bin/server.js: subscribe,
// unsubscribe, publish, ping), hardened for our use: binds 127.0.0.1 by default, never crashes on
// a malformed message, caps message size, topics per connection and connections per topic.
// It relays only encrypted signaling for random room ids: it learns neither contents nor names.
//   PORT=4444 HOST=127.0.0.1 node scripts/signaling-server.mjs
import http from 'node:http'
import { WebSocketServer } from 'ws'

const port = Number(process.env.PORT ?? 4444)
const host = process.env.HOST ?? '127.0.0.1'
const MAX_MESSAGE_BYTES = 256 * 1024
const MAX_TOPICS_PER_CONN = 64
const MAX_CONNS_PER_TOPIC = 32
const PING_MS = 30_000

/** @type {Map<string, Set<import('ws').WebSocket>>} */
const topics = new Map()

const server = http.createServer((_req, res) => {
  res.writeHead(200, { 'Content-Type': 'text/plain', 'Access-Control-Allow-Origin': '*' })
  res.end('okay')
})
const wss = new WebSocketServer({ server, maxPayload: MAX_MESSAGE_BYTES })

function send(conn, message) {
  if (conn.readyState !== conn.OPEN) return
  try {
    conn.send(JSON.stringify(message))
  } catch {
    conn.close()
  }
}

wss.on('connection', (conn) => {
  const subscribed = new Set()
  let alive = true
  const ping = setInterval(() => {
    if (!alive) return conn.terminate()
    alive = false
    try { conn.ping() } catch { conn.close() }
  }, PING_MS)
  conn.on('pong', () => { alive = true })
  conn.on('error', () => conn.close())
  conn.on('close', () => {
    clearInterval(ping)
    for (const name of subscribed) {
      const subs = topics.get(name)
      subs?.delete(conn)
      if (subs?.size === 0) topics.delete(name)
    }
    subscribed.clear()
  })
  conn.on('message', (raw) => {
    let message
    try {
      message = JSON.parse(raw.toString())
    } catch {
      return // not JSON: ignore
    }
    if (!message || typeof message !== 'object') return
    switch (message.type) {
      case 'subscribe':
        for (const name of Array.isArray(message.topics) ? message.topics : []) {
          if (typeof name !== 'string' || name.length > 256 || subscribed.size >= MAX_TOPICS_PER_CONN) continue
          let subs = topics.get(name)
          if (!subs) topics.set(name, (subs = new Set()))
          if (subs.size >= MAX_CONNS_PER_TOPIC) continue
          subs.add(conn)
          subscribed.add(name)
        }
        break
      case 'unsubscribe':
        for (const name of Array.isArray(message.topics) ? message.topics : []) {
          topics.get(name)?.delete(conn)
          subscribed.delete(name)
        }
        break
      case 'publish':
        if (typeof message.topic === 'string') {
          const receivers = topics.get(message.topic)
          if (receivers) {
            message.clients = receivers.size
            for (const r of receivers) send(r, message)
          }
        }
        break
      case 'ping':
        send(conn, { type: 'pong' })
        break
    }
  })
})

server.listen(port, host, () => console.log(`Signaling server running on ${host}:${port}`))
const stop = () => { wss.close(); server.close(); process.exit(0) }
process.on('SIGTERM', stop)
process.on('SIGINT', stop)
