// Health of the chain and the deployment's services, always visible.
import { useSettlement } from './useSettlement.ts'
import { useNodeClock } from './useNodeNow.ts'
import { formatUtc } from '../risk/format.ts'
import { BrowserNotificationsSwitch } from '../notify/Notifications.tsx'
import { chainLabel } from '../config.ts'

export function NodeStatus() {
  const { conn, snap } = useSettlement()
  // The chain's running clock, as every time on the screen is read (a quote's validity, a fill's
  // stamp): not the last block's time, which stands still between blocks (a dev chain mines only for
  // a transaction). Null until the chain's time is read.
  const { chainNow } = useNodeClock()
  const state = snap.healthy === null ? 'warn' : snap.healthy ? 'good' : 'bad'
  return (
    <div className="statusbar" role="status" aria-label="Service status">
      <span className={`pill ${state}`} data-testid="node-status">
        {/* The configured chain, named from the first render (the deployment's info is read later). */}
        {chainLabel(conn.cfg.chainId)}: {snap.healthy === null ? 'connecting…' : snap.healthy ? `ok · block ${snap.height?.toString() ?? '?'}` : 'unreachable'}
      </span>
      {snap.info?.dev && <span className="pill warn">dev chain: test funds, movable clock</span>}
      {snap.info && !snap.info.oracle && <span className="pill bad">oracle service unreachable</span>}
      {snap.info && !snap.info.watchtower && <span className="pill warn">no watchtower</span>}
      {chainNow !== null && <span className="muted small" data-testid="chain-time">chain time {formatUtc(chainNow)}</span>}
      {snap.healthError && <span className="error small">{snap.healthError}</span>}
      <BrowserNotificationsSwitch />
    </div>
  )
}
