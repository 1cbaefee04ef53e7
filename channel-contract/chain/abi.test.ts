import { readFileSync } from 'node:fs'
import { expect, it } from 'vitest'
import { ABI_FILE, renderAbiModule } from './abi-gen.ts'

it('channel-contract/client/abi.ts matches the compiled contracts (regenerate: npx tsx channel-contract/chain/abi-gen.ts)', () => {
  expect(readFileSync(ABI_FILE, 'utf8')).toBe(renderAbiModule())
})
