#!/usr/bin/env node
// Runs a command inside a fresh network namespace that has only loopback, so that browsers and
// WebRTC peers cannot gather candidates on (or send mDNS out of) the machine's real interfaces.
// Needs root and util-linux `unshare`. OTC_NETNS=0 disables it, OTC_NETNS=1 makes it mandatory.
import { spawnSync, spawn } from 'node:child_process'
import { resolve } from 'node:path'

const args = process.argv.slice(2)
if (args.length === 0) {
  console.error('usage: node scripts/netns.mjs <command> [args...]')
  process.exit(2)
}

function canUnshare() {
  if (process.env.OTC_NETNS === '0') return false
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return false
  return spawnSync('sh', ['-c', 'command -v unshare && command -v ip'], { stdio: 'ignore' }).status === 0
}

// Resolve local binaries (playwright, tsx) the way npm scripts do.
const binDir = resolve('node_modules/.bin')
const env = { ...process.env, PATH: `${binDir}:${process.env.PATH ?? ''}` }

let child
if (process.env.OTC_IN_NETNS === '1') {
  child = spawn(args[0], args.slice(1), { stdio: 'inherit', env })
} else if (canUnshare()) {
  console.error('[netns] running inside a loopback-only network namespace')
  child = spawn('unshare', ['-n', 'sh', '-c', 'ip link set lo up && exec "$@"', 'sh', ...args], {
    stdio: 'inherit',
    env: { ...env, OTC_IN_NETNS: '1' },
  })
} else {
  if (process.env.OTC_NETNS === '1') {
    console.error('[netns] OTC_NETNS=1 but a network namespace cannot be created (needs root and unshare)')
    process.exit(2)
  }
  console.error('[netns] not root or no unshare: running in the normal network namespace')
  child = spawn(args[0], args.slice(1), { stdio: 'inherit', env })
}
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)))
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig))
