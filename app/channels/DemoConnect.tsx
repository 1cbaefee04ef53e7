// One click to a channel with the demo counterparty (npm start runs it): learn its key and EVM
// account, build the
// invite exactly as for a human counterparty, hand it over through the bot's local API.
import { useState } from 'react'
import { fingerprint, parseUnits, type KeyPair } from '../../core/index.ts'
import { config } from '../config.ts'
import { failureOf, type Failure } from '../failure.ts'
import { FailureText } from '../FailureText.tsx'
import { useSettlement } from '../settlement/useSettlement.ts'
import { pendingFromFree } from '../settlement/walletMoves.ts'
import { useVenue } from './NewChannelForm.tsx'
import { depositShortfall, proposeChannel } from './proposal.ts'
import { demoDeskCard, inviteDemoDesk, venueNotReady } from './demoDesk.ts'
import type { ChannelRecord } from './channelRecords.ts'

/** What each side deposits in a channel opened from here. */
const DEPOSIT = '50000'

/**
 * `channelCount`: how many channels the trader's list holds. A failure said before it changed (a
 * channel abandoned, so the desk's slot is free again; or a channel added) is out of date and leaves.
 */
export function DemoConnect({ keys, onCreated, channelCount }: { keys: KeyPair; onCreated: (r: ChannelRecord) => Promise<void>; channelCount: number }) {
  const venue = useVenue()
  const { conn, snap } = useSettlement()
  const [status, setStatus] = useState<string | null>(null)
  const [failure, setFailure] = useState<{ readonly failure: Failure; readonly channelCount: number } | null>(null)
  const [busy, setBusy] = useState(false)
  // Said before the click: the desk opens the channel on the contract only once the trader's deposit is there.
  const shortfall = depositShortfall(parseUnits(DEPOSIT, config.asset.decimals), snap.wallet?.free ?? null, config.asset, pendingFromFree(snap.txs))
  // The invite names the chain, the contract and the oracle: until the app has read them the button waits.
  const notReady = venue ? null : venueNotReady(snap, conn.cfg.oracleUrl !== null)
  const connect = async () => {
    setBusy(true)
    setFailure(null)
    let reached = false
    try {
      if (!venue) throw new Error(notReady ?? 'the chain or the oracle service is not reachable')
      setStatus('Asking the demo desk for its key…')
      const desk = await demoDeskCard(config.demoUrl)
      reached = true
      const record = proposeChannel(keys, { counterparty: desk.contact, label: desk.name, myDeposit: DEPOSIT, theirDeposit: DEPOSIT, challengeHours: '24' }, venue, Date.now())
      setStatus(`Sending the invite to ${fingerprint(desk.publicKey)}…`)
      await inviteDemoDesk(config.demoUrl, desk.name, record.invite)
      await onCreated({ ...record, inviteDelivered: true, deskUrl: config.demoUrl })
      setStatus(null)
    } catch (e) {
      // Not reachable: maybe npm start is not running. Reached and refused: the desk's reason.
      const f = failureOf(e)
      setStatus(null)
      // At the desk's per-key limit: a channel that never opened can be abandoned, and the desk then frees its slot at once (abandon.ts).
      const more = f.code === 'CLIENT_QUOTA' ? '. A channel that never opened can be abandoned from your channel list: the desk then frees its slot at once.' : ''
      setFailure({ failure: { text: reached ? `Could not open a channel: ${more ? f.text.replace(/[.\s]+$/, '') : f.text}${more}` : `Could not reach the demo desk at ${config.demoUrl}: ${f.text}. Is npm start running?`, code: f.code }, channelCount })
    } finally {
      setBusy(false)
    }
  }
  return (
    <section className="card" aria-labelledby="demo-title">
      <h2 id="demo-title">Trade with the demo desk</h2>
      <p className="muted">
        A market maker that runs beside the app (started by npm start). It opens a channel with 50,000 {config.asset.symbol} on each side,
        quotes your RFQs from its pricing model, co-signs trades, settles at expiry and closes when you do.
      </p>
      {shortfall && <p className="small warn" data-testid="demo-connect-shortfall">{shortfall}</p>}
      <button type="button" onClick={() => void connect()} disabled={busy || notReady !== null}>Open a channel with the demo desk</button>
      {notReady && <p className="small muted" data-testid="demo-connect-not-ready">Not yet: {notReady}</p>}
      {status && <p role="status">{status}</p>}
      {failure && failure.channelCount === channelCount && <p role="status" data-testid="demo-connect-failure"><FailureText failure={failure.failure} /></p>}
    </section>
  )
}
