import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyInstance } from 'fastify';
import {
  jsonSchemaTransform,
  serializerCompiler,
  validatorCompiler,
} from 'fastify-type-provider-zod';
import { AppError } from '../errors/index.js';
import { loggerOptions } from '../logging/index.js';
import { errorHandlerPlugin } from './error-handler.js';
import { requestIdFrom } from './request-id.js';

export type ReadinessCheck = () => Promise<unknown>;

export interface HttpAppOptions {
  /** The service name, in logs and in the health answer. */
  readonly name: string;
  readonly logLevel?: string;
  /** Each check must resolve for /readyz to answer 200 (a database ping, a queue ping). */
  readonly readiness?: Readonly<Record<string, ReadinessCheck>>;
  readonly bodyLimit?: number;
  /**
   * Addresses or CIDR ranges of proxies whose X-Forwarded-For / X-Forwarded-Proto are believed,
   * so request.ip is the client's. Empty or absent: no proxy is trusted and request.ip is the peer.
   */
  readonly trustProxy?: readonly string[];
  /** Serve an OpenAPI document built from the routes' zod schemas at /docs. */
  readonly openapi?: {
    readonly title: string;
    readonly version: string;
    readonly description?: string;
  };
}

/**
 * The Fastify instance every citycard service starts from: redacting logger, request ids,
 * the error catalogue's answers, and liveness/readiness routes for a load balancer.
 */
export async function createHttpApp(options: HttpAppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    logger: loggerOptions(options.name, options.logLevel ?? 'info'),
    genReqId: requestIdFrom,
    bodyLimit: options.bodyLimit ?? 1_048_576,
    trustProxy: options.trustProxy?.length ? [...options.trustProxy] : false,
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  await app.register(errorHandlerPlugin);
  if (options.openapi !== undefined) await registerDocs(app, options.openapi);
  app.addHook('onSend', async (request, reply) => {
    void reply.header('x-request-id', request.id);
    await Promise.resolve();
  });
  app.get('/healthz', () => ({ service: options.name, status: 'ok' }));
  app.get('/readyz', async () => {
    const checks = Object.entries(options.readiness ?? {});
    const failed: string[] = [];
    await Promise.all(
      checks.map(async ([name, check]) => {
        try {
          await check();
        } catch {
          failed.push(name);
        }
      }),
    );
    if (failed.length > 0) {
      throw new AppError('SERVICE_UNAVAILABLE', {
        message: `Not ready: ${failed.sort().join(', ')}`,
        details: { failed },
      });
    }
    return { service: options.name, status: 'ready', checks: checks.map(([name]) => name).sort() };
  });
  return app;
}

async function registerDocs(
  app: FastifyInstance,
  info: NonNullable<HttpAppOptions['openapi']>,
): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: info.title,
        version: info.version,
        ...(info.description ? { description: info.description } : {}),
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    },
    transform: jsonSchemaTransform,
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
}
