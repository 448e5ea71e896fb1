/** What every page shares: the server's info (mode, steps, reasons, the caller's role) and error notices. */
import { Component, createContext, useContext, type ReactNode } from 'react';
import type { Info } from './api.ts';

/** The server's /api/info, loaded once per token by App. */
export const InfoContext = createContext<Info | undefined>(undefined);
export const useInfo = () => useContext(InfoContext);

export function ErrorNotice({ error }: { error: Error | undefined }) {
  if (!error) return null;
  const code = (error as { code?: string }).code;
  return (
    <p className="notice error" role="alert">
      {code ? <strong>{code}: </strong> : null}
      {error.message}
    </p>
  );
}

export function StateBadge({ state }: { state: string }) {
  return <span className={`state state-${state}`}>{state}</span>;
}

/** Keeps one broken panel from blanking the page: it shows what failed, the rest of the page stays. */
export class ErrorBoundary extends Component<{ label: string; children: ReactNode }, { error?: Error }> {
  state: { error?: Error } = {};
  static getDerivedStateFromError(error: Error) {
    return { error };
  }
  render() {
    if (this.state.error)
      return (
        <p className="notice error" role="alert">
          {this.props.label} could not be shown: {this.state.error.message}
        </p>
      );
    return this.props.children;
  }
}
