import { renderToStaticMarkup } from 'react-dom/server'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { evmKeyOf, keyPairFromSecret, type ChannelState, type KeyPair } from '../../core/index.ts'
import { AccountPanel, SwitchAccountConfirm, TxActivity } from './AccountPanel.tsx'
import { HoldingsTotalView } from './HoldingsTotal.tsx'
import type { ChannelHolding } from './holdingsTotal.ts'
import { SettlementContext } from './useSettlement.ts'
import type { SettlementConnection, SettlementSnapshot, WalletNotConnected, WalletView } from './connection.ts'
import type { ChannelRecord } from '../channels/channelRecords.ts'

// Each channel's holding as the test sets it, by channel id: the channels' sessions do not run in a static render.
const held = vi.hoisted(() => new Map<string, unknown>())
vi.mock('./useChannelHoldings.ts', () => ({ useChannelHoldings: (records: readonly { channelId: string }[]) => records.map((r) => held.get(r.channelId)) }))

/** The panel rendered over a fixed snapshot (no chain); `records` null: the channel list is not read yet, [] none. */
function panel(wallet: Partial<WalletView> | null, records: readonly ChannelRecord[] | null = [], damaged = 0, keys = {} as KeyPair, walletNotConnected: WalletNotConnected | null = null): string {
  const snap: SettlementSnapshot = {
    rpcUrl: 'http://chain', info: null, healthy: true, healthError: null, chainNow: null, height: 1n, events: [], txs: [],
    wallet: wallet === null ? null : { address: 'ab'.repeat(20), kind: 'vault', token: 0n, gas: 0n, free: 0n, gasPrice: 1_000_000_000n, ...wallet },
    walletNotConnected,
  }
  const conn = { subscribe: () => () => {}, getSnapshot: () => snap, settlement: {}, cfg: { chainId: 31337, token: TOKEN } } as unknown as SettlementConnection
  return renderToStaticMarkup(<SettlementContext.Provider value={conn}><AccountPanel records={records} damaged={damaged} keys={keys} /></SettlementContext.Provider>)
}

/** The token contract of the deployment the panels' connection names. */
const TOKEN = '5fbdb2315678afecb367f032d93f642f64180aa3'

/** The text of the element carrying `testId`, tags dropped, and its data-exact. */
function gasOf(html: string): { text: string; exact: string | null } {
  const m = /<(dd|span)[^>]*data-testid="gas-balance"[^>]*>(.*?)<\/(dd|span)>/.exec(html)
  if (!m) throw new Error('no gas-balance in the panel')
  return { text: m[2]!.replace(/<[^>]+>/g, ''), exact: /data-exact="(\d+)"/.exec(m[0])?.[1] ?? null }
}

describe('AccountPanel: gas in the wallet', () => {
  it('never reads a little gas as none, and keeps every wei on hover', () => {
    const g = gasOf(panel({ gas: 20_000_000_000_000n })) // 0.00002 ETH: "0.0000 ETH" before
    expect(g.text).toBe('0.00002 ETH')
    expect(g.exact).toBe('20000000000000')
  })

  it('shows a large balance with separators, from the integer (no float)', () => {
    expect(gasOf(panel({ gas: 9_999_876_543_210_000_000_000n })).text).toBe('9,999.8765 ETH')
    expect(gasOf(panel({ gas: 0n })).text).toBe('0.0000 ETH')
  })
})

describe('AccountPanel: the token', () => {
  it('names the token the contract holds by its address, shortened, every digit in the tooltip', () => {
    const html = panel({})
    expect(html).toContain(`USDC token contract <span class="mono" title="0x${TOKEN}" data-testid="token-address">0x5fbdb2…0aa3</span>`)
  })
})

describe('AccountPanel: a chain whose gas coin is not ETH', () => {
  /** The panel and GasWarning of a page built for a chain whose native coin is `symbol` (VITE_NATIVE_SYMBOL). */
  async function built(symbol: string) {
    vi.resetModules()
    const env = {
      VITE_CHAIN_RPC_URL: 'https://polygon-rpc.example', VITE_CHAIN_ID: '137', VITE_ADJUDICATOR: `0x${'11'.repeat(20)}`, VITE_TOKEN: `0x${TOKEN}`,
      VITE_VERIFIER: `0x${'33'.repeat(20)}`, VITE_ASSET: 'USDC', VITE_ASSET_DECIMALS: '6', VITE_NATIVE_SYMBOL: symbol,
    }
    for (const [k, v] of Object.entries(env)) vi.stubEnv(k, v)
    vi.stubGlobal('location', { search: '' })
    try {
      const [{ AccountPanel: Panel, GasWarning: Warning }, { SettlementContext: Context }] = await Promise.all([import('./AccountPanel.tsx'), import('./useSettlement.ts')])
      const snap = { rpcUrl: 'http://chain', info: null, healthy: true, healthError: null, chainNow: null, height: 1n, events: [], txs: [], wallet: { address: 'ab'.repeat(20), kind: 'vault', token: 0n, gas: 20_000_000_000_000n, free: 0n, gasPrice: 1_000_000_000n } }
      const conn = { subscribe: () => () => {}, getSnapshot: () => snap, settlement: {}, cfg: { chainId: 137, token: TOKEN } } as unknown as SettlementConnection
      return {
        panel: renderToStaticMarkup(<Context.Provider value={conn}><Panel records={[]} keys={{} as KeyPair} /></Context.Provider>),
        warning: (gas: bigint) => renderToStaticMarkup(<Warning wallet={{ gas, gasPrice: 1_000_000_000n }} dev={false} />).replace(/<[^>]+>/g, ''),
      }
    } finally {
      vi.unstubAllEnvs()
      vi.unstubAllGlobals()
    }
  }

  it('shows gas, and asks for it, in the configured coin', async () => {
    const pol = await built('POL')
    expect(gasOf(pol.panel).text).toBe('0.00002 POL')
    expect(pol.warning(0n)).toBe('Your account holds no POL to pay gas: no deposit, withdrawal or channel transaction can be sent until it holds some.')
    expect(pol.warning(10n ** 15n)).toContain('Your account holds 0.0010 POL for gas, less than a dispute or a refute can cost (0.0015 POL at the current gas price)')
    expect(pol.warning(10n ** 15n)).toContain('Add POL to this account.')
    expect(pol.panel).not.toContain('ETH')
  })
})

describe('AccountPanel: no gas', () => {
  it('says, before anything is signed, that no transaction can be sent without gas; nothing once there is some, or while it is not read', () => {
    const warning = (html: string) => /data-testid="no-gas"[^>]*>(.*?)<\/p>/.exec(html)?.[1] ?? null
    expect(warning(panel({ gas: 0n }))).toBe('Your account holds no ETH to pay gas: no deposit, withdrawal or channel transaction can be sent until it holds some.')
    expect(warning(panel({ gas: 1n }))).toBeNull()
    expect(warning(panel({ gas: null }))).toBeNull()
  })
})

describe('AccountPanel: too little gas for a dispute or a refute', () => {
  const warning = (html: string) => byTestId(html, 'low-gas')?.text ?? null
  const ETH = 10n ** 18n

  it('warns below what a dispute or a refute can cost at the current gas price (1,500,000 gas), saying what the account cannot do', () => {
    // At 1 gwei: 0.0015 ETH.
    expect(warning(panel({ gas: ETH / 1000n }))).toBe(
      'Your account holds 0.0010 ETH for gas, less than a dispute or a refute can cost (0.0015 ETH at the current gas price): if a counterparty closes a channel on an old state, this account may be unable to dispute or refute it in time. Add ETH to this account.',
    )
    expect(warning(panel({ gas: (ETH * 15n) / 10_000n })), 'enough for one').toBeNull()
    expect(warning(panel({ gas: ETH / 1000n, gasPrice: 100_000_000n })), 'at 0.1 gwei it costs 0.00015 ETH').toBeNull()
    expect(warning(panel({ gas: 0n })), 'no gas at all is the no-gas warning alone').toBeNull()
    expect(warning(panel({ gas: null }))).toBeNull()
  })

  it('assumes 10 gwei, and says so, when the chain\'s gas price could not be read', () => {
    expect(warning(panel({ gas: ETH / 100n, gasPrice: null }))).toContain('less than a dispute or a refute can cost (0.0150 ETH at an assumed 10 gwei: the chain&#x27;s gas price could not be read)')
    expect(warning(panel({ gas: ETH / 50n, gasPrice: null }))).toBeNull()
  })
})

/** An element's text (tags dropped) and data-exact, by its test id; null when it is not there. */
function byTestId(html: string, testId: string): { text: string; exact: string | null } | null {
  const m = new RegExp(`<(\\w+)[^>]*data-testid="${testId}"[^>]*>(.*?)</\\1>`).exec(html)
  return m ? { text: m[2]!.replace(/<[^>]+>/g, ''), exact: /data-exact="(\d+)"/.exec(m[0])?.[1] ?? null } : null
}

const usdc = (n: number) => BigInt(n) * 1_000_000n
const asset = { decimals: 6, symbol: 'USDC' }

describe('AccountPanel: the total of the trader\'s money', () => {
  it('with no channel, the total is the wallet plus the free balance, complete, and says what it counts', () => {
    const html = panel({ token: usdc(5_000), free: 100_000_500_000n })
    expect(byTestId(html, 'holdings-total')).toEqual({ text: '105,000.50 USDC', exact: '105000500000' })
    expect(html).toContain('data-complete="true"')
    expect(byTestId(html, 'holdings-missing')).toBeNull()
    expect(byTestId(html, 'holdings-note')?.text).toContain('Open positions are not marked to market')
  })

  it('says it is partial, and what is not read, while the channel list or a balance is not read', () => {
    const html = panel({ token: null, free: usdc(100_000) }, null, 1)
    expect(html).toContain('data-complete="false"')
    expect(byTestId(html, 'holdings-total')?.text).toBe('100,000.00 USDC')
    expect(html).toMatch(/at least <strong>/)
    expect(byTestId(html, 'holdings-missing')?.text).toBe('Partial: not read yet: your wallet; your channel list; 1 channel record this browser could not read.')
  })
})

describe('HoldingsTotalView: several channels', () => {
  const state = (balanceA: number, balanceB: number, locks: [number, number][] = []) =>
    ({ balanceA: usdc(balanceA), balanceB: usdc(balanceB), positions: locks.map(([a, b], i) => ({ id: `p${i}`, lockA: usdc(a), lockB: usdc(b) })) }) as unknown as ChannelState
  const open = { status: 'open' as const, lockedPositions: null, lockedCount: 0, paidOut: [] }
  const view = (channels: readonly ChannelHolding[]) => renderToStaticMarkup(<HoldingsTotalView wallet={{ token: usdc(1_000), free: usdc(2_000) }} channels={channels} asset={asset} />)

  it('adds the trader\'s side of each channel the contract holds (balance and own locks), not one it never opened', () => {
    const html = view([
      { counterparty: 'Desk A', me: 'A', state: state(40_000, 60_000, [[1_500, 0]]), chain: open },
      { counterparty: 'Desk B', me: 'B', state: state(10_000, 30_000, [[0, 250]]), chain: open },
      { counterparty: 'Invited', me: 'A', state: state(50_000, 50_000), chain: null },
    ])
    expect(byTestId(html, 'channels-balance')?.text).toBe('71,750.00 USDC')
    expect(byTestId(html, 'holdings-total')).toEqual({ text: '74,750.00 USDC', exact: '74750000000' })
    expect(html).toContain('data-complete="true"')
    expect(byTestId(html, 'holdings-note')?.text).toContain('your side of the 2 channels the contract holds: balance and your locked collateral')
  })

  it('a channel the contract was not read for makes the total partial, naming the channel', () => {
    const html = view([
      { counterparty: 'Desk A', me: 'A', state: state(40_000, 60_000), chain: open },
      { counterparty: 'Desk B', me: 'A', state: state(10_000, 30_000), chain: undefined },
    ])
    expect(byTestId(html, 'holdings-total')?.text).toBe('43,000.00 USDC')
    expect(html).toContain('data-complete="false"')
    expect(byTestId(html, 'holdings-missing')?.text).toBe('Partial: not read yet: your channel with Desk B (the contract not read yet).')
  })
})

describe('TxActivity: each call as the trader should read it', () => {
  function list(txs: SettlementSnapshot['txs']): string[] {
    const snap = { txs } as unknown as SettlementSnapshot
    const conn = { subscribe: () => () => {}, getSnapshot: () => snap, settlement: {} } as unknown as SettlementConnection
    const html = renderToStaticMarkup(<SettlementContext.Provider value={conn}><TxActivity /></SettlementContext.Provider>)
    return [...html.matchAll(/<li [^>]*>(.*?)<\/li>/g)].map((m) => m[0])
  }
  const base = { startedAt: 0, stage: 'checking' as const }

  it('a refusal in red with the contract\'s words and its code in the tooltip; "not sent, no gas spent" when refused before sending, not when it was sent', () => {
    const [notSent, reverted] = list([
      { ...base, id: 2, label: 'Dispute with v3', status: 'failed', reason: 'A dispute is running. Refute with a newer state.', code: 'CHALLENGE_ACTIVE' },
      { ...base, id: 1, label: 'Finalize', status: 'failed', stage: 'mined', hash: '0x' + 'aa'.repeat(32), block: 9n, cost: { gasUsed: 30_000n, fee: 30_000n * 2_000_000_000n, transactions: 1 }, reason: 'The window for this has closed.', code: 'DEADLINE_PASSED' },
    ])
    expect(notSent).toMatch(/<span class="pill bad">failed<\/span> Dispute with v3/)
    expect(notSent).toContain('not sent, no gas spent')
    expect(notSent).toMatch(/<div class="error" title="Error code \(for support\): CHALLENGE_ACTIVE" data-code="CHALLENGE_ACTIVE">A dispute is running\./)
    expect(reverted).toContain('block 9 · <span data-testid="tx-cost" title="0.00006 ETH">fee 0.000060 ETH (gas 30,000)</span>')
    expect(reverted).not.toContain('not sent')
  })

  it('a mined call says its fee in the gas coin with its gas, every wei on hover; gas alone when the receipt named no price', () => {
    const mined = { ...base, status: 'confirmed' as const, stage: 'mined' as const, hash: '0x' + 'bb'.repeat(32), block: 12n }
    const cost = (li: string | undefined) => /data-testid="tx-cost"[^>]*>(.*?)<\/span>/.exec(li ?? '')?.[1] ?? null
    const [priced, unpriced, approved, notMined] = list([
      // 90,292 gas at 1.0078 gwei: 0.0000909962776 ETH.
      { ...mined, id: 4, label: 'Deposit 5.00 USDC', cost: { gasUsed: 90_292n, fee: 90_292n * 1_007_800_000n, transactions: 1 } },
      { ...mined, id: 3, label: 'Withdraw 1.00 USDC', cost: { gasUsed: 90_292n, fee: null, transactions: 1 } },
      { ...mined, id: 2, label: 'Deposit 100,000.00 USDC', cost: { gasUsed: 136_102n, fee: 150_000_000_000_000n, transactions: 2 } },
      { ...mined, id: 1, label: 'Move the chain clock 24 h', block: 0n },
    ])
    expect(cost(priced)).toBe('fee 0.000091 ETH (gas 90,292)')
    expect(priced).toContain('title="0.0000909962776 ETH"')
    expect(cost(unpriced), 'no price in the receipt: no fee, never a wrong one').toBe('gas 90,292')
    expect(unpriced).not.toContain('fee')
    expect(cost(approved), 'an approval and the deposit, both paid').toBe('fee 0.00015 ETH for 2 transactions (gas 136,102)')
    expect(notMined).not.toContain('gas')
    expect(list([{ ...mined, id: 1, label: 'Withdraw', cost: { gasUsed: 21_000n, fee: 21_000n, transactions: 1 } }])[0], 'a fee of 21,000 wei').toContain('fee 0.000000000000021 ETH (gas 21,000)')
  })

  it('a call whose goal was reached first reads "not needed", in plain text, never as a failure', () => {
    const [li] = list([{ ...base, id: 1, label: 'Close channel', status: 'unneeded', reason: 'Not needed: the channel was closed on the contract already.', code: 'ALREADY_FINALIZED' }])
    expect(li).toMatch(/<span class="pill muted">not needed<\/span> Close channel/)
    expect(li).toMatch(/<div class="muted" [^>]*data-code="ALREADY_FINALIZED">Not needed: the channel was closed/)
    expect(li).not.toContain('class="error"')
  })
})

describe('AccountPanel: two accounts', () => {
  const keys = keyPairFromSecret('42'.repeat(32))
  const VAULT = evmKeyOf(keys.secretKey).address
  const BROWSER = 'b0'.repeat(20)
  const PEER = 'cc'.repeat(20)
  const record = (channelId: string, label: string, mine: string) => ({ channelId, label, me: 'A', params: { evmA: mine, evmB: PEER } }) as unknown as ChannelRecord
  const state = (balanceA: number) => ({ balanceA: usdc(balanceA), balanceB: 0n, positions: [] }) as unknown as ChannelState
  const open = { status: 'open' as const, lockedPositions: null, lockedCount: 0, paidOut: [] }
  afterEach(() => {
    held.clear()
    delete (globalThis as { ethereum?: unknown }).ethereum
  })

  it('after a switch to the browser wallet, counts in the total only the channels paid to it, and says how many (and how much) belong to the identity\'s account', () => {
    held.set('c1', { counterparty: 'Desk A', me: 'A', state: state(40_000), chain: open })
    held.set('c2', { counterparty: 'Desk B', me: 'A', state: state(7_000), chain: open })
    held.set('c3', { counterparty: 'Desk C', me: 'A', state: state(2_500), chain: open })
    const html = panel({ address: BROWSER, kind: 'injected', token: usdc(1_000), free: usdc(2_000) }, [record('c1', 'Desk A', VAULT), record('c2', 'Desk B', BROWSER), record('c3', 'Desk C', VAULT)], 0, keys)
    expect(byTestId(html, 'channels-balance')?.exact, 'only Desk B is paid to the browser wallet').toBe(usdc(7_000).toString())
    expect(byTestId(html, 'holdings-total')?.exact).toBe(usdc(10_000).toString())
    expect(byTestId(html, 'other-account-channels')?.text).toBe(
      `Not counted above: 2 channels tied to your other account 0x${VAULT.slice(0, 6)}…${VAULT.slice(-4)} (from your identity), 42,500.00 USDC on your side by the latest co-signed state. When they close, your side is paid to that account, not to the one shown here.`,
    )
  })

  it('with every channel on the account shown, says nothing of another account', () => {
    held.set('c1', { counterparty: 'Desk A', me: 'A', state: state(40_000), chain: open })
    const html = panel({ address: VAULT, token: usdc(1_000), free: usdc(2_000) }, [record('c1', 'Desk A', VAULT)], 0, keys)
    expect(byTestId(html, 'channels-balance')?.exact).toBe(usdc(40_000).toString())
    expect(byTestId(html, 'other-account-channels')).toBeNull()
  })

  it('offers the browser wallet without switching: the confirmation comes first', () => {
    ;(globalThis as { ethereum?: unknown }).ethereum = { request: async () => [] }
    const html = panel({ address: VAULT }, [], 0, keys)
    expect(html).toContain('>Use my browser wallet instead</button>')
    expect(byTestId(html, 'switch-account')).toBeNull()
    expect(panel({ address: BROWSER, kind: 'injected' }, [], 0, keys), 'and the way back').toContain('>Use the account from my identity instead</button>')
  })

  it('says before switching what changes, what the account shown keeps, and each channel tied to it', () => {
    const wallet: WalletView = { address: VAULT, kind: 'vault', token: usdc(5_000), free: usdc(100_000), gas: 1n, gasPrice: null }
    const confirm = (tied: readonly Pick<ChannelRecord, 'channelId' | 'label'>[]) =>
      renderToStaticMarkup(<SwitchAccountConfirm wallet={wallet} to="injected" tied={tied} onConfirm={() => {}} onCancel={() => {}} />).replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').trim()
    const text = confirm([{ channelId: 'c1', label: 'Desk A' }, { channelId: 'c3', label: 'Desk C' }])
    expect(text).toBe(
      'Switch to your browser wallet? This panel then shows that account (its USDC in wallet, its free balance in the settlement contract, its gas), and it signs your deposits, withdrawals, opens and closes. ' +
        `The account shown now, 0x${VAULT.slice(0, 6)}…${VAULT.slice(-4)} (from your identity), keeps what it holds (5,000.00 USDC in wallet and 100,000.00 USDC free in the settlement contract), no longer shown or counted here. ` +
        '2 channels are tied to it: when they close, your side is paid to it, not to your browser wallet: your channel with Desk A your channel with Desk C Switch to my browser wallet Keep this account',
    )
    expect(confirm([])).toContain('None of your channels is tied to it.')
  })
})

describe('AccountPanel: the browser wallet chosen on an earlier visit', () => {
  const keys = keyPairFromSecret('42'.repeat(32))
  const VAULT = evmKeyOf(keys.secretKey).address
  const CHOSEN = 'b0'.repeat(20)
  const short = (a: string) => `0x${a.slice(0, 6)}…${a.slice(-4)}`
  const text = (html: string, testId: string) => byTestId(html, testId)?.text.replace(/\s+/g, ' ').trim() ?? null
  /** A notice's text, a space after each paragraph and button, tags dropped. */
  const block = (html: string, testId = 'wallet-not-connected') =>
    new RegExp(`<div[^>]*data-testid="${testId}"[^>]*>(.*?)</div>(</div>)?`).exec(html)?.[1]?.replace(/<\/(p|button)>/g, ' ').replace(/<[^>]+>/g, '').replace(/\s+/g, ' ').trim() ?? null

  it('while it is asked: says so, shows no account and offers nothing to sign with', () => {
    const html = panel(null, [], 0, keys, { address: CHOSEN, reason: null })
    expect(text(html, 'wallet-not-connected')).toBe(`Connecting your browser wallet (${short(CHOSEN)}), which you chose on an earlier visit…`)
    expect(byTestId(html, 'evm-address'), 'no account is connected').toBeNull()
    expect(html).not.toContain('Use my browser wallet instead')
  })

  it('not connected: says which account was chosen and why, that nothing is signed, and offers to connect it or use the app\'s key', () => {
    const html = panel(null, [], 0, keys, { address: CHOSEN, reason: 'The wallet gives this site no account: it is locked, or this site is not connected to it. Connect the browser wallet (it asks you to approve), or use the app\'s key.' })
    expect(block(html)).toBe(
      `Your browser wallet is not connected. You chose it on an earlier visit (account ${short(CHOSEN)}); nothing is signed until you connect it or use the app&#x27;s key. ` +
        'The wallet gives this site no account: it is locked, or this site is not connected to it. Connect the browser wallet (it asks you to approve), or use the app&#x27;s key. ' +
        `The app&#x27;s key is another account (${short(VAULT)}, from your identity): a channel pays out to the account it was opened with. Connect browser wallet Use the app&#x27;s key`,
    )
    expect(html).toContain('role="alert" data-testid="wallet-not-connected"')
    expect(byTestId(html, 'evm-address'), 'the app\'s key is not connected in its place').toBeNull()
    expect(text(html, 'account-balance'), 'no balance: no account').toBe('—')
  })

  it('a kept choice that could not be read: neither account is taken, both offered', () => {
    const html = panel(null, [], 0, keys, { address: null, reason: 'The account you chose on an earlier visit could not be read back from this browser\'s storage (account choice: not JSON).' })
    expect(block(html)).toMatch(/^Which account signs for you is not known: your choice from an earlier visit could not be read back\. Nothing is signed until you connect your browser wallet or use the app&#x27;s key\. The account you chose/)
    expect(html).toContain('>Connect browser wallet</button>')
    expect(html).toContain('>Use the app&#x27;s key</button>')
  })

  it('the wallet gives another account than the one chosen: says both, and what stays with the one chosen', () => {
    const NOW = 'c1'.repeat(20)
    const html = panel({ address: NOW, kind: 'injected', chosenBefore: CHOSEN }, [], 0, keys)
    expect(block(html), 'connected: no not-connected notice').toBeNull()
    expect(block(html, 'wallet-account-changed')).toBe(
      `Your browser wallet now gives account ${short(NOW)}, not ${short(CHOSEN)}, the one you chose on an earlier visit. This panel shows ${short(NOW)} and it signs; channels opened with ${short(CHOSEN)} still pay out to it. To go on with ${short(CHOSEN)}, switch accounts in your wallet and reload. Use ${short(NOW)} from now on`,
    )
    expect(byTestId(panel({ address: NOW, kind: 'injected' }, [], 0, keys), 'wallet-account-changed'), 'the account chosen: nothing said').toBeNull()
  })

  it('says when the choice could not be kept in this browser', () => {
    expect(text(panel({ address: CHOSEN, kind: 'injected', choiceNotKept: true }, [], 0, keys), 'choice-not-kept')).toContain('after a reload the app&#x27;s key, the account from your identity, signs again until you switch')
    expect(byTestId(panel({ address: CHOSEN, kind: 'injected' }, [], 0, keys), 'choice-not-kept')).toBeNull()
  })
})
