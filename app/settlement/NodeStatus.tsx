// Health of the chain and the deployment's services, always visible.
import { useSettlement } from './useSettlement.ts'
import { BrowserNotificationsSwitch } from '../notify/Notifications.tsx'

export function NodeStatus() {
  const { snap } = useSettlement()
  const state = snap.healthy === null ? 'warn' : snap.healthy ? 'good' : 'bad'
  return (
    <div className="statusbar" role="status" aria-label="Service status">
      <span className={`pill ${state}`} data-testid="node-status">
        Chain {snap.info?.chainId ?? ''} {snap.healthy === null ? 'connecting…' : snap.healthy ? `ok · block ${snap.height?.toString() ?? '?'}` : 'unreachable'}
      </span>
      {snap.info?.dev && <span className="pill warn">dev chain: test funds, movable clock</span>}
      {snap.info && !snap.info.oracle && <span className="pill bad">oracle service unreachable</span>}
      {snap.info && !snap.info.watchtower && <span className="pill warn">no watchtower</span>}
      {snap.chainNow !== null && <span className="muted small">chain time {new Date(snap.chainNow).toISOString().slice(0, 16).replace('T', ' ')} UTC</span>}
      {snap.healthError && <span className="error small">{snap.healthError}</span>}
      <BrowserNotificationsSwitch />
    </div>
  )
}
