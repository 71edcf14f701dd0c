import type { Principal, Router } from '@citycard/core/http';
import {
  PROTOCOL_PATHS,
  enrolmentRequestSchema,
  enrolmentResponseSchema,
} from '@citycard/terminal-sdk/protocol';
import type { GatewayDeps } from '../deps.js';
import { enrol } from './enrolment.service.js';

/** POST /v1/terminals/enrol: public, the single-use token is the credential. */
export function registerEnrolmentRoutes<R extends string, P extends Principal<R>>(
  router: Router<R, P>,
  deps: GatewayDeps,
): void {
  router.route({
    method: 'POST',
    url: PROTOCOL_PATHS.enrol,
    summary: 'Enrol a registered terminal with a single-use token and a CSR',
    tags: ['terminals'],
    access: 'public',
    body: enrolmentRequestSchema,
    response: enrolmentResponseSchema,
    status: 201,
    handler: ({ body }) => enrol(deps, body),
  });
}
