// The core kernel is imported by subpath (`@citycard/core/money`, `@citycard/core/db`, ...), so that
// a terminal pulling in money or crypto never loads pg, BullMQ or Fastify.
export {};
