import { IdentityScreen } from './identity/IdentityScreen.tsx'
import { IdentityBadge } from './identity/IdentityBadge.tsx'
import { useIdentity } from './identity/useIdentity.ts'
import { Workspace } from './Workspace.tsx'

export function App() {
  const identity = useIdentity()
  const unlocked = identity.state.status === 'unlocked' ? identity.state.keys : null
  return (
    <div className="shell">
      <header className="topbar">
        <h1>OTC Channels</h1>
        {unlocked && <IdentityBadge identity={identity} publicKey={unlocked.publicKey} />}
      </header>
      <main>{unlocked ? <Workspace keys={unlocked} /> : <IdentityScreen identity={identity} />}</main>
    </div>
  )
}
