// The trader's money on chain: the EVM account (address; token and gas in the wallet), the token's
// contract, the free balance in the settlement contract, what is in channels and the total (HoldingsTotal); test funds
// and the chain's clock on the dev chain; deposit and withdraw; every transaction's progress.
// Amounts in the asset's units, never minor units. Switching accounts is confirmed first (a channel
// pays out to the account it was opened with, which the panel no longer shows after a switch), and
// the channels of the account not shown are said beside the total, never counted in it. The choice
// is kept across reloads (accountChoice.ts); a chosen browser wallet that does not reconnect is said,
// with the two ways on, never replaced by the identity's key. Each transaction's fee in the gas coin
// (txFee.ts).
import { useMemo, useState, type FormEvent } from 'react'
import { ChainCallError } from '../../channel-contract/client/index.ts'
import { countOf, evmKeyOf, formatAmount, parseUnits, type AddressHex, type KeyPair } from '../../core/index.ts'
import { config } from '../config.ts'
import { useSettlement } from './useSettlement.ts'
import { browserWallet, disputeGasReserve, type TrackedTx, type WalletNotConnected, type WalletView } from './connection.ts'
import { failureOf, failureTitle, type Failure } from '../failure.ts'
import { FailureText } from '../FailureText.tsx'
import { Money } from '../money/Money.tsx'
import { formatMoney } from '../money/money.ts'
import { testFundsNote } from './testFunds.ts'
import { moveRefusal } from './walletMoves.ts'
import { costText, exactFee } from './txFee.ts'
import { HoldingsTotal } from './HoldingsTotal.tsx'
import { channelAccount, channelsByAccount, inChannelsOf, type ChannelHolding } from './holdingsTotal.ts'
import { useChannelHoldings } from './useChannelHoldings.ts'
import type { ChannelRecord } from '../channels/channelRecords.ts'

const { symbol, decimals } = config.asset
const FAUCET_AMOUNT = 100_000n * 10n ** BigInt(decimals)
/** The chain's native coin, which pays gas (wei): the config's (nativeSymbol), not always ETH. */
const { symbol: GAS_SYMBOL, decimals: GAS_DECIMALS } = config.gasCoin

/** An EVM account as the panel shows it: 0x, its first six and last four hex digits. */
function shortAddress(a: AddressHex): string {
  return `0x${a.slice(0, 6)}…${a.slice(-4)}`
}

/** A contract's address, shortened, every digit in the tooltip (to check against an explorer). */
export function ShortAddress({ address, testId }: { address: AddressHex; testId?: string }) {
  return <span className="mono" title={`0x${address}`} data-testid={testId}>{shortAddress(address)}</span>
}

const ACCOUNT_KIND: Record<WalletView['kind'], string> = { vault: 'from your identity', injected: 'browser wallet' }
const SWITCH_TO: Record<WalletView['kind'], { readonly name: string; readonly button: string; readonly offer: string }> = {
  injected: { name: 'your browser wallet', button: 'Switch to my browser wallet', offer: 'Use my browser wallet instead' },
  vault: { name: 'the account from your identity', button: 'Switch to the account from my identity', offer: 'Use the account from my identity instead' },
}

/** The trader's free balance in the contract (null until read). */
export function useAccount(): { free: bigint | null; error: string | null } {
  const { snap } = useSettlement()
  return { free: snap.wallet?.free ?? null, error: snap.healthy === false ? snap.healthError : null }
}

const STAGE: Record<TrackedTx['stage'], string> = { checking: 'checking', signing: 'signing', sent: 'sent', mined: 'mined', confirmed: 'confirmed' }
const TX_STATUS: Record<TrackedTx['status'], string> = { pending: 'pending', confirmed: 'confirmed', failed: 'failed', unneeded: 'not needed' }
const TX_PILL: Record<TrackedTx['status'], string> = { pending: 'warn', confirmed: 'good', failed: 'bad', unneeded: 'muted' }

/** `records`: the trader's channels (null until the list is read; `damaged`: how many could not be read), for the total of their money (HoldingsTotal). */
export function AccountPanel({ records, damaged = 0, keys }: { records: readonly ChannelRecord[] | null; damaged?: number; keys: KeyPair }) {
  const { conn, snap } = useSettlement()
  const wallet = snap.wallet
  const [amount, setAmount] = useState('')
  const [formError, setFormError] = useState<Failure | null>(null)
  // A move refused here is said by the balances as they are now, not as they were at the click: a
  // channel opened or a transaction mined since changes the figures (a move that would now pass is
  // refused no more). Gone when the amount changes.
  const [refused, setRefused] = useState<{ readonly kind: 'deposit' | 'withdraw'; readonly value: bigint } | null>(null)
  const [clockHours, setClockHours] = useState('24')
  const dev = snap.info?.dev ?? false
  const s = conn.settlement
  const refusal = refused ? moveRefusal(refused.kind, refused.value, wallet, snap.txs, decimals, symbol) : null
  const shownError = formError ?? (refusal === null ? null : failureOf(refusal))
  // The account a switch asked for, until the trader confirms it (or keeps this one).
  const [switchTo, setSwitchTo] = useState<WalletView['kind'] | null>(null)
  // The total counts only the channels whose side is paid to the account shown (holdingsTotal.ts).
  const byAccount = useMemo(() => (records === null ? null : channelsByAccount(records, wallet?.address ?? null)), [records, wallet?.address])

  const submit = (kind: 'deposit' | 'withdraw') => (e?: FormEvent) => {
    e?.preventDefault()
    setRefused(null)
    let value: bigint
    try {
      value = parseUnits(amount, decimals, 'amount')
      if (value <= 0n) throw new Error('amount: must be greater than 0')
    } catch (err) {
      setFormError(failureOf(err))
      return
    }
    // Said here, in the asset's units, rather than as the contract's refusal in minor units; the
    // moves this page sent that are not mined yet count (the balances do not show them yet).
    if (moveRefusal(kind, value, wallet, snap.txs, decimals, symbol) !== null) {
      setFormError(null)
      setRefused({ kind, value })
      return
    }
    setFormError(null)
    // The amount as typed, every digit (a transaction's label is its record): 1.004, not 1.00.
    const label = `${kind === 'deposit' ? 'Deposit' : 'Withdraw'} ${formatAmount(value, decimals)} ${symbol}`
    void conn.track(label, (p) => (kind === 'deposit' ? s.chain.deposit(value, p) : s.chain.call({ fn: 'withdraw', amount: value }, p)), { kind, amount: value })
    setAmount('')
  }

  const testFunds = async () => {
    // Mint into the wallet (with gas), then deposit into the contract: ready to open channels.
    const minted = await conn.track(`Test funds ${formatMoney(FAUCET_AMOUNT, decimals, symbol)}`, (p) => s.chain.getTestFunds(FAUCET_AMOUNT, p))
    if (minted) await conn.track(`Deposit ${formatMoney(FAUCET_AMOUNT, decimals, symbol)}`, (p) => s.chain.deposit(FAUCET_AMOUNT, p), { kind: 'deposit', amount: FAUCET_AMOUNT })
  }

  // A browser wallet (EIP-1193), when the page has one: it then signs deposits, withdrawals, opens and closes.
  const injected = browserWallet()
  const switchAccount = async (to: WalletView['kind']) => {
    setSwitchTo(null)
    try {
      if (to === 'vault') conn.useVaultKey(evmKeyOf(keys.secretKey).privateKey)
      else {
        // Looked up at the click: a wallet enabled after the page loaded is found too.
        const provider = browserWallet()
        if (!provider) throw new ChainCallError('NO_WALLET', 'No browser wallet was found in this browser.', 'Install or enable one (such as MetaMask) and reload, or use the app\'s key.')
        await conn.useInjectedWallet(provider)
      }
      setFormError(null)
    } catch (err) {
      setFormError(failureOf(err))
    }
  }
  // The identity's account, named beside a chosen browser wallet that is not connected (only then: it derives a key).
  const notConnected = snap.walletNotConnected
  const vaultAccount = useMemo(() => (notConnected ? evmKeyOf(keys.secretKey).address : null), [notConnected, keys.secretKey])
  // The other account a switch offers: the browser wallet (when the page has one) from the identity's, the identity's back from the browser wallet.
  const offered: WalletView['kind'] | null = wallet === null ? null : wallet.kind === 'injected' ? 'vault' : injected ? 'injected' : null

  const moveClock = (e: FormEvent) => {
    e.preventDefault()
    const hours = Number(clockHours)
    if (!Number.isFinite(hours) || hours <= 0 || hours > 8784) return setFormError(failureOf('clock: hours must be a number above 0 and at most a year'))
    setFormError(null)
    void conn.track(`Move the chain clock ${hours} h`, () => conn.advanceTime(Math.round(hours * 3600)))
  }

  return (
    <section className="card" aria-labelledby="account-title">
      <h2 id="account-title">Collateral</h2>
      <p className="big num">
        {wallet?.free != null ? <Money minor={wallet.free} decimals={decimals} asset={symbol} testId="account-balance" /> : <span data-testid="account-balance">{snap.healthy === false || notConnected?.reason != null ? '—' : 'loading…'}</span>}
      </p>
      <p className="muted small">free in the settlement contract (not in a channel)</p>
      {notConnected && vaultAccount !== null && (
        <WalletNotConnectedNotice missing={notConnected} vault={vaultAccount} onConnect={() => void switchAccount('injected')} onUseKey={() => void switchAccount('vault')} />
      )}
      {wallet?.chosenBefore !== undefined && <WalletAccountChanged shown={wallet.address} chosen={wallet.chosenBefore} onKeep={() => conn.keepWalletAccount()} />}
      {wallet?.choiceNotKept && (
        <p className="warn small" role="status" data-testid="choice-not-kept">
          This browser could not keep your choice of the browser wallet (its storage is full or turned off): after a reload the app's key, the account from your identity, signs again until you switch.
        </p>
      )}
      {/* Which token the contract holds, by address: a symbol alone can be any contract's. */}
      <p className="muted small">{symbol} token contract <ShortAddress address={conn.cfg.token} testId="token-address" /></p>
      {wallet && (
        <dl className="kv small" aria-label="Your EVM account">
          <dt>Account</dt>
          <dd className="mono" data-testid="evm-address" title={`0x${wallet.address}`}>{shortAddress(wallet.address)} <span className="muted">({ACCOUNT_KIND[wallet.kind]})</span></dd>
          <dt>In wallet</dt>
          <dd>{wallet.token != null ? <Money minor={wallet.token} decimals={decimals} asset={symbol} testId="wallet-balance" /> : '…'}</dd>
          <dt>Gas</dt>
          {/* By the money rule (never a float, never a zero that is not one): 0.00002 ETH left for gas is not "0.0000 ETH". */}
          <dd>{wallet.gas != null ? <Money minor={wallet.gas} decimals={GAS_DECIMALS} asset={GAS_SYMBOL} testId="gas-balance" /> : <span data-testid="gas-balance">…</span>}</dd>
        </dl>
      )}
      <HoldingsTotal wallet={wallet} records={byAccount === null ? null : byAccount.shown} damaged={damaged} keys={keys} asset={config.asset} />
      {byAccount !== null && byAccount.other.length > 0 && <OtherAccountChannels records={byAccount.other} keys={keys} />}
      {wallet && <GasWarning wallet={wallet} dev={dev} />}
      {offered !== null && switchTo === null && (
        <button type="button" className="secondary small" onClick={() => setSwitchTo(offered)}>
          {SWITCH_TO[offered].offer}
        </button>
      )}
      {wallet && switchTo !== null && (
        <SwitchAccountConfirm wallet={wallet} to={switchTo} tied={(byAccount?.shown ?? []).filter((r) => channelAccount(r) !== null)} onConfirm={() => void switchAccount(switchTo)} onCancel={() => setSwitchTo(null)} />
      )}
      {snap.healthy === false && <p className="error">Chain unreachable: {snap.healthError}</p>}
      {dev && (
        <button type="button" onClick={() => void testFunds()}>
          Get test funds
        </button>
      )}
      <form className="row" onSubmit={submit('deposit')} aria-label="Deposit or withdraw">
        <label>
          Amount ({symbol})
          <input
            inputMode="decimal" value={amount} placeholder="0.00"
            onChange={(e) => {
              setAmount(e.target.value)
              setRefused(null)
            }}
          />
        </label>
        <button type="submit">Deposit</button>
        <button type="button" className="secondary" onClick={() => submit('withdraw')()}>
          Withdraw
        </button>
      </form>
      {dev && (
        <form className="row" onSubmit={moveClock} aria-label="Dev chain clock">
          <label>
            Move the chain clock (hours)
            <input inputMode="decimal" value={clockHours} onChange={(e) => setClockHours(e.target.value)} />
          </label>
          <button type="submit" className="secondary">Move clock</button>
        </form>
      )}
      {shownError && <p className="error" role="alert"><FailureText failure={shownError} /></p>}
      {dev && <p className="muted small">{testFundsNote(FAUCET_AMOUNT, decimals, symbol)}</p>}
    </section>
  )
}

export function TxActivity() {
  const { snap } = useSettlement()
  if (snap.txs.length === 0) return null
  return (
    <section className="card" aria-labelledby="tx-title">
      <h2 id="tx-title">Transactions</h2>
      <ul className="txlist" data-testid="tx-list">
        {snap.txs.slice(0, 8).map((t) => (
          <li key={t.id} className={t.status} data-stage={t.stage}>
            <span className={`pill ${TX_PILL[t.status]}`}>{t.status === 'pending' ? STAGE[t.stage] : TX_STATUS[t.status]}</span> {t.label}
            {/* The fee in the gas coin, every wei on hover; gas units alone when a receipt named no price (txFee.ts). */}
            {t.block !== undefined && t.block > 0n && (
              <span className="muted"> · block {t.block.toString()}{t.cost && t.cost.transactions > 0 && <> · <span data-testid="tx-cost" title={t.cost.fee === null ? 'The chain did not say the price paid for this gas.' : exactFee(t.cost.fee, GAS_DECIMALS, GAS_SYMBOL)}>{costText(t.cost, config.gasCoin)}</span></>}</span>
            )}
            {t.hash && t.hash !== '0x' && <span className="muted mono small" title={t.hash}> · {t.hash.slice(0, 10)}…</span>}
            {/* Refused before it was sent (the contract's check, or the wallet): no transaction, no gas. */}
            {t.status !== 'pending' && t.status !== 'confirmed' && !t.hash && <span className="muted small" data-testid="tx-not-sent"> · not sent, no gas spent</span>}
            {t.reason && <div className={t.status === 'unneeded' ? 'muted' : 'error'} title={failureTitle({ text: t.reason, code: t.code ?? null })} data-code={t.code}>{t.reason}</div>}
          </li>
        ))}
      </ul>
    </section>
  )
}

/**
 * Said before the trader signs anything. No gas: every transaction fails at sending, in the wallet's
 * words. Less than a dispute or a refute costs (disputeGasReserve): a deposit may still go through,
 * but the account could not answer a counterparty who closes on an old state.
 */
export function GasWarning({ wallet, dev }: { wallet: Pick<WalletView, 'gas' | 'gasPrice'>; dev: boolean }) {
  const { gas, gasPrice } = wallet
  if (gas === null) return null
  const devNote = dev ? ' ("Get test funds" adds gas on the dev chain)' : ''
  if (gas === 0n) {
    return (
      <p className="warn small" role="status" data-testid="no-gas">
        Your account holds no {GAS_SYMBOL} to pay gas: no deposit, withdrawal or channel transaction can be sent until it holds some{devNote}.
      </p>
    )
  }
  const reserve = disputeGasReserve(gasPrice)
  if (gas >= reserve) return null
  const cost = `${formatMoney(reserve, GAS_DECIMALS, GAS_SYMBOL)} ${gasPrice === null ? "at an assumed 10 gwei: the chain's gas price could not be read" : 'at the current gas price'}`
  return (
    <p className="warn small" role="status" data-testid="low-gas">
      Your account holds {formatMoney(gas, GAS_DECIMALS, GAS_SYMBOL)} for gas, less than a dispute or a refute can cost ({cost}): if a counterparty closes a channel on an old state, this account may be unable to dispute or refute it in time. Add {GAS_SYMBOL} to this account{devNote}.
    </p>
  )
}

/**
 * The browser wallet the trader chose on an earlier visit, while it is not connected (or is being
 * asked): nothing is signed meanwhile, never by the app's key in its place. The trader connects it
 * (the wallet may ask to approve) or chooses the app's key, which is another account (`vault`).
 */
export function WalletNotConnectedNotice({ missing, vault, onConnect, onUseKey }: { missing: WalletNotConnected; vault: AddressHex; onConnect: () => void; onUseKey: () => void }) {
  if (missing.address !== null && missing.reason === null) {
    return (
      <p className="muted small" role="status" data-testid="wallet-not-connected">
        Connecting your browser wallet ({shortAddress(missing.address)}), which you chose on an earlier visit…
      </p>
    )
  }
  return (
    <div className="warn small" role="alert" data-testid="wallet-not-connected">
      <p>
        {missing.address !== null
          ? <>Your browser wallet is not connected. You chose it on an earlier visit (account <span className="mono" title={`0x${missing.address}`}>{shortAddress(missing.address)}</span>); nothing is signed until you connect it or use the app's key.</>
          : <>Which account signs for you is not known: your choice from an earlier visit could not be read back. Nothing is signed until you connect your browser wallet or use the app's key.</>}
      </p>
      <p data-testid="wallet-not-connected-reason">{missing.reason}</p>
      <p>
        The app's key is another account (<span className="mono" title={`0x${vault}`}>{shortAddress(vault)}</span>, from your identity): a channel pays out to the account it was opened with.
      </p>
      <div className="row">
        <button type="button" onClick={onConnect}>Connect browser wallet</button>
        <button type="button" className="secondary" onClick={onUseKey}>Use the app's key</button>
      </div>
    </div>
  )
}

/** The browser wallet gives another account than the one chosen on an earlier visit: said until the trader takes it. */
export function WalletAccountChanged({ shown, chosen, onKeep }: { shown: AddressHex; chosen: AddressHex; onKeep: () => void }) {
  return (
    <div className="warn small" role="alert" data-testid="wallet-account-changed">
      <p>
        Your browser wallet now gives account {shortAddress(shown)}, not {shortAddress(chosen)}, the one you chose on an earlier visit. This panel shows {shortAddress(shown)} and it signs; channels opened with {shortAddress(chosen)} still pay out to it. To go on with {shortAddress(chosen)}, switch accounts in your wallet and reload.
      </p>
      <button type="button" className="secondary" onClick={onKeep}>Use {shortAddress(shown)} from now on</button>
    </div>
  )
}

/**
 * What a switch of accounts changes, said before it is made: the panel then shows the other
 * account, while the one shown now keeps its money and its channels (`tied`: those whose side is
 * paid to it when they close).
 */
export function SwitchAccountConfirm({ wallet, to, tied, onConfirm, onCancel }: {
  wallet: WalletView; to: WalletView['kind']; tied: readonly Pick<ChannelRecord, 'channelId' | 'label'>[]; onConfirm: () => void; onCancel: () => void
}) {
  const holds = [
    wallet.token != null && wallet.token > 0n ? `${formatMoney(wallet.token, decimals, symbol)} in wallet` : null,
    wallet.free != null && wallet.free > 0n ? `${formatMoney(wallet.free, decimals, symbol)} free in the settlement contract` : null,
  ].filter((h): h is string => h !== null)
  const target = SWITCH_TO[to]
  const n = tied.length
  return (
    <div className="warn small" role="group" aria-label="Switch accounts" data-testid="switch-account">
      <p>
        Switch to {target.name}? This panel then shows that account (its {symbol} in wallet, its free balance in the settlement contract, its gas), and it signs your deposits, withdrawals, opens and closes.
      </p>
      <p>
        The account shown now, {shortAddress(wallet.address)} ({ACCOUNT_KIND[wallet.kind]}), keeps what it holds{holds.length > 0 ? ` (${holds.join(' and ')})` : ''}, no longer shown or counted here.{' '}
        {n === 0 ? 'None of your channels is tied to it.' : `${countOf(n, 'channel')} ${n === 1 ? 'is' : 'are'} tied to it: when ${n === 1 ? 'it closes' : 'they close'}, your side is paid to it, not to ${target.name}:`}
      </p>
      {n > 0 && (
        <ul data-testid="switch-account-channels">
          {tied.map((r) => <li key={r.channelId}>your channel with {r.label}</li>)}
        </ul>
      )}
      <div className="row">
        <button type="button" onClick={onConfirm}>{target.button}</button>
        <button type="button" className="secondary" onClick={onCancel}>Keep this account</button>
      </div>
    </div>
  )
}

/** The trader's channels tied to an account not shown (`records`), read like the total's (useChannelHoldings), said beside it. */
function OtherAccountChannels({ records, keys }: { records: readonly ChannelRecord[]; keys: KeyPair }) {
  const holdings = useChannelHoldings(records, keys)
  // Named "from your identity" when it is: the trader may have used a browser wallet before.
  const vault = useMemo(() => evmKeyOf(keys.secretKey).address, [keys.secretKey])
  // Every record here has an account (channelsByAccount puts those with none among the shown).
  return <OtherAccountChannelsView channels={records.map((r, i) => ({ account: channelAccount(r)!, holding: holdings[i]! }))} vault={vault} />
}

/** One line for each other account: how many of the trader's channels are tied to it and their side in them, not counted in the total. */
export function OtherAccountChannelsView({ channels, vault }: { channels: readonly { readonly account: AddressHex; readonly holding: ChannelHolding }[]; vault: AddressHex }) {
  const byAccount = new Map<AddressHex, ChannelHolding[]>()
  for (const c of channels) byAccount.set(c.account, [...(byAccount.get(c.account) ?? []), c.holding])
  return (
    <>
      {[...byAccount].map(([account, held]) => {
        const part = inChannelsOf(held)
        const partial = part.missing.length > 0
        return (
          <p key={account} className="warn small" data-testid="other-account-channels">
            Not counted above: {countOf(held.length, 'channel')} tied to your other account {shortAddress(account)}{account === vault ? ` (${ACCOUNT_KIND.vault})` : ''}, {partial ? 'at least ' : ''}
            <Money minor={part.amount} decimals={decimals} asset={symbol} /> on your side by the latest co-signed state{partial ? ` (not read yet: ${part.missing.join('; ')})` : ''}. When {held.length === 1 ? 'it closes' : 'they close'}, your side is paid to that account, not to the one shown here.
          </p>
        )
      })}
    </>
  )
}
