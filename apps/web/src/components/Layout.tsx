import { type ReactNode, useState } from 'react';
import { useLive } from '../live/live-events';
import { Link, useRouter } from '../router';
import { ROLE_LABELS } from '../session/capabilities';
import { useSession } from '../session/session';

export interface NavItem {
  path: string;
  label: string;
}

const LIVE_TEXT = { live: 'Live', connecting: 'Connecting…', offline: 'Offline, reconnecting' } as const;

/** The frame of every page: skip link, header with navigation and session, the main landmark. */
export function Layout({ items, children }: { items: NavItem[]; children: ReactNode }) {
  const { session, signOut } = useSession();
  const { status } = useLive();
  const { path } = useRouter();
  const [menuOpen, setMenuOpen] = useState(false);
  const active = (item: NavItem) =>
    path === item.path ||
    path.startsWith(`${item.path}/`) ||
    (item.path === '/directory' && path.startsWith('/identities'));

  return (
    <div className="app">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="top-bar">
        <Link to="/directory" className="brand">
          Provisioning console
        </Link>
        <button
          type="button"
          className="menu-toggle button secondary small"
          aria-expanded={menuOpen}
          aria-controls="main-nav"
          onClick={() => setMenuOpen((open) => !open)}
        >
          Menu
        </button>
        <nav id="main-nav" aria-label="Main" className={menuOpen ? 'nav open' : 'nav'}>
          <ul>
            {items.map((item) => (
              <li key={item.path}>
                <Link
                  to={item.path}
                  aria-current={active(item) ? 'page' : undefined}
                  onClick={() => setMenuOpen(false)}
                >
                  {item.label}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
        <div className="session">
          <span
            className={`live live-${status}`}
            role="status"
            aria-live="polite"
            title="Live updates from the engine"
          >
            <span className="live-dot" aria-hidden="true" />
            {LIVE_TEXT[status]}
          </span>
          {session && (
            <span className="who" title={session.actor}>
              {ROLE_LABELS[session.role]}
            </span>
          )}
          <button type="button" className="button secondary small" onClick={() => signOut()}>
            Sign out
          </button>
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        {children}
      </main>
    </div>
  );
}
