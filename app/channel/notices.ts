// The channel screen's notices: what the app did for the trader without being asked
// (useChannelGuard.ts), newest first. Some say how something stands ("either of you can now send it
// to the contract"); those carry a topic, so a newer notice on it replaces them and they leave once
// the contract shows them done.
import type { OnChain } from './useOnChain.ts'
import { endedOnChain } from './voidProposals.ts'

export interface Notice {
  readonly at: number
  readonly kind: 'info' | 'warn' | 'error'
  readonly text: string
  /** What the notice is about: a newer notice on the topic replaces it (see `withNotice`). */
  readonly topic?: NoticeTopic
}

/** Notices that say how something stands, not only what happened: only the newest one counts. */
export type NoticeTopic = 'authorise-open' | 'authorise-close' | 'settle'

/** Notices kept (the screen shows the first few). */
const MAX_NOTICES = 20

/** `n` in front of `list`, replacing an older notice on its topic. */
export function withNotice(list: readonly Notice[], n: Notice): Notice[] {
  return [n, ...list.filter((x) => n.topic === undefined || x.topic !== n.topic)].slice(0, MAX_NOTICES)
}

/**
 * The notices still true for the channel as the contract shows it: an authorisation's "either of you
 * can now send it to the contract" is dropped once the contract holds the channel (opened) or no
 * longer holds it open (closed, or ended by a dispute); a settle's "retrying" once the contract
 * ended the channel (nothing is retried there any more: it settles the positions itself).
 */
export function currentNotices(list: readonly Notice[], onChain: OnChain): readonly Notice[] {
  if (onChain.status !== 'present') return list
  const ended = endedOnChain(onChain.view.status)
  const done = (n: Notice) => n.topic === 'authorise-open' || (n.topic === 'authorise-close' && onChain.view.status !== 'open') || (n.topic === 'settle' && n.kind !== 'info' && ended)
  return list.some(done) ? list.filter((n) => !done(n)) : list
}
