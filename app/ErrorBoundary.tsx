// A render error below it shows its message and "Try again" in its place, instead of React
// unmounting the whole page (what an error nothing catches does): a bad value in one channel tab
// leaves the header, the tab bar and the other tabs working.
import { Component, type ReactNode } from 'react'
import { reasonOf } from './risk/format.ts'

export interface ErrorBoundaryProps {
  readonly children: ReactNode
  /** What could not be shown, for the message: "This tab". */
  readonly what?: string
}

export interface ErrorBoundaryState {
  /** The message of the error the children threw while rendering, or null while they render. */
  readonly error: string | null
}

export class ErrorBoundary extends Component<ErrorBoundaryProps, ErrorBoundaryState> {
  override state: ErrorBoundaryState = { error: null }

  static getDerivedStateFromError(error: unknown): ErrorBoundaryState {
    return { error: reasonOf(error) || 'unknown error' }
  }

  /** Renders the children again (the value that broke them may have changed since). */
  readonly retry = (): void => this.setState({ error: null })

  override render(): ReactNode {
    if (this.state.error === null) return this.props.children
    return (
      <div className="card" role="alert" data-testid="render-error">
        <p className="error">{this.props.what ?? 'This part of the page'} could not be shown: {this.state.error}</p>
        <button type="button" onClick={this.retry}>Try again</button>
      </div>
    )
  }
}
