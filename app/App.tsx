import { useState } from 'react'
import { fingerprint, generateKeyPair } from '../core/index.ts'

/** First screen: a freshly generated identity, proving the app -> core build path. */
export function App() {
  const [keys, setKeys] = useState(() => generateKeyPair())
  return (
    <main className="shell">
      <header>
        <h1>OTC Channels</h1>
        <p className="muted">Bilateral state channels for crypto options</p>
      </header>
      <section aria-labelledby="identity-title" className="card">
        <h2 id="identity-title">Your identity</h2>
        <dl>
          <dt>Fingerprint</dt>
          <dd data-testid="fingerprint" className="mono">{fingerprint(keys.publicKey)}</dd>
          <dt>Public key</dt>
          <dd data-testid="public-key" className="mono">{keys.publicKey}</dd>
        </dl>
        <button type="button" onClick={() => setKeys(generateKeyPair())}>New key</button>
      </section>
    </main>
  )
}
