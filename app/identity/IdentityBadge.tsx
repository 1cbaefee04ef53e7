// The unlocked identity in the header: fingerprint to compare out of band, backup export, lock.
import { useState } from 'react'
import { fingerprint } from '../../core/index.ts'
import type { Identity } from './useIdentity.ts'

export function IdentityBadge({ identity, publicKey }: { identity: Identity; publicKey: string }) {
  const [backup, setBackup] = useState<string | null>(null)
  return (
    <div className="identity-badge">
      <span className="muted">You</span>{' '}
      <span className="mono" data-testid="fingerprint" title={publicKey}>
        {fingerprint(publicKey)}
      </span>
      <button type="button" className="secondary small" onClick={() => setBackup(backup ? null : identity.exportBackup())}>
        {backup ? 'Hide backup' : 'Export backup'}
      </button>
      <button type="button" className="secondary small" onClick={identity.lock}>
        Lock
      </button>
      {backup && (
        <div className="popover" role="dialog" aria-label="Key backup">
          <p className="muted">Encrypted under your passphrase. Store it somewhere safe; it restores this identity in any browser.</p>
          <textarea readOnly rows={4} value={backup} data-testid="backup-text" onFocus={(e) => e.currentTarget.select()} />
        </div>
      )}
    </div>
  )
}
