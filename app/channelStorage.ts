// A small value kept in localStorage per profile and channel (`otc-<name>-<profile>-<channel id>`),
// parsed back through its schema on every read. Display and caution only: nothing kept here is
// trusted or signed, a damaged record reads as none, and a full or missing storage keeps nothing
// and throws nothing.
import type { z } from '../core/zod.ts'
import { tryParse, type Hex } from '../core/index.ts'
import { config } from './config.ts'

export interface ChannelStorage<T> {
  /** The value kept for the channel, or null: none kept, no storage, or a damaged record. */
  load(channelId: Hex): T | null
  save(channelId: Hex, value: T): void
}

export function channelStorage<S extends z.core.$ZodType>(name: string, schema: S): ChannelStorage<z.output<S>> {
  const keyOf = (channelId: Hex) => `otc-${name}-${config.profile}-${channelId}`
  return {
    load(channelId) {
      try {
        const raw = globalThis.localStorage?.getItem(keyOf(channelId))
        if (!raw) return null
        const r = tryParse(schema, JSON.parse(raw), name)
        return r.ok ? r.value : null
      } catch {
        return null
      }
    },
    save(channelId, value) {
      try {
        globalThis.localStorage?.setItem(keyOf(channelId), JSON.stringify(value))
      } catch {
        // a full or denied storage: the next visit has no record, as before it was kept
      }
    },
  }
}
