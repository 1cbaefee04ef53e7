// The adjudicator on an EVM chain, through viem: deploy, encode core's values for its calls, send
// them, and read a revert as the model's reason code. Browser-safe (no Node modules): the app and
// the desk will call the contract through this module; tests and the bench deploy with it.
import {
  BaseError,
  ContractFunctionRevertedError,
  decodeErrorResult,
  decodeFunctionData,
  encodeFunctionData,
  getAddress,
  type Abi,
  type Account,
  type Chain,
  type Hex as ViemHex,
  type PublicClient,
  type Transport,
  type WalletClient,
} from 'viem'
import {
  bytesToHex,
  decodeState,
  encode,
  encodePosition,
  hexToBytes,
  ParseError,
  stateBytes,
  type AddressHex,
  type ChannelParams,
  type ChannelState,
  type Hex,
  type Position,
  type SignedAttestation,
  type SignedState,
} from '../../core/index.ts'
import { authorizationDigest, type Deployment } from '../model/adjudicator.ts'
import { authorizationTypedData, packAuthorization, unpackAuthorization, type AuthorizationHex, type AuthorizationTerms } from '../../core/evm-auth.ts'

export type ChainAddress = `0x${string}`

/** The ABIs the client needs (from the compiled artifacts, so they never drift from the source). */
export interface AdjudicatorAbis {
  readonly adjudicator: Abi
  readonly token: Abi
}

export interface AdjudicatorDeployment extends Deployment {
  readonly token: AddressHex
  readonly verifier: AddressHex
}

export const toChainAddress = (a: AddressHex): ChainAddress => getAddress(`0x${a}`)
export const fromChainAddress = (a: string): AddressHex => {
  if (!/^0x[0-9a-fA-F]{40}$/.test(a)) throw new RangeError(`not an EVM address: ${a}`)
  return a.slice(2).toLowerCase()
}
const hex = (h: Hex): ViemHex => `0x${h}`

// ---- core values as the contract's arguments ----

/** core's ChannelParams as the contract's `Params` tuple. */
export function paramsArg(p: ChannelParams) {
  return {
    contractId: hex(p.contractId),
    chainId: BigInt(p.chainId),
    contractAddress: toChainAddress(p.contract),
    partyA: hex(p.partyA),
    partyB: hex(p.partyB),
    evmA: toChainAddress(p.evmA),
    evmB: toChainAddress(p.evmB),
    nonce: hex(p.nonce),
    challengePeriod: BigInt(p.challengePeriod),
    asset: p.asset,
    assetDecimals: p.assetDecimals,
    oracle: hex(p.oracle),
  }
}

/** A state as the contract reads it: core's canonical bytes. */
export const stateArg = (s: ChannelState): ViemHex => hex(bytesToHex(stateBytes(s)))
export const positionArg = (p: Position): ViemHex => hex(bytesToHex(encode((w) => encodePosition(w, p))))
/** A missing signature is empty bytes (the contract answers NOT_FULLY_SIGNED). */
export const sigArg = (sig: Hex | null): ViemHex => (sig === null ? '0x' : hex(sig))

export function attestationArg(a: SignedAttestation) {
  const x = a.attestation
  return { oracle: hex(x.oracle), feed: x.feed, instant: BigInt(x.instant), price: x.price, decimals: x.decimals }
}

// ---- calls ----

/** One adjudicator call, named as in the contract, with core's values. */
export type AdjudicatorCall =
  | { readonly fn: 'deposit' | 'withdraw'; readonly amount: bigint }
  | { readonly fn: 'open' | 'close'; readonly params: ChannelParams; readonly state: ChannelState; readonly otherAuth: Hex | null }
  | { readonly fn: 'dispute' | 'refute'; readonly params: ChannelParams; readonly signed: SignedState }
  | { readonly fn: 'finalize'; readonly params: ChannelParams; readonly state: ChannelState }
  | { readonly fn: 'settlePosition'; readonly params: ChannelParams; readonly position: Position; readonly attestation: SignedAttestation }
  | { readonly fn: 'refundPosition'; readonly params: ChannelParams; readonly position: Position }

/** The calldata of `call`. */
export function encodeCall(abi: Abi, call: AdjudicatorCall): ViemHex {
  switch (call.fn) {
    case 'deposit':
    case 'withdraw':
      return encodeFunctionData({ abi, functionName: call.fn, args: [call.amount] })
    case 'open': {
      // The packed authorisation (core/evm-auth.ts) is the signature and its notAfter; one not of
      // that form goes as it is, with notAfter 0, and the contract refuses its signature.
      const auth = call.otherAuth === null ? null : unpackAuthorization('open', call.otherAuth)
      const notAfter = auth?.terms.kind === 'open' ? auth.terms.notAfter : 0
      return encodeFunctionData({ abi, functionName: 'open', args: [paramsArg(call.params), stateArg(call.state), sigArg(auth?.sig ?? call.otherAuth), BigInt(notAfter)] })
    }
    case 'close':
      return encodeFunctionData({ abi, functionName: 'close', args: [paramsArg(call.params), stateArg(call.state), sigArg(call.otherAuth)] })
    case 'dispute':
    case 'refute':
      return encodeFunctionData({
        abi,
        functionName: call.fn,
        args: [paramsArg(call.params), stateArg(call.signed.state), sigArg(call.signed.sigA), sigArg(call.signed.sigB)],
      })
    case 'finalize':
      return encodeFunctionData({ abi, functionName: 'finalize', args: [paramsArg(call.params), stateArg(call.state)] })
    case 'settlePosition':
      return encodeFunctionData({
        abi,
        functionName: 'settlePosition',
        args: [paramsArg(call.params), positionArg(call.position), attestationArg(call.attestation), sigArg(call.attestation.signature)],
      })
    case 'refundPosition':
      return encodeFunctionData({ abi, functionName: 'refundPosition', args: [paramsArg(call.params), positionArg(call.position)] })
  }
}

/** What a dispute, refute or finalize call carried: the state (both signatures with the first two). */
export interface StateCall {
  readonly fn: 'dispute' | 'refute' | 'finalize'
  readonly state: ChannelState
  readonly sigA: Hex | null
  readonly sigB: Hex | null
}

/**
 * The inverse of encodeCall for the calls whose state the contract keeps only as a hash: the state
 * and signatures read back from a transaction's input. Shape only: trust it by comparing its hash
 * with the one the contract holds. A call of another function, or bytes that are no call of `abi`,
 * are refused with a ParseError naming the part.
 */
export function decodeStateCall(abi: Abi, data: ViemHex): StateCall {
  let call: { functionName: string; args: readonly unknown[] }
  try {
    call = decodeFunctionData({ abi, data }) as never
  } catch {
    throw new ParseError('calldata', 'not a call of the adjudicator (sent through another contract?)')
  }
  const fn = call.functionName
  if (fn !== 'dispute' && fn !== 'refute' && fn !== 'finalize') throw new ParseError('calldata', `a ${fn} call carries no channel state`)
  const bytesAt = (i: number): Uint8Array => {
    const v = call.args[i]
    if (typeof v !== 'string' || !/^0x([0-9a-fA-F]{2})*$/.test(v)) throw new ParseError(`calldata.args[${i}]`, 'expected bytes')
    return hexToBytes(v.slice(2).toLowerCase())
  }
  const sig = (i: number): Hex | null => (fn === 'finalize' || bytesAt(i).length === 0 ? null : bytesToHex(bytesAt(i)))
  return { fn, state: decodeState(bytesAt(1)), sigA: sig(2), sigB: sig(3) }
}

/** The custom error a revert carries, by name, with its arguments; `Panic`/`Error` for the built-in ones. */
export interface RevertReason {
  readonly name: string
  readonly args: readonly unknown[]
}

/** Decodes revert data against the ABIs that may have produced it (the adjudicator's, the token's). */
export function decodeRevert(data: ViemHex | undefined, abis: readonly Abi[]): RevertReason {
  if (data === undefined || data === '0x') return { name: 'EMPTY_REVERT', args: [] }
  for (const abi of abis) {
    try {
      const r = decodeErrorResult({ abi, data })
      return { name: r.errorName, args: r.args ?? [] }
    } catch {
      // not this ABI's error
    }
  }
  return { name: `UNKNOWN_ERROR(${data.slice(0, 10)})`, args: [] }
}

/** The revert a viem error carries (from a simulate/estimate), decoded; null if it is not a revert. */
export function revertOf(err: unknown, abis: readonly Abi[]): RevertReason | null {
  if (!(err instanceof BaseError)) return null
  const reverted = err.walk((e) => e instanceof ContractFunctionRevertedError)
  if (reverted instanceof ContractFunctionRevertedError) {
    if (reverted.data?.errorName) return { name: reverted.data.errorName, args: reverted.data.args ?? [] }
    return decodeRevert(reverted.raw, abis)
  }
  const withData = err.walk((e) => typeof (e as { data?: unknown }).data === 'string') as { data?: ViemHex } | null
  return withData?.data ? decodeRevert(withData.data, abis) : null
}

/** What a party signs (EIP-712) to let its counterparty open (until `terms.notAfter`), or cooperatively close, with `state`; as calls carry it. */
export async function signAuthorization(
  wallet: WalletClient<Transport, Chain, Account>,
  d: Pick<Deployment, 'chainId' | 'address'>,
  channelId: Hex,
  stateDigest: Hex,
  terms: AuthorizationTerms,
): Promise<AuthorizationHex> {
  const sig = await wallet.signTypedData(authorizationTypedData(d, channelId, stateDigest, terms))
  return packAuthorization(sig.slice(2).toLowerCase(), terms)
}

export { authorizationDigest }

// ---- deployment ----

export interface DeployArtifacts {
  readonly Adjudicator: { readonly abi: Abi; readonly bytecode: ViemHex }
  readonly Ed25519Verifier: { readonly abi: Abi; readonly bytecode: ViemHex }
  readonly TestUSDC: { readonly abi: Abi; readonly bytecode: ViemHex }
}

async function deploy(
  wallet: WalletClient<Transport, Chain, Account>,
  client: PublicClient<Transport, Chain>,
  art: { readonly abi: Abi; readonly bytecode: ViemHex },
  args: readonly unknown[],
  what: string,
): Promise<AddressHex> {
  const hash = await wallet.deployContract({ abi: art.abi, bytecode: art.bytecode, args, account: wallet.account, chain: wallet.chain })
  const receipt = await client.waitForTransactionReceipt({ hash })
  if (receipt.status !== 'success' || !receipt.contractAddress) throw new Error(`deploying ${what} failed (tx ${hash})`)
  return fromChainAddress(receipt.contractAddress)
}

/**
 * Deploys the ed25519 verifier, the adjudicator and (unless `token` is given) the dev token
 * Test USDC. `asset`/`assetDecimals` are what channel params must name (the token's symbol and decimals).
 */
export async function deployAdjudicator(
  wallet: WalletClient<Transport, Chain, Account>,
  client: PublicClient<Transport, Chain>,
  artifacts: DeployArtifacts,
  opts: { token?: AddressHex; asset?: string; assetDecimals?: number } = {},
): Promise<AdjudicatorDeployment> {
  const token = opts.token ?? (await deploy(wallet, client, artifacts.TestUSDC, [], 'TestUSDC'))
  const verifier = await deploy(wallet, client, artifacts.Ed25519Verifier, [], 'Ed25519Verifier')
  const asset = opts.asset ?? 'USDC'
  const assetDecimals = opts.assetDecimals ?? 6
  const address = await deploy(wallet, client, artifacts.Adjudicator, [toChainAddress(token), asset, assetDecimals, toChainAddress(verifier)], 'Adjudicator')
  return { chainId: await client.getChainId(), address, token, verifier, asset, assetDecimals }
}
