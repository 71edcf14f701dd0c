import { randomBytes, randomInt } from 'node:crypto';

/** A counter's morning through the public HTTP API: what the bench then looks up. */
export interface Seeded {
  readonly headers: Record<string, string>;
  readonly cardNumbers: readonly string[];
  readonly idNumbers: readonly string[];
}

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];

/** A valid GB 11643 resident identity number for a Shanghai district. */
export function residentId(dateOfBirth: string): string {
  const body = `3101${String(randomInt(1, 20)).padStart(2, '0')}${dateOfBirth.replaceAll('-', '')}${String(randomInt(0, 1000)).padStart(3, '0')}`;
  const sum = [...body].reduce((acc, d, i) => acc + Number(d) * (WEIGHTS[i] ?? 0), 0);
  return body + ('10X98765432'[sum % 11] ?? '0');
}

async function call<T>(
  base: string,
  method: string,
  url: string,
  headers: Record<string, string>,
  body?: unknown,
): Promise<T> {
  const res = await fetch(`${base}${url}`, {
    method,
    headers: body === undefined ? headers : { ...headers, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (!res.ok) throw new Error(`${method} ${url}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

async function login(
  base: string,
  username: string,
  password: string,
  counterId?: string,
): Promise<Record<string, string>> {
  const { token } = await call<{ token: string }>(
    base,
    'POST',
    '/auth/login',
    {},
    { username, password, ...(counterId ? { counterId } : {}) },
  );
  return { authorization: `Bearer ${token}` };
}

export async function seedCounterDay(
  base: string,
  adminUser: string,
  adminPassword: string,
  holders: number,
): Promise<Seeded> {
  const admin = await login(base, adminUser, adminPassword);
  const tag = randomBytes(3).toString('hex').toUpperCase();
  const branch = await call<{ id: string }>(base, 'POST', '/branches', admin, {
    code: `B${tag}`,
    name: 'Bench branch',
  });
  const counter = await call<{ id: string }>(
    base,
    'POST',
    `/branches/${branch.id}/counters`,
    admin,
    { code: `C${tag}`, name: 'Counter 1' },
  );
  const clerkPassword = randomBytes(12).toString('base64url');
  await call(base, 'POST', '/staff', admin, {
    username: `clerk-${tag.toLowerCase()}`,
    displayName: 'Bench clerk',
    password: clerkPassword,
    roles: ['clerk'],
    branchId: branch.id,
  });
  const clerk = await login(base, `clerk-${tag.toLowerCase()}`, clerkPassword, counter.id);
  const uids = Array.from({ length: holders }, () => randomBytes(4).toString('hex').toUpperCase());
  await call(base, 'POST', '/stock/batches', admin, uids);
  await call(base, 'POST', '/drawers/open', clerk, { openingFloat: '500.00' });
  const cardNumbers: string[] = [];
  const idNumbers: string[] = [];
  for (const [i, uid] of uids.entries()) {
    const dateOfBirth = `19${String(50 + (i % 40))}-0${1 + (i % 9)}-1${i % 10}`;
    const idNumber = residentId(dateOfBirth);
    const holder = await call<{ id: string }>(base, 'POST', '/cardholders', clerk, {
      name: `Resident ${i}`,
      document: { type: 'resident_id', number: idNumber },
      dateOfBirth,
    });
    const card = await call<{ id: string; cardNumber: string }>(
      base,
      'POST',
      '/cards/issue',
      clerk,
      { uid, cardholderId: holder.id, productCode: 'standard' },
    );
    await call(base, 'POST', `/cards/${card.id}/activate`, clerk, {});
    cardNumbers.push(card.cardNumber);
    idNumbers.push(idNumber);
  }
  return { headers: clerk, cardNumbers, idNumbers };
}
