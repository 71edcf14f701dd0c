import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { z } from 'zod';
import { AppError, type ErrorCode } from '../errors/index.js';

export interface ErrorBody {
  code: ErrorCode;
  message: string;
  requestId: string;
  retryable: boolean;
  details?: Record<string, unknown>;
}

export interface FieldIssue {
  path: string;
  message: string;
}

/** Zod issues as `body.items.3.amount`-style paths a client can point at a form field with. */
export function fieldIssues(error: z.ZodError, location?: string): FieldIssue[] {
  return error.issues.map((issue) => ({
    path: [location, ...issue.path.map(String)]
      .filter((p) => p !== undefined && p !== '')
      .join('.'),
    message: issue.message,
  }));
}

/** Validates route input; a failure is a 400 naming every offending field. */
export function parseInput<S extends z.ZodType>(
  schema: S,
  value: unknown,
  location: string,
): z.infer<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw new AppError('VALIDATION_FAILED', {
    message: `Invalid ${location}`,
    details: { issues: fieldIssues(result.error, location) },
  });
}

const frameworkCodes: Readonly<Record<number, ErrorCode>> = {
  400: 'VALIDATION_FAILED',
  401: 'UNAUTHENTICATED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  429: 'RATE_LIMITED',
};

function toBody(err: unknown, requestId: string): { status: number; body: ErrorBody } | undefined {
  if (err instanceof AppError) {
    const body: ErrorBody = {
      code: err.code,
      message: err.message,
      requestId,
      retryable: err.retryable,
    };
    if (err.details !== undefined) body.details = err.details;
    return { status: err.httpStatus, body };
  }
  if (err instanceof z.ZodError) {
    const details = { issues: fieldIssues(err) };
    return toBody(new AppError('VALIDATION_FAILED', { details }), requestId);
  }
  const fastifyError = err as Partial<FastifyError>;
  if (Array.isArray(fastifyError.validation)) {
    const issues = fastifyError.validation.map((v) => ({
      path: [fastifyError.validationContext, ...v.instancePath.split('/').filter(Boolean)]
        .filter(Boolean)
        .join('.'),
      message: v.message ?? 'invalid',
    }));
    return toBody(new AppError('VALIDATION_FAILED', { details: { issues } }), requestId);
  }
  const status = fastifyError.statusCode;
  const code = status === undefined ? undefined : frameworkCodes[status];
  // Fastify's own 4xx messages (bad JSON, body too large) describe the request, not our internals.
  if (code !== undefined && typeof fastifyError.message === 'string') {
    return toBody(new AppError(code, { message: fastifyError.message }), requestId);
  }
  return undefined;
}

async function errorHandler(app: FastifyInstance): Promise<void> {
  app.setErrorHandler((err: unknown, request: FastifyRequest, reply: FastifyReply) => {
    const known = toBody(err, request.id);
    if (known !== undefined) {
      if (known.status >= 500) request.log.error({ err }, 'request failed');
      return reply.status(known.status).send(known.body);
    }
    request.log.error({ err }, 'unhandled error');
    const body: ErrorBody = {
      code: 'INTERNAL',
      message: 'Internal error',
      requestId: request.id,
      retryable: true,
    };
    return reply.status(500).send(body);
  });
  app.setNotFoundHandler((request, reply) => {
    const err = new AppError('NOT_FOUND', {
      message: `No route ${request.method} ${request.url.split('?')[0] ?? ''}`,
    });
    const known = toBody(err, request.id);
    return reply.status(404).send(known?.body);
  });
  await Promise.resolve();
}

/** Answers `{code, message, requestId, retryable, details?}` for every error a route can raise. */
export const errorHandlerPlugin = fp(errorHandler, {
  name: 'citycard-error-handler',
  fastify: '5.x',
});
