#!/usr/bin/env node
// Runs a command inside a fresh network namespace that has only loopback, so that browsers and
// WebRTC peers cannot gather candidates on (or send mDNS out of) the machine's real interfaces.
// Needs root and util-linux `unshare`. OTC_NETNS=0 disables it, OTC_NETNS=1 makes it mandatory.
//
// The namespace has a PID namespace of its own too (when the kernel allows one): this script runs
// again inside it as its process 1 (OTC_NETNS_INIT=1), starts the command, passes SIGINT, SIGTERM
// and SIGHUP on to it and exits with its status; and when process 1 exits, the kernel kills every
// process left in the namespace. So nothing a run started outlives it: not an anvil, a desk or a
// signaling server whose test worker crashed, nor what an interrupted run was still starting.
// OTC_NETNS_HOST_PID tells the command a PID of its namespace as the host sees it (for
// `nsenter --net=/proc/<pid>/ns/net`: the command's own process.pid is its PID inside).
import { spawnSync, spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'

const args = process.argv.slice(2)
if (args.length === 0) {
  console.error('usage: node scripts/netns.mjs <command> [args...]')
  process.exit(2)
}
const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP']

function canUnshare() {
  if (process.env.OTC_NETNS === '0') return false
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return false
  return spawnSync('sh', ['-c', 'command -v unshare && command -v ip'], { stdio: 'ignore' }).status === 0
}

/** Can this kernel give the namespace a PID namespace (and a /proc) of its own? */
function canUnsharePids() {
  return spawnSync('unshare', ['-n', '-p', '-f', '--mount-proc', '--kill-child', 'true'], { stdio: 'ignore' }).status === 0
}

/** Exits this process as `child` ended. */
function exitWith(child) {
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)))
}

/** Runs the command in this process's namespace, passes it the signals this process gets, and exits with it. */
function runHere(childEnv) {
  // Handlers first: the command may print (and be told to stop) before spawn() returns here, and a
  // signal with no handler would end this process and leave the command running. A handler runs
  // from the event loop, so after `child` is set.
  let child = null
  for (const sig of SIGNALS) process.on(sig, () => child?.kill(sig))
  child = spawn(args[0], args.slice(1), { stdio: 'inherit', env: childEnv })
  exitWith(child)
}

// Resolve local binaries (playwright, tsx) the way npm scripts do.
const binDir = resolve('node_modules/.bin')
const env = { ...process.env, PATH: `${binDir}:${process.env.PATH ?? ''}` }
delete env.OTC_NETNS_INIT

if (process.env.OTC_NETNS_INIT === '1') {
  // Process 1 of the namespace. The outer run writes unshare's PID (on the host) to fd 3 first.
  const hostPid = readFileSync(3, 'utf8').trim()
  // Process 1 gets only the signals it handles: each is the command's to act on.
  runHere({ ...env, OTC_IN_NETNS: '1', OTC_NETNS_HOST_PID: hostPid })
} else if (process.env.OTC_IN_NETNS === '1') {
  // Already inside one (a test starting `npm start`): stopping this process stops the command too.
  runHere(env)
} else if (canUnshare()) {
  const pids = canUnsharePids()
  console.error(`[netns] running inside a loopback-only network namespace${pids ? '' : ' (no PID namespace here: processes a crash leaves behind are not stopped)'}`)
  const setup = ['sh', '-c', 'ip link set lo up && exec "$@"', 'sh']
  let child
  if (pids) {
    child = spawn('unshare', ['-n', '-p', '-f', '--mount-proc', '--kill-child', ...setup, process.execPath, ...process.execArgv, process.argv[1], ...args], {
      stdio: ['inherit', 'inherit', 'inherit', 'pipe'],
      env: { ...env, OTC_NETNS_INIT: '1' },
    })
    child.stdio[3].end(`${child.pid}\n`)
    // unshare ignores SIGINT and SIGTERM: the namespace's process 1 (its child) passes them on.
    const init = () => {
      try {
        return Number(readFileSync(`/proc/${child.pid}/task/${child.pid}/children`, 'utf8').trim().split(/\s+/)[0]) || null
      } catch {
        return null
      }
    }
    for (const sig of SIGNALS) process.on(sig, () => {
      const pid = init()
      if (pid) process.kill(pid, sig)
      else child.kill('SIGKILL') // no process 1 yet: --kill-child ends what there is
    })
  } else {
    child = spawn('unshare', ['-n', ...setup, ...args], { stdio: 'inherit', env: { ...env, OTC_IN_NETNS: '1' } })
    for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig))
  }
  exitWith(child)
} else {
  if (process.env.OTC_NETNS === '1') {
    console.error('[netns] OTC_NETNS=1 but a network namespace cannot be created (needs root and unshare)')
    process.exit(2)
  }
  console.error('[netns] not root or no unshare: running in the normal namespace')
  runHere(env)
}
