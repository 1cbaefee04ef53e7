import type { KeyPair } from '../core/index.ts'

/** Everything a trader does once unlocked. */
export function Workspace({ keys }: { keys: KeyPair }) {
  return (
    <section className="card" aria-label="Workspace">
      <p className="muted">Signed in as {keys.publicKey.slice(0, 16)}…</p>
    </section>
  )
}
