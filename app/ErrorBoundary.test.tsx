// React runs an error boundary only in a client render (react-dom/server has none and there is no
// DOM here), so this checks the two steps React takes on a render error, as React calls them:
// getDerivedStateFromError gives the state, render shows that state; and "Try again" clears it.
import { renderToStaticMarkup } from 'react-dom/server'
import { describe, expect, it } from 'vitest'
import { ErrorBoundary, type ErrorBoundaryState } from './ErrorBoundary.tsx'

function boundary(what?: string) {
  const b = new ErrorBoundary({ children: <p>the tab</p>, ...(what ? { what } : {}) })
  // Outside React, setState is a no-op: apply it as React would.
  b.setState = (s) => { b.state = { ...b.state, ...(s as ErrorBoundaryState) } }
  return b
}

describe('ErrorBoundary', () => {
  it('renders its children while they render', () => {
    expect(renderToStaticMarkup(<ErrorBoundary what="This tab"><p>the tab</p></ErrorBoundary>)).toBe('<p>the tab</p>')
  })

  it("after a render error shows the error's message and Try again, and Try again renders the children again", () => {
    const b = boundary('This tab')
    let thrown: unknown
    try {
      new Date(9e15).toISOString() // what a peer's expiry of 9e15 did in the ticket panel
    } catch (e) {
      thrown = e
    }
    b.state = ErrorBoundary.getDerivedStateFromError(thrown)
    const html = renderToStaticMarkup(b.render())
    expect(html).toContain('role="alert"')
    expect(html).toContain('This tab could not be shown: Invalid time value')
    expect(html).toMatch(/<button type="button">Try again<\/button>/)
    b.retry()
    expect(renderToStaticMarkup(b.render())).toBe('<p>the tab</p>')
  })

  it('names something for a thrown value that is not an Error', () => {
    const b = boundary()
    b.state = ErrorBoundary.getDerivedStateFromError('bad leg')
    expect(renderToStaticMarkup(b.render())).toContain('This part of the page could not be shown: bad leg')
    b.state = ErrorBoundary.getDerivedStateFromError(new Error(''))
    expect(renderToStaticMarkup(b.render())).toContain('could not be shown: unknown error')
  })
})
