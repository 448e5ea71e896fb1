/** A small history router: the dashboard lives under /ui/, each page a path below it. */
import { useEffect, useState, type AnchorHTMLAttributes, type MouseEvent } from 'react';

export const BASE = '/ui';

export type Route =
  | { page: 'tasks' }
  | { page: 'submit'; from?: string }
  | { page: 'task'; taskId: string }
  | { page: 'record'; taskId: string; recordId: string }
  | { page: 'engine' }
  | { page: 'not-found'; path: string };

export function parseRoute(pathname: string, search = ''): Route {
  const path = pathname.startsWith(BASE) ? pathname.slice(BASE.length) : pathname;
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  if (parts.length === 0 || (parts.length === 1 && parts[0] === 'tasks')) return { page: 'tasks' };
  if (parts.length === 1 && parts[0] === 'submit') {
    const from = new URLSearchParams(search).get('from') ?? undefined;
    return { page: 'submit', from };
  }
  if (parts.length === 1 && parts[0] === 'engine') return { page: 'engine' };
  if (parts[0] === 'tasks' && parts.length === 2) return { page: 'task', taskId: parts[1] };
  if (parts[0] === 'tasks' && parts.length === 4 && parts[2] === 'records')
    return { page: 'record', taskId: parts[1], recordId: parts[3] };
  return { page: 'not-found', path };
}

export function hrefOf(route: Route): string {
  switch (route.page) {
    case 'tasks':
      return `${BASE}/`;
    case 'submit':
      return `${BASE}/submit${route.from ? `?from=${encodeURIComponent(route.from)}` : ''}`;
    case 'engine':
      return `${BASE}/engine`;
    case 'task':
      return `${BASE}/tasks/${encodeURIComponent(route.taskId)}`;
    case 'record':
      return `${BASE}/tasks/${encodeURIComponent(route.taskId)}/records/${encodeURIComponent(route.recordId)}`;
    case 'not-found':
      return `${BASE}${route.path}`;
  }
}

export function navigate(href: string): void {
  if (href === location.pathname + location.search) return;
  history.pushState(null, '', href);
  window.dispatchEvent(new PopStateEvent('popstate'));
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(location.pathname, location.search));
  useEffect(() => {
    const onPop = () => {
      setRoute(parseRoute(location.pathname, location.search));
      window.scrollTo(0, 0);
    };
    window.addEventListener('popstate', onPop);
    return () => window.removeEventListener('popstate', onPop);
  }, []);
  return route;
}

/** An anchor that navigates inside the app (a real link: middle click, copy address and keyboard work). */
export function Link({ to, ...rest }: { to: Route } & AnchorHTMLAttributes<HTMLAnchorElement>) {
  const href = hrefOf(to);
  const onClick = (e: MouseEvent<HTMLAnchorElement>) => {
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    navigate(href);
  };
  return <a href={href} onClick={onClick} {...rest} />;
}
