import { access } from 'node:fs/promises';
import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import { AppError } from '@citycard/core/errors';

const ONE_YEAR_S = 365 * 24 * 3600;

/**
 * Serves the built web app. Vite names assets by their content hash, so they are cached for good;
 * index.html never is, so a new build reaches the counters on the next load. Any other path that
 * is not an /api/ call answers index.html (the app routes in the fragment, but a bookmarked or
 * mistyped path should still open it).
 */
export async function registerWebApp(app: FastifyInstance, webRoot: string): Promise<void> {
  const index = join(webRoot, 'index.html');
  try {
    await access(index);
  } catch {
    throw new AppError('CONFIG_INVALID', {
      message: `The console web app is not built (${index} is missing): run npm run build:web -w console`,
    });
  }
  await app.register(fastifyStatic, {
    root: webRoot,
    wildcard: false,
    index: false,
    cacheControl: false,
    setHeaders: (reply, path) => {
      const hashed = path.startsWith(join(webRoot, 'assets'));
      void reply.header(
        'cache-control',
        hashed ? `public, max-age=${ONE_YEAR_S}, immutable` : 'no-cache',
      );
    },
  });
  app.get('/*', async (request, reply) => {
    const path = request.url.split('?')[0] ?? '';
    if (path === '/api' || path.startsWith('/api/')) {
      throw new AppError('NOT_FOUND', { message: `No route ${request.method} ${path}` });
    }
    await Promise.resolve();
    return reply.header('cache-control', 'no-cache').sendFile('index.html');
  });
}
