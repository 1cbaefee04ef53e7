// The trader's account on the settlement contract: balance, test funds (dev), deposit, withdraw.
import { useCallback, useEffect, useState, type FormEvent } from 'react'
import { parseUnits, type KeyPair } from '../../core/index.ts'
import type { AccountView } from '../../channel-contract/index.ts'
import { config } from '../config.ts'
import { useSettlement } from './useSettlement.ts'
import { describeFailure } from './connection.ts'
import { Money } from '../money/Money.tsx'
import { formatMoney } from '../money/money.ts'

const { symbol, decimals } = config.asset
const FAUCET_AMOUNT = 100_000n * 10n ** BigInt(decimals)

export function useAccount(publicKey: string): { account: AccountView | null; error: string | null; refresh: () => void } {
  const { conn, snap } = useSettlement()
  const [account, setAccount] = useState<AccountView | null>(null)
  const [error, setError] = useState<string | null>(null)
  const refresh = useCallback(() => {
    conn.client.account(publicKey).then(
      (a) => {
        setAccount(a)
        setError(null)
      },
      (e) => setError(describeFailure(e)),
    )
  }, [conn, publicKey])
  // Any new event or finished transaction may have changed the balance.
  const lastSeq = snap.events.at(-1)?.seq ?? 0
  const txDone = snap.txs.filter((t) => t.status !== 'pending').length
  useEffect(refresh, [refresh, lastSeq, txDone, snap.healthy])
  return { account, error, refresh }
}

export function AccountPanel({ keys }: { keys: KeyPair }) {
  const { conn, snap } = useSettlement()
  const { account, error } = useAccount(keys.publicKey)
  const [amount, setAmount] = useState('')
  const [formError, setFormError] = useState<string | null>(null)
  const dev = snap.info?.dev ?? false

  const submit = (kind: 'deposit' | 'withdraw') => (e?: FormEvent) => {
    e?.preventDefault()
    let value: bigint
    try {
      value = parseUnits(amount, decimals, 'amount')
      if (value <= 0n) throw new Error('amount: must be greater than 0')
    } catch (err) {
      setFormError(describeFailure(err))
      return
    }
    // Said here, in the asset's units, rather than as the contract's refusal in minor units.
    if (kind === 'withdraw' && account && value > account.balance) {
      setFormError(`You cannot withdraw ${formatMoney(value, decimals, symbol)}: your settlement account holds ${formatMoney(account.balance, decimals, symbol)}.`)
      return
    }
    setFormError(null)
    const label = `${kind === 'deposit' ? 'Deposit' : 'Withdraw'} ${formatMoney(value, decimals, symbol)}`
    void conn.track(label, () => (kind === 'deposit' ? conn.client.deposit(keys, value) : conn.client.withdraw(keys, value)))
    setAmount('')
  }

  return (
    <section className="card" aria-labelledby="account-title">
      <h2 id="account-title">Settlement account</h2>
      <p className="big num">
        {account ? <Money minor={account.balance} decimals={decimals} asset={symbol} testId="account-balance" /> : <span data-testid="account-balance">{error ? '—' : 'loading…'}</span>}
      </p>
      {error && <p className="error">Node unreachable: {error}</p>}
      {dev && (
        <button type="button" onClick={() => void conn.track(`Test funds ${formatMoney(FAUCET_AMOUNT, decimals, symbol)}`, () => conn.client.faucet(keys.publicKey, FAUCET_AMOUNT))}>
          Get test funds
        </button>
      )}
      <form className="row" onSubmit={submit('deposit')} aria-label="Deposit or withdraw">
        <label>
          Amount ({symbol})
          <input inputMode="decimal" value={amount} onChange={(e) => setAmount(e.target.value)} placeholder="0.00" />
        </label>
        <button type="submit">Deposit</button>
        <button type="button" className="secondary" onClick={() => submit('withdraw')()}>
          Withdraw
        </button>
      </form>
      {formError && <p className="error" role="alert">{formError}</p>}
      {dev && <p className="muted small">Development node: deposits are credited by the node (no asset bridge in v1).</p>}
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
          <li key={t.id} className={t.status}>
            <span className={`pill ${t.status === 'confirmed' ? 'good' : t.status === 'failed' ? 'bad' : 'warn'}`}>{t.status}</span> {t.label}
            {t.receipt && <span className="muted"> · block {t.receipt.height}</span>}
            {t.reason && <div className="error">{t.reason}</div>}
          </li>
        ))}
      </ul>
    </section>
  )
}
