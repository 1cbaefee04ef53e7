// The trader's money in the asset in one figure, under the Collateral panel: what is in channels,
// and the total of wallet, free balance and channels, with what it counts said beside it. A part
// not read yet makes it "at least ..., partial", naming the part.
import type { KeyPair } from '../../core/index.ts'
import type { ChannelRecord } from '../channels/channelRecords.ts'
import { Money, MoneyTotal } from '../money/Money.tsx'
import type { WalletView } from './connection.ts'
import { holdingsTotal, type ChannelHolding } from './holdingsTotal.ts'
import { useChannelHoldings } from './useChannelHoldings.ts'

interface Asset {
  readonly decimals: number
  readonly symbol: string
}

type Wallet = Pick<WalletView, 'token' | 'free'> | null

/** The total over the trader's channels (`records`; null: the list is not read yet; `damaged`: records that could not be read). */
export function HoldingsTotal({ wallet, records, damaged, keys, asset }: { wallet: Wallet; records: readonly ChannelRecord[] | null; damaged: number; keys: KeyPair; asset: Asset }) {
  // The channels' sessions are read only once the list holds some: a component of its own, so their every change re-renders this alone.
  if (records === null || records.length === 0) return <HoldingsTotalView wallet={wallet} channels={records === null ? null : []} damaged={damaged} asset={asset} />
  return <LiveHoldingsTotal wallet={wallet} records={records} damaged={damaged} keys={keys} asset={asset} />
}

function LiveHoldingsTotal({ wallet, records, damaged, keys, asset }: { wallet: Wallet; records: readonly ChannelRecord[]; damaged: number; keys: KeyPair; asset: Asset }) {
  return <HoldingsTotalView wallet={wallet} channels={useChannelHoldings(records, keys)} damaged={damaged} asset={asset} />
}

/** What the total counts, in words (the caption under it). */
export function totalInWords(counted: number): string {
  const channels = counted === 0 ? 'each channel the contract holds (none now)' : counted === 1 ? 'the 1 channel the contract holds' : `the ${counted} channels the contract holds`
  return `Wallet + free in the contract + your side of ${channels}: balance and your locked collateral, by the latest co-signed state. Open positions are not marked to market; gas is not counted.`
}

export function HoldingsTotalView({ wallet, channels, damaged = 0, asset }: { wallet: Wallet; channels: readonly ChannelHolding[] | null; damaged?: number; asset: Asset }) {
  const t = holdingsTotal(wallet, channels, damaged)
  const partial = t.missing.length > 0
  return (
    <div data-testid="holdings" data-complete={String(!partial)}>
      <dl className="kv small" aria-label="Your money in channels and in total">
        <dt>In channels</dt>
        <dd><Money minor={t.inChannels} decimals={asset.decimals} asset={asset.symbol} testId="channels-balance" /></dd>
        <dt>Total</dt>
        <dd>
          {partial && 'at least '}
          <strong><MoneyTotal rows={t.parts} decimals={asset.decimals} asset={asset.symbol} testId="holdings-total" /></strong>
          {partial && <> <span className="pill warn">partial</span></>}
        </dd>
      </dl>
      {partial && <p className="warn small" data-testid="holdings-missing">Partial: not read yet: {t.missing.join('; ')}.</p>}
      <p className="muted small" data-testid="holdings-note">{totalInWords(t.counted)}</p>
    </div>
  )
}
