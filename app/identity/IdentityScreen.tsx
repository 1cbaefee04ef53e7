// The first screen: create a key protected by a passphrase, unlock it, or restore a backup.
import { useMemo, useState, type FormEvent } from 'react'
import { fingerprint } from '../../core/index.ts'
import { FailureText } from '../FailureText.tsx'
import { MIN_PASSPHRASE, passphraseProblem } from './passphraseStrength.ts'
import { config } from '../config.ts'
import { downloadText } from '../download.ts'
import { jsonText } from '../unread.ts'
import type { Identity } from './useIdentity.ts'

export function IdentityScreen({ identity }: { identity: Identity }) {
  const { state } = identity
  const [mode, setMode] = useState<'main' | 'import'>('main')
  if (state.status === 'loading') return <p className="muted">Opening your key vault…</p>
  return (
    <section className="card narrow" aria-labelledby="identity-title">
      <h2 id="identity-title">Your identity</h2>
      {state.status === 'unavailable' && (
        <>
          <p role="alert" className="error">This browser's key storage could not be read: <FailureText failure={state.reason} />. Your key may be intact, so nothing is written over it unless you say so below.</p>
          <button type="button" onClick={() => location.reload()}>Reload to try again</button>
        </>
      )}
      {state.status === 'damaged' && (
        <div role="alert" className="error" data-testid="vault-unreadable">
          <p>
            The stored key vault could not be read: <FailureText failure={state.reason} />.{' '}
            {state.keptAs !== null
              ? <>It is kept unchanged in this browser (IndexedDB <code>otc-identity-{config.profile}</code>, <code>{state.keptAs}</code>), and stays there whatever you do next.</>
              : <>It could not be kept aside: a new or restored key would replace it, so save a copy first.</>}{' '}
            Restore your key from its backup below; a new key cannot reach the old key's channels or collateral.
          </p>
          <button type="button" className="link" onClick={() => downloadText('otc-unreadable-vault.json', jsonText(state.raw), 'application/json')}>Save a copy of the unreadable vault</button>
        </div>
      )}
      {mode === 'import' ? (
        <ImportForm identity={identity} onCancel={() => setMode('main')} />
      ) : state.status === 'locked' ? (
        <UnlockForm identity={identity} publicKey={state.vault.publicKey} why={state.why} />
      ) : (
        <CreateForm identity={identity} />
      )}
      {mode === 'main' && (
        <p>
          <button type="button" className="link" onClick={() => setMode('import')}>
            Restore from a backup instead
          </button>
        </p>
      )}
      {identity.error && <p role="alert" className="error"><FailureText failure={identity.error} /></p>}
    </section>
  )
}

/**
 * The agreement to write over what may still hold a key (useIdentity.ts assertWritable): an
 * unreadable vault that could not be kept aside, or storage that could not be read. Null when none is needed.
 */
function ReplaceUnreadable({ identity, checked, onChange }: { identity: Identity; checked: boolean; onChange: (v: boolean) => void }) {
  const { state } = identity
  const text =
    state.status === 'unavailable' ? 'Write over the key storage (a key it may hold is lost unless you have its backup)'
    : state.status === 'damaged' && state.keptAs === null ? 'Replace the unreadable vault (I saved a copy, or need it no more)'
    : null
  if (text === null) return null
  return (
    <label className="row">
      <input type="checkbox" checked={checked} onChange={(e) => onChange(e.target.checked)} />
      {text}
    </label>
  )
}

function CreateForm({ identity }: { identity: Identity }) {
  const [replace, setReplace] = useState(false)
  const [pass, setPass] = useState('')
  const [again, setAgain] = useState('')
  const [tried, setTried] = useState(false)
  const mismatch = again.length > 0 && pass !== again
  const problem = useMemo(() => passphraseProblem(pass), [pass])
  // Said as soon as something is typed (or on submit), never only by a greyed-out button.
  const shown = pass.length > 0 || tried ? problem : null
  const submit = (e: FormEvent) => {
    e.preventDefault()
    setTried(true)
    // create() checks the strength again, for any caller.
    if (problem === null && pass === again) void identity.create(pass, replace)
  }
  return (
    <form onSubmit={submit} aria-label="Create identity">
      <p className="muted">
        A new ed25519 key is generated in this browser and stored encrypted under your passphrase (scrypt + secretbox).
        Nobody else ever sees it; keep the backup you can export afterwards. Choose a passphrase that is hard to guess:
        four or five uncommon words are strong and easy to remember.
      </p>
      <label>
        Passphrase (at least 8 characters)
        <input type="password" autoComplete="new-password" value={pass} onChange={(e) => setPass(e.target.value)} autoFocus
          aria-invalid={shown ? true : undefined} aria-describedby={shown ? 'pass-problem' : undefined} />
      </label>
      {shown && <p className="error" id="pass-problem" role="status">{shown}</p>}
      <label>
        Repeat passphrase
        <input type="password" autoComplete="new-password" value={again} onChange={(e) => setAgain(e.target.value)} aria-invalid={mismatch} />
      </label>
      {mismatch && <p className="error" role="status">The passphrases differ.</p>}
      {tried && !mismatch && again.length === 0 && pass.length >= MIN_PASSPHRASE && <p className="error" role="status">Repeat the passphrase.</p>}
      <ReplaceUnreadable identity={identity} checked={replace} onChange={setReplace} />
      <button type="submit" disabled={identity.busy}>
        {identity.busy ? 'Encrypting…' : 'Create identity'}
      </button>
    </form>
  )
}

function UnlockForm({ identity, publicKey, why }: { identity: Identity; publicKey: string; why?: string | undefined }) {
  const [pass, setPass] = useState('')
  const [missing, setMissing] = useState<string | null>(null)
  return (
    <form
      aria-label="Unlock identity"
      onSubmit={(e) => {
        e.preventDefault()
        // Said in words, never only by a greyed-out button.
        if (pass.length === 0) return setMissing('Enter the passphrase you chose when you created this key.')
        setMissing(null)
        void identity.unlock(pass)
      }}
    >
      <p>
        Key <span className="mono" data-testid="locked-fingerprint">{fingerprint(publicKey)}</span> is locked.
      </p>
      {why && <p className="muted" data-testid="locked-why">{why}</p>}
      <label>
        Passphrase
        <input type="password" autoComplete="current-password" value={pass} onChange={(e) => setPass(e.target.value)} autoFocus />
      </label>
      {missing && <p className="error" role="status">{missing}</p>}
      <button type="submit" disabled={identity.busy}>
        {identity.busy ? 'Unlocking…' : 'Unlock'}
      </button>
    </form>
  )
}

function ImportForm({ identity, onCancel }: { identity: Identity; onCancel: () => void }) {
  const [text, setText] = useState('')
  const [pass, setPass] = useState('')
  const [missing, setMissing] = useState<string | null>(null)
  const [replace, setReplace] = useState(false)
  const stored = identity.state.status === 'locked' || identity.state.status === 'unlocked' ? identity.state.vault.publicKey : null
  return (
    <form
      aria-label="Restore identity"
      onSubmit={(e) => {
        e.preventDefault()
        if (!text.trim()) return setMissing('Paste the backup text first (it starts with otc-vault-v1:).')
        if (!pass) return setMissing('Enter the passphrase the backup was made with.')
        setMissing(null)
        void identity.importBackup(text, pass, replace)
      }}
    >
      <label>
        Backup text (starts with otc-vault-v1:)
        <textarea rows={4} value={text} onChange={(e) => setText(e.target.value)} spellCheck={false} autoFocus />
      </label>
      <label>
        Passphrase of the backup
        <input type="password" autoComplete="current-password" value={pass} onChange={(e) => setPass(e.target.value)} />
      </label>
      {stored && (
        <label className="row">
          <input type="checkbox" checked={replace} onChange={(e) => setReplace(e.target.checked)} />
          Replace the key stored here ({fingerprint(stored)}) if the backup holds another one
        </label>
      )}
      <ReplaceUnreadable identity={identity} checked={replace} onChange={setReplace} />
      {missing && <p className="error" role="status">{missing}</p>}
      <div className="row">
        <button type="submit" disabled={identity.busy}>
          {identity.busy ? 'Restoring…' : 'Restore'}
        </button>
        <button type="button" className="secondary" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  )
}
