import type { ReactNode } from 'react'
import { IdentityScreen } from './identity/IdentityScreen.tsx'
import { IdentityBadge } from './identity/IdentityBadge.tsx'
import { useIdentity } from './identity/useIdentity.ts'
import { useSingleTab, type TabState } from './singleTab.ts'
import { Workspace } from './Workspace.tsx'

export function App() {
  const tab = useSingleTab()
  return tab.state === 'mine' ? <RunningApp /> : <Shell><OtherTab state={tab.state} onTakeOver={tab.takeOver} /></Shell>
}

function RunningApp() {
  const identity = useIdentity()
  const unlocked = identity.state.status === 'unlocked' ? identity.state.keys : null
  return (
    <Shell badge={unlocked && <IdentityBadge identity={identity} publicKey={unlocked.publicKey} />}>
      {unlocked ? <Workspace keys={unlocked} /> : <IdentityScreen identity={identity} />}
    </Shell>
  )
}

function Shell({ badge, children }: { badge?: ReactNode; children: ReactNode }) {
  return (
    <div className="shell">
      <header className="topbar">
        <h1>OTC Channels</h1>
        {badge}
      </header>
      <main>{children}</main>
    </div>
  )
}

/** While another tab of this browser runs the app (singleTab.ts): why this one waits, and how to use it instead. */
function OtherTab({ state, onTakeOver }: { state: Exclude<TabState, 'mine'>; onTakeOver: () => void }) {
  if (state === 'checking') return null
  return (
    <section className="card narrow" aria-labelledby="other-tab-title" data-testid="other-tab">
      <h2 id="other-tab-title">{state === 'taken-over' ? 'This tab stopped' : 'Open in another tab'}</h2>
      <p>
        {state === 'taken-over'
          ? 'Another tab of this browser took over: it runs your channels now, and this one stopped so that only one signs for you.'
          : 'OTC Channels is already running in another tab of this browser. One tab at a time runs your channels, so that only one signs for you. This tab starts by itself when the other closes.'}
      </p>
      <button type="button" onClick={onTakeOver}>{state === 'taken-over' ? 'Use this tab again' : 'Use this tab instead'}</button>
    </section>
  )
}
