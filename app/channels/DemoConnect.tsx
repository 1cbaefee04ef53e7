// One click to a channel with the demo counterparty (npm start runs it): learn its key and EVM
// account, build the
// invite exactly as for a human counterparty, hand it over through the bot's local API.
import { useState } from 'react'
import { fingerprint, type KeyPair } from '../../core/index.ts'
import { config } from '../config.ts'
import { describeFailure } from '../settlement/connection.ts'
import { useVenue } from './NewChannelForm.tsx'
import { proposeChannel } from './proposal.ts'
import { formatContact, parseContact } from './contact.ts'
import type { ChannelRecord } from './channelRecords.ts'

export function DemoConnect({ keys, onCreated }: { keys: KeyPair; onCreated: (r: ChannelRecord) => Promise<void> }) {
  const venue = useVenue()
  const [status, setStatus] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)
  const connect = async () => {
    setBusy(true)
    try {
      if (!venue) throw new Error('the chain or the oracle service is not reachable')
      setStatus('Asking the demo desk for its key…')
      const res = await fetch(`${config.demoUrl}/info`)
      if (!res.ok) throw new Error(`demo desk answered ${res.status}`)
      const bot = (await res.json()) as { publicKey?: unknown; evm?: unknown; evmAddress?: unknown; name?: unknown }
      if (typeof bot.publicKey !== 'string') throw new Error('demo desk sent no public key')
      const evm = typeof bot.evm === 'string' ? bot.evm : bot.evmAddress
      if (typeof evm !== 'string') throw new Error('demo desk sent no EVM address')
      const contact = formatContact(parseContact(`${bot.publicKey}@${evm}`))
      const record = proposeChannel(keys, { counterparty: contact, label: typeof bot.name === 'string' ? bot.name : 'Demo Desk', myDeposit: '50000', theirDeposit: '50000', challengeHours: '24' }, venue, Date.now())
      setStatus(`Sending the invite to ${fingerprint(bot.publicKey)}…`)
      const sent = await fetch(`${config.demoUrl}/invite`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(record.invite) })
      if (!sent.ok) throw new Error(`demo desk refused the invite: ${await sent.text()}`)
      await onCreated({ ...record, inviteDelivered: true })
      setStatus(null)
    } catch (e) {
      setStatus(`Could not reach the demo desk at ${config.demoUrl}: ${describeFailure(e)}. Is npm start running?`)
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
      <button type="button" onClick={() => void connect()} disabled={busy}>Open a channel with the demo desk</button>
      {status && <p role="status">{status}</p>}
    </section>
  )
}
