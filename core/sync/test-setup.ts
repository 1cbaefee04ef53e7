// Unit-test setup: every ChannelSession checks its quiet-path decisions against the full engine
// (OTC_CHECK_QUIET=1, set in vitest.config.ts), and a test fails if any check found a difference.
import { afterEach, expect } from 'vitest'
import { quietPathMismatches } from './session.ts'

afterEach(() => {
  expect(quietPathMismatches(), 'quiet path (engine.fastCountersign) disagreed with the full engine').toEqual([])
})
