import type { FastifyInstance } from 'fastify';

/**
 * The pages load only their own scripts and styles, and talk to this origin (the services behind
 * /api) and to the counter's reader agent on loopback: nothing else, and never inside a frame.
 */
export function contentSecurityPolicy(readerAgentOrigins: readonly string[]): string {
  const connect = ["'self'", ...readerAgentOrigins].join(' ');
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    `connect-src ${connect}`,
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

export function registerSecurityHeaders(
  app: FastifyInstance,
  readerAgentOrigins: readonly string[],
): void {
  const headers: Record<string, string> = {
    'content-security-policy': contentSecurityPolicy(readerAgentOrigins),
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
    'referrer-policy': 'no-referrer',
    'cross-origin-opener-policy': 'same-origin',
    'cross-origin-resource-policy': 'same-origin',
    'permissions-policy': 'camera=(), microphone=(), geolocation=(), payment=()',
  };
  app.addHook('onSend', async (_request, reply, payload) => {
    for (const [name, value] of Object.entries(headers)) void reply.header(name, value);
    return Promise.resolve(payload);
  });
}
