// Everything a trader does once unlocked: account, channels, and the selected channel.
import { useEffect, useState } from 'react'
import type { KeyPair } from '../core/index.ts'
import type { ChainConfig } from '../channel-contract/chain/config.ts'
import { config } from './config.ts'
import { SettlementContext, useSettlementConnection } from './settlement/useSettlement.ts'
import { AccountPanel, TxActivity, useAccount } from './settlement/AccountPanel.tsx'
import { formatMoney } from './money/money.ts'
import { NodeStatus } from './settlement/NodeStatus.tsx'
import { useChannels } from './channels/useChannels.ts'
import { ChannelList, ChannelsNeedingYou, type ChannelPick } from './channels/ChannelList.tsx'
import { NewChannelForm } from './channels/NewChannelForm.tsx'
import { formatContact } from './channels/contact.ts'
import { AcceptInviteForm } from './channels/AcceptInviteForm.tsx'
import { DemoConnect } from './channels/DemoConnect.tsx'
import { RestoreChannels } from './channels/RestoreChannels.tsx'
import { ChannelScreen } from './channel/ChannelScreen.tsx'
import type { ChannelRecord } from './channels/channelRecords.ts'
import { releaseNotice, type AbandonNotice } from './channels/abandon.ts'
import { releaseAbandoned } from './channels/demoDesk.ts'
import { NetworkScreen, type NetworkScreenKind } from './book/NetworkScreen.tsx'
import { BackgroundChannels } from './book/BackgroundChannels.tsx'
import { FailureText } from './FailureText.tsx'
import { NoticeContext, useNoticeCenter } from './notify/useNotices.ts'
import { NetworkRequestsContext, networkRequestsOf } from './rfq/networkRequests.ts'
import { NetworkRequestsHost } from './rfq/NetworkRequestsHost.tsx'
import { NoticeHistory, Notifications } from './notify/Notifications.tsx'

export function Workspace({ keys }: { keys: KeyPair }) {
  if (!config.chain) {
    return (
      <section className="card" role="alert" aria-labelledby="config-title">
        <h2 id="config-title">No chain configured</h2>
        <p className="error">{config.chainError}</p>
        <p className="muted">Run <code>npm start</code> (it starts a local chain with the contract deployed), or set the chain's RPC URL and addresses as the README shows.</p>
      </section>
    )
  }
  return <ChainWorkspace keys={keys} chain={config.chain} />
}

function ChainWorkspace({ keys, chain }: { keys: KeyPair; chain: ChainConfig }) {
  const conn = useSettlementConnection(chain, keys)
  // What happens in any channel is told here, whichever screen shows (notify/noticeCenter.ts).
  const notices = useNoticeCenter()
  // The trader's network requests hold their fill rule here, not on the Network RFQ screen: a ticket
  // of a request is consulted wherever a quote on it is taken (a channel's Trade tab, the `a` key).
  const requests = networkRequestsOf(keys.publicKey)
  const channels = useChannels(keys)
  const [pick, setPick] = useState<ChannelPick | null>(null)
  // On a phone the account and channel list fold away once a channel is open (a button brings them back).
  const [sideOpen, setSideOpen] = useState(false)
  // The screens across all channels (book, network RFQ) replace the channel screen while shown.
  const [network, setNetwork] = useState<NetworkScreenKind | null>(null)
  // Open the first channel by default once the list is loaded.
  useEffect(() => {
    if (pick === null && channels.records[0]) setPick({ kind: 'channel', channelId: channels.records[0].channelId })
  }, [pick, channels.records])

  const created = async (r: ChannelRecord) => {
    await channels.add(r)
    setPick({ kind: 'channel', channelId: r.channelId })
  }
  const record = pick?.kind === 'channel' ? channels.records.find((r) => r.channelId === pick.channelId) : undefined
  // After an abandon, what the demo desk the channel was with made of its release (abandon.ts).
  const [abandonNotice, setAbandonNotice] = useState<AbandonNotice | null>(null)
  const abandon = async (channelId: string) => {
    const abandoned = channels.records.find((r) => r.channelId === channelId)
    await channels.remove(channelId)
    notices.forget(channelId)
    if (pick?.kind === 'channel' && pick.channelId === channelId) setPick(null)
    // The abandon is done; the desk is told after, without holding anything up (it may not answer).
    if (abandoned?.deskUrl === undefined) return setAbandonNotice(null)
    setAbandonNotice(releaseNotice(channelId, abandoned.label, 'pending'))
    void releaseAbandoned(abandoned, keys.secretKey, Date.now()).then((n) => setAbandonNotice((shown) => (shown?.channelId === channelId ? n : shown)))
  }

  return (
    <SettlementContext.Provider value={conn}>
      <NoticeContext.Provider value={notices}>
        <NetworkRequestsContext.Provider value={requests}>
          <NodeStatus />
          {channels.loaded && <BackgroundChannels records={channels.records} keys={keys} shown={network ? 'all' : (record?.channelId ?? null)} />}
          {channels.loaded && <NetworkRequestsHost records={channels.records} keys={keys} requests={requests} />}
          <button type="button" className="secondary small side-toggle" aria-expanded={sideOpen || !record} aria-controls="side" onClick={() => setSideOpen(!sideOpen)}>
            {sideOpen || !record ? 'Hide account and channels' : 'Account and channels'}
            {channels.loaded && <ChannelsNeedingYou records={channels.records} keys={keys} />}
          </button>
          <div className={`layout ${sideOpen || !record ? '' : 'side-hidden'}`}>
            <aside id="side">
              <AccountPanel records={channels.loaded ? channels.records : null} damaged={channels.damaged.length} keys={keys} />
              <ChannelList records={channels.records} keys={keys} selected={pick} onPick={(p) => { setPick(p); setNetwork(null); setSideOpen(false) }} damaged={channels.damaged} onDiscard={channels.discard} onAbandon={abandon} onRename={channels.rename} abandonNotice={abandonNotice} onDismissNotice={() => setAbandonNotice(null)} />
              {channels.loaded && (
                <nav className="card" aria-label="Across channels">
                  <h2>Across channels</h2>
                  <div className="row">
                    <button type="button" className={`secondary small ${network === 'book' ? 'selected' : ''}`} aria-pressed={network === 'book'} onClick={() => { setNetwork('book'); setSideOpen(false) }}>Book (all channels)</button>
                    <button type="button" className={`secondary small ${network === 'rfq' ? 'selected' : ''}`} aria-pressed={network === 'rfq'} onClick={() => { setNetwork('rfq'); setSideOpen(false) }}>Network RFQ</button>
                  </div>
                </nav>
              )}
              {channels.loaded && <RestoreChannels keys={keys} known={channels.records} onRestore={created} />}
              <NoticeHistory center={notices} onOpen={(channelId) => { setPick({ kind: 'channel', channelId }); setNetwork(null); setSideOpen(false) }} />
              <TxActivity />
            </aside>
            <div className="main">
              {channels.error && <p className="error" role="alert">Could not read your channel list: <FailureText failure={channels.error} /></p>}
              {network && <NetworkScreen kind={network} records={channels.records} keys={keys} onCreated={created} />}
              {!network && pick?.kind === 'new' && (
                <section className="card" aria-labelledby="new-title">
                  <h2 id="new-title">New channel</h2>
                  <p className="muted">You will be party A. Ask your counterparty for their public key, create the invite, send it, and tell them the code another way.</p>
                  <NewChannelForm keys={keys} onCreated={created} />
                </section>
              )}
              {!network && pick?.kind === 'accept' && (
                <section className="card" aria-labelledby="accept-title">
                  <h2 id="accept-title">Accept an invite</h2>
                  <p className="muted">Give the inviter your contact (public key@EVM account): <span className="mono" data-testid="my-public-key">{conn.getSnapshot().wallet ? formatContact({ publicKey: keys.publicKey, evm: conn.getSnapshot().wallet!.address }) : keys.publicKey}</span></p>
                  <AcceptInviteForm keys={keys} onAccepted={created} />
                </section>
              )}
              {!network && pick?.kind === 'demo' && <DemoConnect keys={keys} onCreated={created} channelCount={channels.records.length} />}
              {!network && record && <ChannelScreen key={record.channelId} record={record} keys={keys} records={channels.records} />}
              {!network && pick === null && channels.loaded && channels.records.length === 0 && (
                <Welcome />
              )}
            </div>
          </div>
          <Notifications center={notices} shown={network ? null : (record?.channelId ?? null)} onOpen={(channelId) => { setPick({ kind: 'channel', channelId }); setNetwork(null); setSideOpen(false) }} />
        </NetworkRequestsContext.Provider>
      </NoticeContext.Provider>
    </SettlementContext.Provider>
  )
}

/** The first steps, as far as this trader has gone: fund the account, then open a channel. */
function Welcome() {
  const { free } = useAccount()
  const funded = free !== null && free > 0n
  return (
    <section className="card" aria-labelledby="welcome-title">
      <h2 id="welcome-title">Welcome</h2>
      {funded ? (
        <p data-testid="welcome-step">
          The settlement contract holds {formatMoney(free ?? 0n, config.asset.decimals, config.asset.symbol)} of yours. Next, open a channel: invite a counterparty
          (“New channel”), accept an invite, or trade with the demo desk.
        </p>
      ) : (
        <p data-testid="welcome-step">Deposit collateral into the settlement contract (on the dev chain: “Get test funds”), then open a channel: invite a counterparty, accept an invite, or trade with the demo desk.</p>
      )}
    </section>
  )
}
