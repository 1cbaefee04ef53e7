// The trader's money on chain: the EVM account (address; token and gas in the wallet), the free
// balance in the settlement contract, what is in channels and the total (HoldingsTotal); test funds
// and the chain's clock on the dev chain; deposit and withdraw; every transaction's progress.
// Amounts in the asset's units, never minor units.
import { useState, type FormEvent } from 'react'
import type { EIP1193Provider } from 'viem'
import { formatAmount, parseUnits, type KeyPair } from '../../core/index.ts'
import { config } from '../config.ts'
import { useSettlement } from './useSettlement.ts'
import type { TrackedTx } from './connection.ts'
import { failureOf, failureTitle, type Failure } from '../failure.ts'
import { FailureText } from '../FailureText.tsx'
import { Money } from '../money/Money.tsx'
import { formatMoney } from '../money/money.ts'
import { testFundsNote } from './testFunds.ts'
import { moveRefusal } from './walletMoves.ts'
import { HoldingsTotal } from './HoldingsTotal.tsx'
import type { ChannelRecord } from '../channels/channelRecords.ts'

const { symbol, decimals } = config.asset
const FAUCET_AMOUNT = 100_000n * 10n ** BigInt(decimals)
/** The chain's native coin, which pays gas (wei). */
const GAS_SYMBOL = 'ETH'
const GAS_DECIMALS = 18

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
  const injected = (globalThis as { ethereum?: EIP1193Provider }).ethereum
  const useBrowserWallet = async () => {
    try {
      await conn.useInjectedWallet(injected!)
      setFormError(null)
    } catch (err) {
      setFormError(failureOf(err))
    }
  }

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
        {wallet?.free != null ? <Money minor={wallet.free} decimals={decimals} asset={symbol} testId="account-balance" /> : <span data-testid="account-balance">{snap.healthy === false ? '—' : 'loading…'}</span>}
      </p>
      <p className="muted small">free in the settlement contract (not in a channel)</p>
      {wallet && (
        <dl className="kv small" aria-label="Your EVM account">
          <dt>Account</dt>
          <dd className="mono" data-testid="evm-address" title={`0x${wallet.address}`}>0x{wallet.address.slice(0, 6)}…{wallet.address.slice(-4)} <span className="muted">({wallet.kind === 'vault' ? 'from your identity' : 'browser wallet'})</span></dd>
          <dt>In wallet</dt>
          <dd>{wallet.token != null ? <Money minor={wallet.token} decimals={decimals} asset={symbol} testId="wallet-balance" /> : '…'}</dd>
          <dt>Gas</dt>
          {/* By the money rule (never a float, never a zero that is not one): 0.00002 ETH left for gas is not "0.0000 ETH". */}
          <dd>{wallet.gas != null ? <Money minor={wallet.gas} decimals={GAS_DECIMALS} asset={GAS_SYMBOL} testId="gas-balance" /> : <span data-testid="gas-balance">…</span>}</dd>
        </dl>
      )}
      <HoldingsTotal wallet={wallet} records={records} damaged={damaged} keys={keys} asset={config.asset} />
      {/* Said before the trader signs anything: with no gas every transaction fails at sending, in the wallet's words. */}
      {wallet?.gas === 0n && (
        <p className="warn small" role="status" data-testid="no-gas">
          Your account holds no {GAS_SYMBOL} to pay gas: no deposit, withdrawal or channel transaction can be sent until it holds some{dev ? ' ("Get test funds" adds gas on the dev chain)' : ''}.
        </p>
      )}
      {injected && wallet?.kind !== 'injected' && (
        <button type="button" className="secondary small" onClick={() => void useBrowserWallet()}>
          Use my browser wallet instead
        </button>
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
            {t.block !== undefined && t.block > 0n && <span className="muted"> · block {t.block.toString()}{t.gasUsed ? ` · gas ${t.gasUsed.toLocaleString()}` : ''}</span>}
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
