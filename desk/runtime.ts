// How a desk process is started (npm start, the desk's tests, e2e, the benchmarks): one place.
//
// V8's young generation gets 64 MiB per semi-space instead of the default 16: the desk allocates
// for every countersigned state (views, store records, Yjs updates), and with the default much of
// that lived through several scavenges. Measured with bench/desk.bench.ts (100 channels, two runs
// each, interleaved): desk CPU 2.67-2.83 ms per countersigned state with it, 3.09-3.12 ms without.

/** Node's flags for a desk process. */
export const DESK_NODE_ARGS: readonly string[] = ['--max-semi-space-size=64']

/** The command line of the desk (desk/main.ts) with `args`, from the repository's root. */
export function deskCommand(args: readonly string[]): string[] {
  return ['node', ...DESK_NODE_ARGS, '--import', 'tsx', 'desk/main.ts', ...args]
}
