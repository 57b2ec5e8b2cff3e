import { QueryClientProvider } from '@tanstack/react-query';
import { type ReactNode, useState } from 'react';
import { createQueryClient } from './api/query-client';
import { Loading } from './components/Alert';
import { Layout, type NavItem } from './components/Layout';
import { PageHeader } from './components/PageHeader';
import { LiveEventsProvider } from './live/live-events';
import { AssignmentExplainPage } from './pages/AssignmentExplainPage';
import { AuditPage } from './pages/AuditPage';
import { ConnectionsPage } from './pages/ConnectionsPage';
import { DirectoryPage } from './pages/DirectoryPage';
import { IdentityPage } from './pages/IdentityPage';
import { JobsPage } from './pages/JobsPage';
import { ManualPage } from './pages/ManualPage';
import { RequestPage } from './pages/RequestPage';
import { ReviewPage } from './pages/ReviewPage';
import { RoleModelPreviewPage } from './pages/RoleModelPreviewPage';
import { StuckOrdersPage } from './pages/StuckOrdersPage';
import { SignInPage } from './pages/SignInPage';
import { Link, matchPath, RouterProvider, useRouter } from './router';
import type { Capabilities } from './session/capabilities';
import { SessionProvider, useSession } from './session/session';

interface Page extends NavItem {
  allowed: (can: Capabilities) => boolean;
  render: () => ReactNode;
}

/** The pages, in the navigation's order; a role sees (and can open) only those it may use. */
const PAGES: Page[] = [
  {
    path: '/directory',
    label: 'Directory',
    allowed: (can) => can.readDirectory,
    render: () => <DirectoryPage />,
  },
  {
    path: '/request',
    label: 'Request',
    allowed: (can) => can.requestAssignments,
    render: () => <RequestPage />,
  },
  {
    path: '/review',
    label: 'Provisioning Review',
    allowed: (can) => can.review,
    render: () => <ReviewPage />,
  },
  {
    path: '/manual',
    label: 'Manual provisioning',
    allowed: (can) => can.manualProvisioning,
    render: () => <ManualPage />,
  },
  { path: '/jobs', label: 'Job Execution', allowed: () => true, render: () => <JobsPage /> },
  { path: '/connections', label: 'Connections', allowed: () => true, render: () => <ConnectionsPage /> },
  { path: '/audit', label: 'Audit', allowed: () => true, render: () => <AuditPage /> },
  {
    path: '/stuck',
    label: 'Stuck orders',
    allowed: (can) => can.review || can.manualProvisioning,
    render: () => <StuckOrdersPage />,
  },
  {
    path: '/what-if',
    label: 'What-if',
    allowed: (can) => can.startJobs,
    render: () => <RoleModelPreviewPage />,
  },
];

function Message({ title, children }: { title: string; children: ReactNode }) {
  return (
    <>
      <PageHeader title={title} />
      <p>{children}</p>
      <p>
        <Link to="/directory">Go to the directory</Link>
      </p>
    </>
  );
}

function Routes() {
  const { session, can, restoring } = useSession();
  const { path } = useRouter();
  if (restoring) return <Loading what="your session" />;
  if (!session) return <SignInPage />;
  const pages = PAGES.filter((page) => page.allowed(can));
  const identity = matchPath('/identities/:id', path);
  const assignment = matchPath('/assignments/:id', path);
  const page = PAGES.find((p) => p.path === path || (path === '/' && p.path === '/directory'));
  let content: ReactNode;
  if (identity) content = <IdentityPage key={identity.id} identityId={identity.id} />;
  else if (assignment) content = <AssignmentExplainPage key={assignment.id} assignmentId={assignment.id} />;
  else if (!page) content = <Message title="Page not found">There is no page at {path}.</Message>;
  else if (!page.allowed(can))
    content = <Message title={page.label}>Your role may not use this page.</Message>;
  else content = page.render();
  return <Layout items={pages}>{content}</Layout>;
}

function WithLive({ children }: { children: ReactNode }) {
  const { token, session } = useSession();
  return <LiveEventsProvider token={session ? token : null}>{children}</LiveEventsProvider>;
}

export function App() {
  const [queryClient] = useState(createQueryClient);
  return (
    <QueryClientProvider client={queryClient}>
      <RouterProvider>
        <SessionProvider>
          <WithLive>
            <Routes />
          </WithLive>
        </SessionProvider>
      </RouterProvider>
    </QueryClientProvider>
  );
}
