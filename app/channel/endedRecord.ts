// The contract's last reading that ended a channel (finalized or closed), kept per profile and
// channel in localStorage. Neither status ever goes back to open, so until this visit reads the
// contract (a slow or unreachable chain: reads retry every 2 s for as long as it is down) the
// channel is treated as the contract last showed it: the session signs nothing more in it and the
// Trade tab takes no new trade, instead of trading states that would move no money. The contract's
// reading, once there is one, decides (a dev chain started afresh may not hold the channel at all).
// Only ever stops signing: a damaged or edited record can block trading until the next read, never
// move money.
import { z } from '../../core/zod.ts'
import type { Hex } from '../../core/index.ts'
import { channelEnded, type ChannelEnded } from '../../core/sync/index.ts'
import { channelStorage } from '../channelStorage.ts'
import type { OnChain } from './useOnChain.ts'

const ended = channelStorage('ended', z.strictObject({ status: z.enum(['finalized', 'closed']), version: z.number().check(z.int(), z.nonnegative()) }))

/** The ending this browser last read from the contract, or null (none recorded, or a damaged record). */
export function loadEnded(channelId: Hex): ChannelEnded | null {
  return ended.load(channelId)
}

export function saveEnded(channelId: Hex, e: ChannelEnded): void {
  ended.save(channelId, { status: e.status, version: e.version })
}

/**
 * How the channel ended, as far as this visit knows: by the contract's reading once there is one
 * (null when it holds the channel open or disputed, or does not hold it), else by the record of
 * an earlier reading. `known` is false while neither says anything.
 */
export interface Ending {
  readonly ended: ChannelEnded | null
  readonly known: boolean
  readonly fromRecord: boolean
}

export function endedNow(onChain: OnChain, recorded: ChannelEnded | null): Ending {
  if (onChain.status === 'present') return { ended: channelEnded(onChain.view), known: true, fromRecord: false }
  if (onChain.status === 'absent') return { ended: null, known: true, fromRecord: false }
  return recorded ? { ended: recorded, known: true, fromRecord: true } : { ended: null, known: false, fromRecord: false }
}
