// The desk's collateral on the contract: its EVM account's free balance in the adjudicator must
// cover its deposit before it accepts an invite and before it opens a channel (open moves both
// free balances into the channel at once).
//   dev chain (anvil, checked when asked): mints Test USDC and gas for itself, then deposits, up to
//             a floor of FUND_FLOOR so that most invites need no transaction at all;
//   any other chain: deposits from the tokens its wallet holds, never more than the deposit asked;
//             with too little, the invite is refused (DESK_UNFUNDED), naming the address to fund.
import { formatUnits } from '../core/index.ts'
import type { ChainClient } from '../channel-contract/client/chain.ts'
import type { DeskAsset } from './chainMarket.ts'
import { DemoError, describeError } from './errors.ts'

/** On the dev chain the desk keeps at least this many whole tokens free in the contract. */
export const FUND_FLOOR_UNITS = 1_000_000n
/** Below this much gas (wei) on the dev chain, the desk gives itself more. */
const DEV_GAS_FLOOR = 10n ** 18n

export class DeskFunds {
  private queue: Promise<unknown> = Promise.resolve()

  private constructor(
    private readonly chain: ChainClient,
    readonly dev: boolean,
    private readonly asset: DeskAsset,
    private readonly log: (line: string) => void,
  ) {}

  /** Asks the chain whether it is the dev chain, and on it funds the desk up to the floor (a failure is logged, not fatal). */
  static async start(chain: ChainClient, asset: DeskAsset, log: (line: string) => void): Promise<DeskFunds> {
    const funds = new DeskFunds(chain, await chain.isDevChain(), asset, log)
    const me = chain.account
    if (funds.dev) {
      await funds.ensure(funds.floor).catch((e) => log(`cannot fund the desk on the dev chain: ${describeError(e)}`))
    } else {
      const [free, wallet, gas] = await Promise.all([chain.freeBalance(me), chain.tokenBalance(me), chain.gasBalance(me)])
      log(`not the dev chain: no test funds. The desk's account 0x${me} holds ${funds.money(free)} free in the contract, ${funds.money(wallet)} in its wallet and ${formatUnits(gas, 18)} of gas; it accepts only the deposits these cover`)
    }
    return funds
  }

  get floor(): bigint {
    return FUND_FLOOR_UNITS * 10n ** BigInt(this.asset.decimals)
  }

  money(v: bigint): string {
    return `${formatUnits(v, this.asset.decimals, { group: true })} ${this.asset.symbol}`
  }

  /** The desk's free balance in the contract (not in any channel). */
  free(): Promise<bigint> {
    return this.chain.freeBalance(this.chain.account)
  }

  /** Makes sure the desk's free balance in the contract is at least `amount` (calls are serialised). */
  ensure(amount: bigint): Promise<void> {
    const run = this.queue.catch(() => undefined).then(() => this.fund(amount))
    this.queue = run
    return run
  }

  /** What transactions running under `spend` are about to take out of the free balance. */
  private reserved = 0n

  /**
   * Runs `tx` (an open: it moves `amount` out of the free balance) once the free balance covers
   * `amount` on top of what the transactions still running under `spend` will take. Opens of
   * several channels at once each find their deposit: checked one by one, two opens could both
   * see one deposit's worth free, and the second would be refused on chain (INSUFFICIENT_FUNDS).
   */
  async spend<T>(amount: bigint, tx: () => Promise<T>): Promise<T> {
    const funded = this.queue.catch(() => undefined).then(async () => {
      await this.fund(this.reserved + amount)
      this.reserved += amount
    })
    this.queue = funded
    await funded
    try {
      return await tx()
    } finally {
      this.reserved -= amount
    }
  }

  private async fund(amount: bigint): Promise<void> {
    const me = this.chain.account
    if (this.dev && (await this.chain.gasBalance(me)) < DEV_GAS_FLOOR) {
      await this.chain.getTestFunds(this.floor)
      this.log(`test funds: minted ${this.money(this.floor)} and gas to the desk's account 0x${me} (dev chain)`)
    }
    const free = await this.chain.freeBalance(me)
    if (free >= amount) return
    // Dev: up to the floor at once; elsewhere exactly what is missing.
    const target = this.dev && amount < this.floor ? this.floor : amount
    const need = target - free
    const wallet = await this.chain.tokenBalance(me)
    if (wallet < need) {
      if (!this.dev) {
        throw new DemoError('DESK_UNFUNDED', `the desk's account 0x${me} has ${this.money(free)} free in the contract and ${this.money(wallet)} in its wallet; this needs ${this.money(amount)} free: send it ${this.money(need - wallet)} more`)
      }
      await this.chain.getTestFunds(need - wallet)
      this.log(`test funds: minted ${this.money(need - wallet)} to the desk's account 0x${me} (dev chain)`)
    }
    await this.chain.deposit(need)
    this.log(`deposited ${this.money(need)} into the contract: ${this.money(free + need)} free`)
  }
}

