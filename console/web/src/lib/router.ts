import { useEffect, useState } from 'react';

/** Routes live in the fragment (#/counter/drawer?x=1): the server only ever serves index.html. */
export interface Route {
  readonly path: string;
  readonly query: URLSearchParams;
}

export function parseHash(hash: string): Route {
  const body = hash.replace(/^#/, '');
  const at = body.indexOf('?');
  const rawPath = at < 0 ? body : body.slice(0, at);
  const path = `/${rawPath.replace(/^\/+/, '').replace(/\/+$/, '')}`;
  return { path, query: new URLSearchParams(at < 0 ? '' : body.slice(at + 1)) };
}

export function href(path: string, query: Record<string, string | undefined> = {}): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) if (value !== undefined) params.set(key, value);
  const search = params.toString();
  return `#${path}${search === '' ? '' : `?${search}`}`;
}

export function navigate(path: string, query: Record<string, string | undefined> = {}): void {
  window.location.hash = href(path, query);
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseHash(window.location.hash));
  useEffect(() => {
    const update = (): void => setRoute(parseHash(window.location.hash));
    window.addEventListener('hashchange', update);
    return () => window.removeEventListener('hashchange', update);
  }, []);
  return route;
}
