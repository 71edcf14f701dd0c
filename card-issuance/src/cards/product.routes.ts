import { z } from 'zod';
import { withTransaction } from '@citycard/core/db';
import { nonNegativeAmountString, parseAmount } from '@citycard/core/money';
import { recordAudit } from '../audit/audit.js';
import type { IssuanceDeps } from '../deps.js';
import type { IssuanceRouter } from '../routes.js';
import { PRODUCT_ADMINS } from './card-context.js';
import { getProduct, listProducts, updateProduct, type ProductRow } from './product.repository.js';

// A MIFARE value block holds int32 fen: no purse can hold more.
const PURSE_LIMIT = '21474836.47';

const product = z.object({
  code: z.string(),
  name: z.string(),
  productDigits: z.string(),
  deposit: z.string(),
  maxBalance: z.string(),
  concessionRef: z.string(),
  validityYears: z.int(),
  active: z.boolean(),
  updatedAt: z.string(),
});

const changes = z
  .object({
    deposit: nonNegativeAmountString.optional(),
    maxBalance: nonNegativeAmountString.optional(),
    concessionRef: z
      .string()
      .trim()
      .regex(/^[A-Za-z0-9_.:-]{1,64}$/, 'letters, digits and _ . : - only')
      .optional(),
    validityYears: z.int().min(1).max(30).optional(),
    active: z.boolean().optional(),
  })
  .strict()
  .refine((c) => Object.values(c).some((v) => v !== undefined), 'change at least one field');

const toProduct = (row: ProductRow): z.infer<typeof product> => ({
  ...row,
  updatedAt: row.updatedAt.toISOString(),
});

export function registerProductRoutes(router: IssuanceRouter, deps: IssuanceDeps): void {
  router.route({
    method: 'GET',
    url: '/products',
    summary: 'Card products: deposit, maximum balance, concession reference',
    tags: ['products'],
    access: 'authenticated',
    response: z.object({ items: z.array(product) }),
    handler: async () => ({ items: (await listProducts(deps.db)).map(toProduct) }),
  });

  router.route({
    method: 'PATCH',
    url: '/products/:code',
    summary: 'Change a product; cards already issued keep the deposit they were issued with',
    tags: ['products'],
    access: PRODUCT_ADMINS,
    params: z.object({ code: z.string().max(32) }),
    body: changes,
    response: product,
    handler: async ({ params, body, principal, request }) => {
      if (body.maxBalance !== undefined) {
        parseAmount(body.maxBalance, { field: 'maxBalance', max: PURSE_LIMIT });
      }
      const row = await withTransaction(deps.db, async (tx) => {
        const before = await getProduct(tx, params.code, { forUpdate: true });
        const after = await updateProduct(tx, params.code, body, deps.clock());
        await recordAudit(tx, {
          actor: principal,
          action: 'product.update',
          targetType: 'product',
          targetId: params.code,
          requestId: request.id,
          before: toProduct(before),
          after: toProduct(after),
        });
        return after;
      });
      return toProduct(row);
    },
  });
}
