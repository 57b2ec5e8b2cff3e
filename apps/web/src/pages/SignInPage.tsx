import { type FormEvent, useEffect, useRef, useState } from 'react';
import { ApiError, get } from '../api/client';
import { messageOf } from '../api/messages';
import type { SignInMethods } from '../api/types';
import { Alert } from '../components/Alert';
import { Field } from '../components/Field';
import { useSession } from '../session/session';

/** Where the organisation's sign-in brings the person back to: the page they asked for. */
function organisationSignInUrl(): string {
  const here = window.location.pathname === '/' ? '/directory' : window.location.pathname;
  return `/api/auth/login?returnTo=${encodeURIComponent(here)}`;
}

/**
 * Sign-in with the organisation's account (OpenID Connect, when the gateway has it) or with an
 * API token: either way the session is kept for this browser tab only.
 */
export function SignInPage() {
  const { signIn, endedBecause } = useSession();
  const [token, setToken] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [fieldError, setFieldError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const [methods, setMethods] = useState<SignInMethods | null>(null);
  const heading = useRef<HTMLHeadingElement>(null);

  useEffect(() => {
    document.title = 'Sign in · Provisioning console';
    heading.current?.focus();
    const controller = new AbortController();
    get<SignInMethods>('/auth/methods', controller.signal)
      .then(setMethods)
      .catch(() => setMethods({ oidc: false, tokens: true }));
    return () => controller.abort();
  }, []);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    if (!token.trim()) {
      setFieldError('Enter your API token.');
      return;
    }
    setFieldError(undefined);
    setBusy(true);
    try {
      await signIn(token);
    } catch (caught) {
      setError(
        caught instanceof ApiError && caught.status === 401
          ? 'The token was not accepted. Check it and try again, or ask your administrator for a valid one.'
          : messageOf(caught),
      );
    } finally {
      setBusy(false);
    }
  };

  return (
    <main id="main" className="sign-in">
      <div className="sign-in-card">
        <h1 tabIndex={-1} ref={heading}>
          Provisioning console
        </h1>
        <p className="muted">
          {methods?.oidc
            ? 'Sign in with your organisation account. The console shows what your role may do.'
            : 'Sign in with the API token your administrator gave you. The console shows what your role may do.'}
        </p>
        {endedBecause && <Alert kind="info">{endedBecause}</Alert>}
        {error && <Alert>{error}</Alert>}
        {methods?.oidc && (
          <>
            <a className="button primary" href={organisationSignInUrl()}>
              Sign in with your organisation
            </a>
            <p className="muted">Or, for service accounts, with an API token:</p>
          </>
        )}
        <form onSubmit={submit} noValidate>
          <Field
            id="token"
            label="API token"
            required
            error={fieldError}
            hint="Kept in this browser tab only; closing the tab signs you out."
          >
            {(props) => (
              <input
                {...props}
                type="password"
                autoComplete="current-password"
                spellCheck={false}
                value={token}
                onChange={(e) => setToken(e.target.value)}
              />
            )}
          </Field>
          <button type="submit" className={methods?.oidc ? 'button' : 'button primary'} disabled={busy}>
            {busy ? 'Signing in…' : 'Sign in'}
          </button>
        </form>
      </div>
    </main>
  );
}
