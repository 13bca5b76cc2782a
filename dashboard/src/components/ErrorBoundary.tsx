/** A view that fails to render (or whose code cannot be loaded any more: the dashboard was
 * rebuilt while this tab was open) shows what happened and a reload button — never a
 * blank page without the controls. */
import { Component, type ErrorInfo, type ReactNode } from "react";
import { Button } from "./ui";

interface State {
  error: Error | null;
}

export class ErrorBoundary extends Component<{ children: ReactNode; resetKey?: string }, State> {
  state: State = { error: null };

  static getDerivedStateFromError(error: Error): State {
    return { error };
  }

  componentDidCatch(error: Error, info: ErrorInfo): void {
    console.warn("view failed", error, info.componentStack);
  }

  componentDidUpdate(previous: { resetKey?: string }): void {
    // Moving to another view gives it its own chance.
    if (this.state.error && previous.resetKey !== this.props.resetKey) this.setState({ error: null });
  }

  render(): ReactNode {
    if (!this.state.error) return this.props.children;
    return (
      <div role="alert" className="rounded-xl border border-rose-300 bg-rose-50 p-4 text-sm text-rose-950 dark:border-rose-800 dark:bg-rose-950 dark:text-rose-50">
        <p className="mb-2 font-semibold">This view could not be shown: {this.state.error.message}</p>
        <p className="mb-3">If the dashboard was just updated, reloading fetches the new version.</p>
        <Button variant="primary" onClick={() => window.location.reload()}>
          Reload
        </Button>
      </div>
    );
  }
}
