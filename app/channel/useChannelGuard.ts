// What the app does for the trader without being asked, each visible in the channel's notices:
//  - writes its EVM account's authorisation to open the channel once the opening state is
//    co-signed, and to close it once a final state is (either party then sends open or close);
//  - gives every new co-signed state to the watchtower (so a stale dispute is refuted while offline);
//  - refutes a dispute raised with an older state than ours (the counterparty cheating, or stale);
//  - proposes in-channel settlement of expired positions once the oracle has attested.
import { useEffect, useMemo, useRef, useState } from 'react'
import type { KeyPair, SignedState } from '../../core/index.ts'
import { isProtocolError, stateHash } from '../../core/index.ts'
import { ensureAuthorization, ownSettleOpen, positionsToSettle, settlementsFor, settlesInChannel, type ChannelSession } from '../../core/sync/index.ts'
import { useSettlement } from '../settlement/useSettlement.ts'
import { describeFailure } from '../settlement/connection.ts'
import type { OnChain } from './useOnChain.ts'
import { staleDispute } from '../../channel-contract/client/dispute.ts'
import { currentNotices, withNotice, type Notice, type NoticeTopic } from './notices.ts'
import { actorInWords, refutedInWords } from './disputeText.ts'
import { endedNow, loadEnded, saveEnded, type Ending } from './endedRecord.ts'

/** How often (chain time) an unopened channel's own open authorisation is looked at again (OPEN_AUTHORIZATION_RENEW_MS is an hour). */
const AUTH_RECHECK_MS = 300_000
const SETTLE_RETRY_MS = 10_000

/**
 * What the guard did, in notices; and how the channel ended as far as this visit knows (the
 * contract's reading, else the ending recorded on an earlier visit: endedRecord.ts), the same
 * ending it gives the session.
 */
export function useChannelGuard(session: ChannelSession | null, latest: SignedState | null, onChain: OnChain, keys: KeyPair, now: number): { readonly notices: readonly Notice[]; readonly ending: Ending } {
  const { conn, snap } = useSettlement()
  const [notices, setNotices] = useState<Notice[]>([])
  // Timed by the chain's clock, as the rest of the screen (a fill's stamp, a quote's validity, the status bar).
  const note = (kind: Notice['kind'], text: string, topic?: NoticeTopic) => setNotices((list) => withNotice(list, { at: conn.now(), kind, text, ...(topic ? { topic } : {}) }))
  const watched = useRef(-1)
  const refuted = useRef('')
  /** Position id -> earliest time (page clock) to try settling it again. */
  const settling = useRef(new Map<string, number>())

  // Watchtower: every new latest state once the channel is on the contract (the watchtower keeps
  // nothing for a channel that was never opened). Sent from a task of its own, so encoding and
  // sending it never delays showing the state.
  const version = latest?.state.version ?? -1
  const onContract = onChain.status === 'present'
  const absent = onChain.status === 'absent'
  const openOnChain = onChain.status === 'present' && onChain.view.status === 'open'
  /** The contract's status for core's rules: 'none' when it does not hold the channel, null while unknown. */
  const chainStatus = onChain.status === 'present' ? onChain.view.status : absent ? 'none' : null
  /** The newest chainStatus, for work that outlives the render that started it. */
  const chainNow = useRef(chainStatus)
  chainNow.current = chainStatus

  // Once the contract finalized or closed the channel, the session signs nothing more (a state
  // signed now moves no money); the contract's reading, once there is one, decides. Until this visit
  // has one, the last ending read on an earlier visit holds (endedRecord.ts): neither ending reopens.
  const channelId = session?.channelId ?? null
  const recorded = useMemo(() => (channelId ? loadEnded(channelId) : null), [channelId])
  const ending = endedNow(onChain, recorded)
  const { ended, known } = ending
  const endedKey = known ? `${ended?.status}:${ended?.version}` : null
  useEffect(() => {
    if (session && endedKey !== null) session.setEnded(ended)
    if (channelId && ended && onChain.status === 'present') saveEnded(channelId, ended)
    // `ended` is a new object each render: its content, endedKey, is what the effect follows.
  }, [session, endedKey])

  // EVM authorisations: to open with the co-signed opening state, to close with a co-signed final
  // state. Only this party's own, and only for a state both signed (what the contract will accept).
  // An open one expires (core/evm-auth.ts): while the channel stays unopened it is looked at again
  // every AUTH_RECHECK_MS of chain time, and ensureAuthorization signs a new one when it runs short.
  const authorized = useRef('')
  const hasWallet = snap.wallet !== null
  const recheck = Math.floor(now / AUTH_RECHECK_MS)
  useEffect(() => {
    if (!session || !latest || latest.sigA === null || latest.sigB === null || !hasWallet) return
    const kind = latest.state.version === 0 && absent ? 'open' : latest.state.isFinal && openOnChain ? 'close' : null
    if (!kind) return
    const hash = stateHash(latest.state)
    const key = kind === 'open' ? `${kind}:${hash}:${recheck}` : `${kind}:${hash}`
    if (authorized.current === key) return
    authorized.current = key
    ensureAuthorization(session.doc, session.params, session.me, kind, hash, (id, h, terms) => conn.settlement.chain.authorize(id, h, terms), conn.now()).then(
      (signed) => signed && note('info', `Your EVM account authorised ${kind === 'open' ? 'opening' : 'closing'} the channel with v${latest.state.version}: either of you can now send it to the contract.`, `authorise-${kind}`),
      (e) => {
        authorized.current = ''
        note('error', `Could not authorise ${kind === 'open' ? 'opening' : 'closing'} the channel: ${describeFailure(e)}`, `authorise-${kind}`)
      },
    )
  }, [session, latest, absent, openOnChain, hasWallet, conn, recheck])

  // Only a channel that can still be disputed has anything to watch: a closed or finalized one
  // (every reload of it used to warn that the watchtower refused, CHANNEL_ENDED) is left alone.
  const watchable = onContract && (onChain.view.status === 'open' || onChain.view.status === 'disputed')
  useEffect(() => {
    if (!session || !latest || !watchable || version <= watched.current || !snap.info?.watchtower) return
    const t = setTimeout(() => {
      watched.current = version
      conn.settlement.watch(session.params, latest).then(
        () => undefined,
        (e: unknown) => {
          if (isProtocolError(e) && e.code === 'CHANNEL_ENDED') return // it ended on chain meanwhile: nothing to watch
          note('warn', `The watchtower did not take state v${version}: ${describeFailure(e)}`)
        },
      )
    }, 0)
    return () => clearTimeout(t)
  }, [session, latest, version, watchable, conn, snap.info])

  // Refute a stale dispute with our newer state (the same rule the desk follows).
  const stale = staleDispute(onChain.status === 'present' ? onChain.view : null, latest, now)
  useEffect(() => {
    if (!session || !latest || !stale) return
    const key = `${stale.disputed}:${stale.refuteWith}`
    if (refuted.current === key) return
    refuted.current = key
    note('warn', `Refuting the dispute with your v${latest.state.version}.`)
    void conn.track(`Refute with v${latest.state.version}`, (p) => conn.settlement.refute(session.params, latest, p)).then((r) => {
      // A refusal because the watchtower was first is fine: the event note says so.
      if (!r) note('error', 'This app could not refute: see Transactions. If no refutation is listed above, dispute with your latest state before the deadline.')
    })
  }, [session, latest, stale?.disputed, stale?.refuteWith, conn, keys])

  // Tell the trader about every dispute and refutation on this channel, whoever made it (the
  // counterparty, this app, or the watchtower while the app was away).
  const told = useRef(new Set<string>())
  useEffect(() => {
    if (!session) return
    const accounts = { mine: snap.wallet?.address ?? null, counterparty: session.me === 'A' ? session.params.evmB : session.params.evmA, watchtower: snap.info?.watchtower?.address ?? null }
    let started: { by: string | null; version: number } | null = null
    for (const ev of snap.events) {
      if (ev.channelId !== session.channelId) continue
      if (ev.type === 'DisputeStarted') started = { by: ev.by, version: ev.version ?? -1 }
      if (told.current.has(ev.key)) continue
      if (ev.type !== 'DisputeStarted' && ev.type !== 'DisputeRefuted') continue
      told.current.add(ev.key)
      const who = actorInWords(ev.by, accounts)
      const v = ev.version ?? -1
      if (ev.type === 'DisputeStarted') {
        const stale = latest && v < latest.state.version
        note(stale ? 'warn' : 'info', `A dispute was started by ${who} with state v${v}${stale ? ` (older than your v${latest!.state.version})` : ''}.`)
      } else {
        // A refute leaves the deadline where the dispute set it (the event repeats it); the channel
        // stays disputed until someone finalizes. A device that disputed with an older state (restored,
        // or not synced) is told its dispute was superseded.
        const deadline = typeof ev.args.deadline === 'bigint' ? Number(ev.args.deadline) : onChain.status === 'present' ? (onChain.view.dispute?.deadline ?? null) : null
        const myDisputeWith = started !== null && started.by !== null && started.by === accounts.mine ? started.version : null
        note(myDisputeWith !== null ? 'warn' : 'info', refutedInWords({ refuter: who, version: v, deadline, myDisputeWith }))
      }
    }
  }, [session, snap.events, snap.info, snap.wallet, keys, latest, onChain])

  // Settle expired positions inside the channel once the oracle has attested their expiry.
  useEffect(() => {
    if (!session || !latest || latest.state.isFinal) return
    // A settle the peer refused (say its clock had not caught up with the node's: STALE_TIMESTAMP)
    // is tried again after a pause, not left for good.
    for (const o of session.view.outcomes) {
      if (o.type !== 'settle' || (o.status !== 'refused' && o.status !== 'failed')) continue
      for (const id of o.intent.slice('settle:'.length).split(',')) {
        if (settling.current.get(id) === Number.POSITIVE_INFINITY) settling.current.set(id, Date.now() + SETTLE_RETRY_MS)
      }
    }
    // The rule (core/sync/expiry.ts) is the desk's too: nothing once the contract finalized or
    // closed the channel (it settles the positions itself). Here each position is tried once at a time.
    const expired = positionsToSettle(session.view, now, chainStatus).filter((p) => (settling.current.get(p.id) ?? 0) <= Date.now())
    if (expired.length === 0) return
    // One attempt per position at a time; on failure retry after a pause, not every render.
    for (const p of expired) settling.current.set(p.id, Number.POSITIVE_INFINITY)
    void (async () => {
      const retry = (ps: readonly { id: string }[], e: unknown) => {
        for (const p of ps) settling.current.set(p.id, Date.now() + SETTLE_RETRY_MS)
        note('warn', `Settlement not proposed yet (retrying in ${SETTLE_RETRY_MS / 1000} s): ${describeFailure(e)}`, 'settle')
      }
      const { settlements, missing } = await settlementsFor(expired, (feed, expiry) => conn.settlement.attestation(feed, expiry))
      // The contract may have finalized or closed the channel while the oracle answered: then nothing is proposed.
      if (!settlesInChannel(chainNow.current)) return
      if (missing.length > 0) retry(missing.map((m) => m.position), missing[0]!.error)
      if (settlements.length === 0 || ownSettleOpen(session.view, settlements)) return
      try {
        await session.proposeSettle(settlements)
        note('info', `Proposed the settlement of ${settlements.length === 1 ? '1 expired position' : `${settlements.length} expired positions`} at the oracle's price.`, 'settle')
      } catch (e) {
        retry(expired, e)
      }
    })()
  }, [session, latest, now, conn, chainStatus])

  return { notices: currentNotices(notices, onChain), ending }
}
