// The toolchain end to end: solc (wasm) compiles, anvil runs, viem deploys, writes and reads.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startAnvil, type Anvil } from './anvil.ts'
import { compileSources, SolidityCompileError } from './solc.ts'

const COUNTER = `// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;
contract Counter {
  uint256 public count;
  event Bumped(uint256 by, uint256 count);
  function bump(uint256 by) external { count += by; emit Bumped(by, count); }
}
`

describe('solc + anvil + viem', () => {
  let chain: Anvil
  beforeAll(async () => {
    chain = await startAnvil()
  })
  afterAll(async () => {
    await chain?.stop()
  })

  it('deploys a compiled contract, sends a transaction and reads the result', async () => {
    const { Counter } = compileSources({ 'Counter.sol': COUNTER })
    expect(Counter).toBeDefined()
    expect(chain.chainId).toBe(31337)
    const wallet = chain.walletClient(0)
    const hash = await wallet.deployContract({ abi: Counter!.abi, bytecode: Counter!.bytecode })
    const { contractAddress, status } = await chain.publicClient.waitForTransactionReceipt({ hash })
    expect(status).toBe('success')
    const address = contractAddress!
    expect(await chain.publicClient.getCode({ address })).toBe(Counter!.deployedBytecode)

    const tx = await wallet.writeContract({ address, abi: Counter!.abi, functionName: 'bump', args: [5n] })
    expect((await chain.publicClient.waitForTransactionReceipt({ hash: tx })).status).toBe('success')
    expect(await chain.publicClient.readContract({ address, abi: Counter!.abi, functionName: 'count' })).toBe(5n)
  })

  it('reports compiler errors with file:line', () => {
    const broken = 'pragma solidity 0.8.37;\ncontract C {\n  function f() external { undefinedThing(); }\n}\n'
    expect(() => compileSources({ 'Broken.sol': broken }, { quiet: true })).toThrow(SolidityCompileError)
    try {
      compileSources({ 'Broken.sol': broken }, { quiet: true })
    } catch (err) {
      expect((err as Error).message).toMatch(/Broken\.sol:3: error \(DeclarationError\)/)
    }
  })

  it('a crashed anvil surfaces its output when stopped', async () => {
    const other = await startAnvil()
    const errors: unknown[] = []
    const orig = console.error
    console.error = (...args: unknown[]) => errors.push(args.join(' '))
    try {
      process.kill(other.pid, 'SIGKILL')
      await expect.poll(() => errors.length).toBeGreaterThan(0)
      await expect(other.stop()).rejects.toThrow(/had crashed \(exit code none, signal SIGKILL\); its output:\n[\s\S]*Listening on 127\.0\.0\.1/)
    } finally {
      console.error = orig
    }
    expect(String(errors[0])).toMatch(/exited unexpectedly/)
  })
})
