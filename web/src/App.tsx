/** The frame of every page: navigation, the API token, the theme toggle, and the page of the route. */
import { useEffect, useState } from 'react';
import { ErrorBoundary, InfoContext } from './common.tsx';
import { getToken, setToken, type Info } from './api.ts';
import { useApi } from './hooks.ts';
import { Link, useRoute, type Route } from './router.tsx';
import { applyTheme, storedTheme, type ThemeChoice } from './theme.ts';
import { TasksPage } from './pages/TasksPage.tsx';
import { TaskPage } from './pages/TaskPage.tsx';
import { RecordPage } from './pages/RecordPage.tsx';
import { SubmitPage } from './pages/SubmitPage.tsx';
import { EnginePage } from './pages/EnginePage.tsx';


function TokenBox({ onChange }: { onChange: () => void }) {
  const [value, setValue] = useState(getToken());
  return (
    <form
      className="row"
      onSubmit={(e) => {
        e.preventDefault();
        setToken(value.trim());
        onChange();
      }}
    >
      <label htmlFor="api-token">API token</label>
      <input id="api-token" type="password" autoComplete="off" size={14} value={value} onChange={(e) => setValue(e.target.value)} />
      <button type="submit">Use</button>
    </form>
  );
}

function ThemeToggle() {
  const [theme, setTheme] = useState<ThemeChoice>(storedTheme());
  useEffect(() => applyTheme(theme), [theme]);
  return (
    <div className="row">
      <label htmlFor="theme">Theme</label>
      <select id="theme" value={theme} onChange={(e) => setTheme(e.target.value as ThemeChoice)}>
        <option value="system">system</option>
        <option value="light">light</option>
        <option value="dark">dark</option>
      </select>
    </div>
  );
}

const NAV: { label: string; to: Route; pages: Route['page'][] }[] = [
  { label: 'Tasks', to: { page: 'tasks' }, pages: ['tasks', 'task', 'record'] },
  { label: 'Submit', to: { page: 'submit' }, pages: ['submit'] },
  { label: 'Engine', to: { page: 'engine' }, pages: ['engine'] },
];

export function App() {
  const route = useRoute();
  const [tokenVersion, setTokenVersion] = useState(0);
  const info = useApi<Info>('/api/info', tokenVersion);
  useEffect(() => {
    const titles: Record<Route['page'], string> = {
      tasks: 'Tasks',
      task: 'Task',
      record: 'Record',
      submit: 'Submit a task',
      engine: 'Engine',
      'not-found': 'Not found',
    };
    document.title = `${titles[route.page]} · Metis Streams`;
  }, [route]);
  const needsToken = info.error && 'status' in info.error && ((info.error as any).status === 401 || (info.error as any).status === 403);
  return (
    <InfoContext.Provider value={info.data}>
      <a className="skip-link" href="#main">Skip to content</a>
      <header className="top">
        <Link className="brand" to={{ page: 'tasks' }}>Metis Streams</Link>
        <nav aria-label="Main">
          <ul>
            {NAV.map((n) => (
              <li key={n.label}>
                <Link to={n.to} aria-current={n.pages.includes(route.page) ? 'page' : undefined}>{n.label}</Link>
              </li>
            ))}
          </ul>
        </nav>
        <span className="spacer" />
        {info.data && (
          <span className="muted" style={{ fontSize: 12 }}>
            {info.data.mode} mode · {info.data.auth.enabled ? `role: ${info.data.role ?? 'none'}` : 'open (no tokens)'}
          </span>
        )}
        {(info.data?.auth.enabled || needsToken) && <TokenBox onChange={() => setTokenVersion((v) => v + 1)} />}
        <ThemeToggle />
      </header>
      <main id="main" tabIndex={-1} key={tokenVersion}>
        {needsToken && <p className="notice error" role="alert">The server needs an API token for reads: enter one above.</p>}
        <ErrorBoundary key={`${route.page}:${JSON.stringify(route)}`} label="This page">
          {route.page === 'tasks' && <TasksPage />}
          {route.page === 'task' && <TaskPage taskId={route.taskId} />}
          {route.page === 'record' && <RecordPage taskId={route.taskId} recordId={route.recordId} />}
          {route.page === 'submit' && <SubmitPage from={route.from} />}
          {route.page === 'engine' && <EnginePage />}
        </ErrorBoundary>
        {route.page === 'not-found' && (
          <>
            <h1>Not found</h1>
            <p>
              No page at <code>{route.path}</code>. <Link to={{ page: 'tasks' }}>Back to the tasks</Link>.
            </p>
          </>
        )}
      </main>
    </InfoContext.Provider>
  );
}

