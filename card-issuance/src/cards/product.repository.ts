import type { Queryable } from '@citycard/core/db';
import { AppError } from '@citycard/core/errors';

export interface ProductRow {
  readonly code: string;
  readonly name: string;
  readonly productDigits: string;
  /** numeric(18,2) as text */
  readonly deposit: string;
  readonly maxBalance: string;
  readonly concessionRef: string;
  readonly validityYears: number;
  readonly active: boolean;
  readonly updatedAt: Date;
}

export interface ProductChanges {
  readonly deposit?: string | undefined;
  readonly maxBalance?: string | undefined;
  readonly concessionRef?: string | undefined;
  readonly validityYears?: number | undefined;
  readonly active?: boolean | undefined;
}

const COLUMNS = `code, name, product_digits AS "productDigits", deposit::text AS deposit,
  max_balance::text AS "maxBalance", concession_ref AS "concessionRef",
  validity_years AS "validityYears", active, updated_at AS "updatedAt"`;

export async function listProducts(tx: Queryable): Promise<ProductRow[]> {
  const { rows } = await tx.query<ProductRow>(
    `SELECT ${COLUMNS} FROM products ORDER BY product_digits`,
  );
  return rows;
}

export async function getProduct(
  tx: Queryable,
  code: string,
  options: { forUpdate?: boolean } = {},
): Promise<ProductRow> {
  const lock = options.forUpdate === true ? ' FOR UPDATE' : '';
  const { rows } = await tx.query<ProductRow>(
    `SELECT ${COLUMNS} FROM products WHERE code = $1${lock}`,
    [code],
  );
  const row = rows[0];
  if (row === undefined)
    throw new AppError('PRODUCT_NOT_FOUND', { details: { productCode: code } });
  return row;
}

/** A product that may still be issued; an inactive one keeps its cards but gets no new ones. */
export async function getIssuableProduct(tx: Queryable, code: string): Promise<ProductRow> {
  const product = await getProduct(tx, code);
  if (!product.active) {
    throw new AppError('PRODUCT_INACTIVE', { details: { productCode: code } });
  }
  return product;
}

/** Sets only the fields given; the caller holds the row lock. */
export async function updateProduct(
  tx: Queryable,
  code: string,
  changes: ProductChanges,
  now: Date,
): Promise<ProductRow> {
  const { rows } = await tx.query<ProductRow>(
    `UPDATE products SET
       deposit = COALESCE($2::numeric, deposit),
       max_balance = COALESCE($3::numeric, max_balance),
       concession_ref = COALESCE($4, concession_ref),
       validity_years = COALESCE($5::integer, validity_years),
       active = COALESCE($6::boolean, active),
       updated_at = $7
     WHERE code = $1
     RETURNING ${COLUMNS}`,
    [
      code,
      changes.deposit ?? null,
      changes.maxBalance ?? null,
      changes.concessionRef ?? null,
      changes.validityYears ?? null,
      changes.active ?? null,
      now,
    ],
  );
  const row = rows[0];
  if (row === undefined)
    throw new AppError('PRODUCT_NOT_FOUND', { details: { productCode: code } });
  return row;
}
