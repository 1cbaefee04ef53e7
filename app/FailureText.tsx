// An error on screen: its sentence, the code in the tooltip and in `data-code` (failure.ts).
import type { ReactNode } from 'react'
import { failureTitle, type Failure } from './failure.ts'

export function FailureText({ failure, prefix }: { failure: Failure; prefix?: ReactNode }) {
  return (
    <span title={failureTitle(failure)} data-code={failure.code ?? undefined}>
      {prefix}
      {failure.text}
    </span>
  )
}
