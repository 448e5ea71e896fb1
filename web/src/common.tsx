/** What every page shares: the server's info (mode, steps, reasons, the caller's role) and error notices. */
import { createContext, useContext } from 'react';
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
