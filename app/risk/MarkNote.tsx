// How an expired position is marked, beside its mark: at the oracle's fixing, or provisional (its
// intrinsic value at spot) until the oracle attests. One wording for the positions table and the
// Book's risk by expiry (core/pricing fixing.ts decides the mark).
import type { MarkBasis } from '../../core/pricing/index.ts'
import { formatFixing } from './format.ts'

export function MarkNote({ mark, testId }: { mark: MarkBasis | null | undefined; testId?: string }) {
  if (mark?.kind === 'fixing') return <span className="muted small" data-testid={testId}> fixing {formatFixing(mark.fixing.price, mark.fixing.decimals)}</span>
  if (mark?.kind === 'provisional') {
    return <span className="warn small" data-testid={testId} title="Expired: it settles at the oracle's fixing, not yet known here; until then this is its intrinsic value at spot."> provisional, fixing not known yet</span>
  }
  return null
}
