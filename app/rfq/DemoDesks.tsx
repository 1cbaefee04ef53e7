// The demo desks npm start runs (one per style): each one's name, and a button to open a channel
// with it the way DemoConnect does for the one desk (its key and EVM account from its /info, the
// invite built exactly as for a human counterparty, handed over through its local API).
import { useEffect, useState } from 'react'
import { parseUnits, type KeyPair } from '../../core/index.ts'
import type { ChannelRecord } from '../channels/channelRecords.ts'
import type { PeerChannels } from '../book/useNetwork.ts'
import { useVenue } from '../channels/NewChannelForm.tsx'
import { depositShortfall, proposeChannel } from '../channels/proposal.ts'
import { config } from '../config.ts'
import { describeFailure } from '../settlement/connection.ts'
import { failureOf, type Failure } from '../failure.ts'
import { FailureText } from '../FailureText.tsx'
import { useSettlement } from '../settlement/useSettlement.ts'
import { pendingFromFree } from '../settlement/walletMoves.ts'
import { parseDemoUrls } from './demoDesks.ts'
import { demoDeskCard, inviteDemoDesk, venueNotReady } from '../channels/demoDesk.ts'

const DEMO_URLS = parseDemoUrls(config.demoUrlsParam, config.demoUrl)

interface DeskCard {
  readonly url: string
  readonly name: string | null
  readonly publicKey: string | null
  readonly contact: string | null
  readonly error: Failure | null
}

/**
 * `channels`: per counterparty key, where the trader's channels with it stand (PeerChannels). A
 * desk's row says which: "channel open", "channel opening…", or a button to open one (a new one
 * once every channel with that desk has ended). `channelCount`: how many channels the trader's list
 * holds (a failure said before it changed is out of date).
 */
export function DemoDesks({ keys, channels, channelCount, onCreated }: { keys: KeyPair; channels: ReadonlyMap<string, PeerChannels>; channelCount: number; onCreated: (r: ChannelRecord) => Promise<void> }) {
  const venue = useVenue()
  const [cards, setCards] = useState<readonly DeskCard[]>(DEMO_URLS.urls.map((url) => ({ url, name: null, publicKey: null, contact: null, error: null })))
  const [deposit, setDeposit] = useState('25000')
  const { conn, snap } = useSettlement()
  // The invite names the chain, the contract and the oracle: until the app has read them the buttons wait.
  const notReady = venue ? null : venueNotReady(snap, conn.cfg.oracleUrl !== null)
  // Said under the field before any click: a deposit that is no amount, or more than the contract holds free for the trader.
  const depositCheck = ((): { problem: string } | { shortfall: string | null } => {
    try {
      const d = parseUnits(deposit, config.asset.decimals, 'deposit per side')
      if (d === 0n) return { problem: 'deposit per side: must be more than 0' }
      return { shortfall: depositShortfall(d, snap.wallet?.free ?? null, config.asset, pendingFromFree(snap.txs)) }
    } catch (e) {
      return { problem: describeFailure(e) }
    }
  })()
  /**
   * What the last click did, and for which desk (a note on a desk leaves once its channel is open). A
   * failure leaves once the trader's channel count changes (one abandoned frees the desk's slot).
   */
  const [status, setStatus] = useState<{ readonly publicKey: string | null; readonly text: string; readonly failure?: Failure; readonly channelCount?: number } | null>(null)
  const [busy, setBusy] = useState(false)

  useEffect(() => {
    let live = true
    void Promise.all(DEMO_URLS.urls.map(async (url): Promise<DeskCard> => {
      try {
        return { url, ...(await demoDeskCard(url)), error: null }
      } catch (e) {
        return { url, name: null, publicKey: null, contact: null, error: failureOf(e) }
      }
    })).then((c) => live && setCards(c))
    return () => {
      live = false
    }
  }, [])

  const open = async (c: DeskCard) => {
    if (!c.contact || !c.name) return
    setBusy(true)
    try {
      if (!venue) throw new Error(notReady ?? 'the chain or the oracle service is not reachable')
      const record = proposeChannel(keys, { counterparty: c.contact, label: c.name, myDeposit: deposit, theirDeposit: deposit, challengeHours: '24' }, venue, Date.now())
      setStatus({ publicKey: c.publicKey, text: `Sending the invite to ${c.name}…` })
      await inviteDemoDesk(c.url, c.name, record.invite)
      await onCreated({ ...record, inviteDelivered: true, deskUrl: c.url })
      setStatus({ publicKey: c.publicKey, text: `Channel with ${c.name} opening: it quotes once the channel is open on the contract.` })
    } catch (e) {
      // The desk's refusal code (DemoDeskRefusal) goes in the tooltip, not the sentence (failure.ts).
      setStatus({ publicKey: null, text: `Could not open a channel with ${c.name}: `, failure: failureOf(e), channelCount })
    } finally {
      setBusy(false)
    }
  }

  return (
    <section className="ticket" aria-labelledby="demo-desks-title">
      <h3 id="demo-desks-title">Demo desks</h3>
      <p className="muted small">Market makers that npm start runs beside the app, each with its own style (vol, spread, sizes, speed, what it declines).</p>
      <label className="row small">
        Deposit per side ({config.asset.symbol})
        <input value={deposit} onChange={(e) => setDeposit(e.target.value)} inputMode="decimal" size={10} aria-invalid={'problem' in depositCheck} aria-describedby={'problem' in depositCheck ? 'demo-deposit-problem' : undefined} />
      </label>
      {'problem' in depositCheck && <p id="demo-deposit-problem" className="small error">{depositCheck.problem}</p>}
      {'shortfall' in depositCheck && depositCheck.shortfall && <p className="small warn" data-testid="demo-deposit-shortfall">{depositCheck.shortfall}</p>}
      {notReady && <p className="small muted" data-testid="demo-desks-not-ready">Not yet: {notReady}</p>}
      <ul className="channel-list">
        {cards.map((c) => (
          <li key={c.url} className="row small">
            {c.error ? <span className="muted"><FailureText failure={c.error} prefix={`${c.url}: not reachable: `} /></span> : (
              <>
                <strong>{c.name ?? c.url}</strong>
                <DeskStanding standing={c.publicKey ? channels.get(c.publicKey) : undefined} name={c.name ?? 'this desk'} disabled={busy || !c.contact || 'problem' in depositCheck || notReady !== null} onOpen={() => void open(c)} />
              </>
            )}
          </li>
        ))}
      </ul>
      {DEMO_URLS.rejected.map((r) => <p key={r} className="warn small">Demo desk list: {r}</p>)}
      {status && !(status.publicKey && channels.get(status.publicKey) === 'open') && (status.channelCount === undefined || status.channelCount === channelCount) && <p role="status">{status.failure ? <FailureText failure={status.failure} prefix={status.text} /> : status.text}</p>}
    </section>
  )
}

/** A desk's row: where the trader's channel with it stands, or a button to open one (a new one once every channel has ended). */
function DeskStanding({ standing, name, disabled, onOpen }: { standing: PeerChannels | undefined; name: string; disabled: boolean; onOpen: () => void }) {
  if (standing === 'open') return <span className="muted">channel open</span>
  if (standing === 'opening') return <span className="muted">channel opening…</span>
  return (
    <>
      {standing === 'ended' && <span className="muted">last channel ended</span>}
      <button type="button" className="small" disabled={disabled} onClick={onOpen}>Open {standing === 'ended' ? 'a new' : 'a'} channel with {name}</button>
    </>
  )
}
