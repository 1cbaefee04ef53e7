// The unlocked identity in the header: fingerprint to compare out of band, backup export, lock and
// auto-lock (autoLock.ts).
import { useState } from 'react'
import { downloadText } from '../download.ts'
import { fingerprint } from '../../core/index.ts'
import type { Identity } from './useIdentity.ts'
import { AUTO_LOCK_MINUTES, useAutoLock } from './autoLock.ts'

export function IdentityBadge({ identity, publicKey }: { identity: Identity; publicKey: string }) {
  const [backup, setBackup] = useState<string | null>(null)
  const [autoLock, setAutoLock] = useAutoLock(identity.lock)
  return (
    <div className="identity-badge">
      <span className="muted">You</span>{' '}
      <span className="mono" data-testid="fingerprint" title={publicKey}>
        {fingerprint(publicKey)}
      </span>
      <button type="button" className="secondary small" onClick={() => setBackup(backup ? null : identity.exportBackup())}>
        {backup ? 'Hide backup' : 'Export backup'}
      </button>
      <button type="button" className="secondary small" onClick={() => identity.lock()}>
        Lock
      </button>
      <label className="small muted" title="While locked this page signs nothing: your counterparties' proposals wait until you unlock.">
        Auto-lock{' '}
        <select value={autoLock} onChange={(e) => setAutoLock(Number(e.target.value))}>
          {AUTO_LOCK_MINUTES.map((m) => <option key={m} value={m}>{m ? `after ${m} min idle` : 'off'}</option>)}
        </select>
      </label>
      {backup && <BackupPanel backup={backup} publicKey={publicKey} />}
    </div>
  )
}

/** The backup with what it restores, and two ways to keep it: the clipboard or a file. */
function BackupPanel({ backup, publicKey }: { backup: string; publicKey: string }) {
  const [copied, setCopied] = useState<string | null>(null)
  const copy = () => navigator.clipboard.writeText(backup).then(
    () => setCopied('Copied to the clipboard.'),
    () => setCopied('The browser did not allow copying: select the text and copy it by hand.'),
  )
  return (
    <div className="popover" role="dialog" aria-label="Key backup">
      <p>
        This backup restores <strong>your identity</strong> (the signing key {fingerprint(publicKey)}) in any browser, with your passphrase: it is encrypted
        under it. Your channels are not in it: after a restore they come back from the settlement contract and your counterparties' copies
        (“Channels to restore”).
      </p>
      <textarea readOnly rows={4} value={backup} data-testid="backup-text" aria-label="Backup text" onFocus={(e) => e.currentTarget.select()} />
      <div className="row">
        <button type="button" className="small" onClick={() => void copy()}>Copy</button>
        <button type="button" className="small secondary" onClick={() => downloadText(`otc-identity-${fingerprint(publicKey).slice(0, 5)}.txt`, backup, 'text/plain')}>Download</button>
        {copied && <span className="muted small" role="status">{copied}</span>}
      </div>
    </div>
  )
}
