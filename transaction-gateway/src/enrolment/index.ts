export { enrol } from './enrolment.service.js';
export { registerEnrolmentRoutes } from './enrolment.routes.js';
