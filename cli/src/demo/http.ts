import { AppError } from '@citycard/core/errors';

/** A signed-in member of staff: the bearer token issuance gave, good at every service. */
export interface Session {
  readonly username: string;
  readonly token: string;
}

export type Json = Record<string, unknown>;

/**
 * One call to a service's HTTP API, the way the console makes it. A refusal becomes an AppError
 * carrying the service's code and message, so the demo stops on anything it did not plan.
 */
export async function call<T = Json>(
  base: string,
  method: 'GET' | 'POST' | 'PUT' | 'PATCH',
  path: string,
  session?: Session,
  body?: unknown,
): Promise<T> {
  const headers: Record<string, string> = {};
  if (session !== undefined) headers.authorization = `Bearer ${session.token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${base}${path}`, {
    method,
    headers,
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  if (!res.ok) {
    let code = 'SERVICE_UNAVAILABLE';
    let message = text.slice(0, 300);
    try {
      const parsed = JSON.parse(text) as { code?: string; message?: string };
      code = parsed.code ?? code;
      message = parsed.message ?? message;
    } catch {
      // not JSON: keep the text
    }
    throw new AppError('SERVICE_UNAVAILABLE', {
      message: `${method} ${path} answered ${res.status} ${code}: ${message}`,
      details: { status: res.status, code },
    });
  }
  const type = res.headers.get('content-type') ?? '';
  return (type.includes('json') ? JSON.parse(text) : text) as T;
}

export async function signIn(
  issuanceUrl: string,
  username: string,
  password: string,
  counterId?: string,
): Promise<Session> {
  const answer = await call<{ token: string }>(issuanceUrl, 'POST', '/auth/login', undefined, {
    username,
    password,
    ...(counterId === undefined ? {} : { counterId }),
  });
  return { username, token: answer.token };
}
