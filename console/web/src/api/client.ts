import { saveBlob } from '../lib/download';

export type Service = 'issuance' | 'gateway' | 'clearing';

/** A service's `{code, message}` answer, or one of the console's own: NETWORK, HTTP_<status>. */
export class ApiError extends Error {
  constructor(
    readonly code: string,
    readonly status: number,
    message: string,
    readonly details?: Record<string, unknown>,
    readonly requestId?: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export type Query = Record<string, string | number | boolean | undefined>;

export interface ApiClient {
  get<T>(service: Service, path: string, query?: Query): Promise<T>;
  post<T>(service: Service, path: string, body?: unknown): Promise<T>;
  patch<T>(service: Service, path: string, body: unknown): Promise<T>;
  put<T>(service: Service, path: string, body: unknown): Promise<T>;
  download(service: Service, path: string, filename: string): Promise<void>;
}

export interface ApiClientOptions {
  readonly token: () => string | null;
  /** A signed-in call answered 401: the session has ended (expired, or signed out elsewhere). */
  readonly onUnauthenticated: () => void;
  readonly fetch?: typeof fetch;
}

interface ErrorBody {
  code?: unknown;
  message?: unknown;
  details?: unknown;
  requestId?: unknown;
}

async function errorOf(res: Response): Promise<ApiError> {
  let body: ErrorBody = {};
  try {
    body = (await res.json()) as ErrorBody;
  } catch {
    // Not JSON (a proxy's page): the status is all there is.
  }
  const code = typeof body.code === 'string' ? body.code : `HTTP_${res.status}`;
  const message = typeof body.message === 'string' ? body.message : res.statusText;
  const details =
    typeof body.details === 'object' && body.details !== null
      ? (body.details as Record<string, unknown>)
      : undefined;
  const requestId = typeof body.requestId === 'string' ? body.requestId : undefined;
  return new ApiError(code, res.status, message, details, requestId);
}

export function withQuery(path: string, query: Query = {}): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined) params.set(key, String(value));
  }
  const search = params.toString();
  return search === '' ? path : `${path}?${search}`;
}

export function createApiClient(options: ApiClientOptions): ApiClient {
  const doFetch = options.fetch ?? ((input, init) => fetch(input, init));

  async function send(service: Service, method: string, path: string, body?: unknown) {
    const token = options.token();
    const headers: Record<string, string> = { accept: 'application/json' };
    if (token !== null) headers.authorization = `Bearer ${token}`;
    // Fastify refuses an empty body declared as JSON, so the header goes only with a body.
    if (body !== undefined) headers['content-type'] = 'application/json';
    let res: Response;
    try {
      res = await doFetch(`/api/${service}${path}`, {
        method,
        headers,
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        cache: 'no-store',
        credentials: 'omit',
      });
    } catch {
      throw new ApiError('NETWORK', 0, 'The console server could not be reached');
    }
    if (!res.ok) {
      const err = await errorOf(res);
      if (res.status === 401 && token !== null) options.onUnauthenticated();
      throw err;
    }
    return res;
  }

  async function json<T>(service: Service, method: string, path: string, body?: unknown) {
    const res = await send(service, method, path, body);
    if (res.status === 204) return undefined as T;
    return (await res.json()) as T;
  }

  return {
    get: (service, path, query) => json(service, 'GET', withQuery(path, query)),
    post: (service, path, body) => json(service, 'POST', path, body),
    patch: (service, path, body) => json(service, 'PATCH', path, body),
    put: (service, path, body) => json(service, 'PUT', path, body),
    async download(service, path, filename) {
      const res = await send(service, 'GET', path);
      saveBlob(await res.blob(), filename);
    },
  };
}
