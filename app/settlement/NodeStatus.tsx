// Health of the settlement node, always visible.
import { useSettlement } from './useSettlement.ts'
import { BrowserNotificationsSwitch } from '../notify/Notifications.tsx'

export function NodeStatus() {
  const { snap } = useSettlement()
  const state = snap.healthy === null ? 'warn' : snap.healthy ? 'good' : 'bad'
  return (
    <div className="statusbar" role="status" aria-label="Service status">
      <span className={`pill ${state}`} data-testid="node-status">
        Settlement node {snap.healthy === null ? 'connecting…' : snap.healthy ? `ok · block ${snap.height ?? snap.info?.height ?? '?'}` : 'unreachable'}
      </span>
      {snap.info?.dev && <span className="pill warn">dev node: faucet, oracle, adjustable clock</span>}
      {snap.nodeNow !== null && <span className="muted small">node time {new Date(snap.nodeNow).toISOString().slice(0, 16).replace('T', ' ')} UTC</span>}
      {snap.healthError && <span className="error small">{snap.healthError}</span>}
      <BrowserNotificationsSwitch />
    </div>
  )
}
