// Co-signed versions that moved no money, in words (pure). Which versions they are is
// channel-contract's rule (`supersededBy`): those co-signed after the state the contract paid out
// from (a stale dispute nobody refuted in time finalizes an older state than the latest). Every
// screen that lists them (header, Blotter, Risk's settled positions, History & audit, the Book)
// says it in these words, naming both versions.

/** "v6", "v6 and v7", "v6, v7 and v9" (ascending, each once). */
export function versionsInWords(versions: readonly number[]): string {
  const vs = [...new Set(versions)].sort((a, b) => a - b).map((v) => `v${v}`)
  return vs.length <= 1 ? (vs[0] ?? '') : `${vs.slice(0, -1).join(', ')} and ${vs.at(-1)}`
}

/**
 * "v6 and v7 were co-signed after the version the contract finalized (v5): they moved no money".
 * `finalized`: the version the contract paid out from (supersededBy's answer).
 */
export function supersededInWords(versions: readonly number[], finalized: number): string {
  const one = new Set(versions).size === 1
  return `${versionsInWords(versions)} ${one ? 'was' : 'were'} co-signed after the version the contract finalized (v${finalized}): ${one ? 'it' : 'they'} moved no money`
}

/**
 * The channel's latest co-signed state came after the version the contract finalized: "The
 * contract finalized v5, not the latest state both signed (v7): what was co-signed after v5 (up to
 * v7) moved no money".
 */
export function latestSupersededInWords(latest: number, finalized: number): string {
  const after = latest === finalized + 1 ? `v${latest}` : `v${finalized + 1}–v${latest}`
  return `The contract finalized v${finalized}, not the latest state both signed (v${latest}): what was co-signed in ${after} moved no money`
}
