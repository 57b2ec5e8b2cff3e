import { createContext, type ReactNode, useCallback, useContext, useEffect, useMemo, useState } from 'react';
import { api, onUnauthorized, tokenStore } from '../api/client';
import type { Session } from '../api/types';
import { type Capabilities, capabilitiesOf } from './capabilities';

interface SessionState {
  session: Session | null;
  token: string | null;
  can: Capabilities;
  /** Checks the token with the gateway and keeps it for this tab; rejects with an ApiError. */
  signIn(token: string): Promise<void>;
  signOut(reason?: string): void;
  /** Why the last session ended (or a sign-in failed), when it was not the user's choice. */
  endedBecause: string | null;
  /** True while a token kept from before a reload is being checked. */
  restoring: boolean;
}

const NONE: Capabilities = capabilitiesOf('requester');

/**
 * What the gateway's OpenID Connect callback put in the URL fragment (`#session=…` or
 * `#signin_error=…`): taken once, and removed from the address bar and history at once.
 */
function takeSignInResult(): { session?: string; error?: string } {
  const fragment = new URLSearchParams(window.location.hash.slice(1));
  const session = fragment.get('session') ?? undefined;
  const error = fragment.get('signin_error') ?? undefined;
  if (session || error) {
    window.history.replaceState(
      window.history.state,
      '',
      `${window.location.pathname}${window.location.search}`,
    );
  }
  if (session) tokenStore.set(session);
  return { session, error };
}

const signInResult = takeSignInResult();
const SessionContext = createContext<SessionState | null>(null);

export function SessionProvider({ children }: { children: ReactNode }) {
  const [session, setSession] = useState<Session | null>(null);
  const [token, setToken] = useState<string | null>(() => tokenStore.get());
  const [restoring, setRestoring] = useState<boolean>(() => tokenStore.get() !== null);
  const [endedBecause, setEndedBecause] = useState<string | null>(signInResult.error ?? null);

  const signOut = useCallback((reason?: string) => {
    tokenStore.clear();
    setToken(null);
    setSession(null);
    setEndedBecause(reason ?? null);
  }, []);

  const signIn = useCallback(async (candidate: string) => {
    const trimmed = candidate.trim();
    const who = await api<Session>('GET', '/session', { token: trimmed });
    tokenStore.set(trimmed);
    setToken(trimmed);
    setSession(who);
    setEndedBecause(null);
  }, []);

  // A token kept in this tab (a reload) is checked again before anything is shown.
  useEffect(() => {
    const kept = tokenStore.get();
    if (!kept) return;
    api<Session>('GET', '/session', { token: kept })
      .then((who) => setSession(who))
      .catch(() => signOut('Your session has ended. Sign in again.'))
      .finally(() => setRestoring(false));
  }, [signOut]);

  useEffect(
    () =>
      onUnauthorized(() =>
        signOut('Your session has ended or the gateway no longer accepts your token. Sign in again.'),
      ),
    [signOut],
  );

  const value = useMemo<SessionState>(
    () => ({
      session,
      token,
      can: session ? capabilitiesOf(session.role) : NONE,
      signIn,
      signOut,
      endedBecause,
      restoring,
    }),
    [session, token, signIn, signOut, endedBecause, restoring],
  );
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionState {
  const value = useContext(SessionContext);
  if (!value) throw new Error('useSession outside SessionProvider');
  return value;
}
