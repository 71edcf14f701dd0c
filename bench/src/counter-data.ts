import type pg from 'pg';

/**
 * A business day at the counters, for the clearing bench: `loads` top-ups confirmed on cards, each
 * paid in cash into a drawer and posted to its card's shadow balance, written straight into
 * issuance's tables in one statement per table.
 * Setting up only: foreign keys and triggers are not checked (session_replication_role = replica),
 * so no cardholder, product, plan or staff account is made for them; the rows carry every column
 * the contract views read. Day k (0 the measured day) takes cards and loads of its own.
 */
export async function generateCounterDay(
  db: pg.Pool,
  shape: { readonly day: string; readonly k: number; readonly loads: number },
): Promise<void> {
  const client = await db.connect();
  try {
    await client.query('BEGIN');
    await client.query('SET LOCAL session_replication_role = replica');
    // One branch, counter, clerk and drawer for the day, the drawer opened at 08:00.
    const { rows } = await client.query<{ drawer: string; staff: string }>(
      `WITH ids AS (
         SELECT gen_random_uuid() AS branch, gen_random_uuid() AS counter,
                gen_random_uuid() AS staff, gen_random_uuid() AS drawer,
                ($1::date + time '08:00') AT TIME ZONE 'Asia/Shanghai' AS opened
       ), b AS (
         INSERT INTO issuance.branches (id, code, name)
         SELECT branch, 'B' || $2::int, 'Bench branch ' || $2::int FROM ids
       ), c AS (
         INSERT INTO issuance.counters (id, branch_id, code, name)
         SELECT counter, branch, 'C1', 'Counter 1' FROM ids
       ), s AS (
         INSERT INTO issuance.staff (id, username, display_name, password_hash, roles, branch_id)
         SELECT staff, 'bench-clerk-' || $2::int, 'Clerk', 'scrypt$bench', ARRAY['clerk'], branch
           FROM ids
       ), d AS (
         INSERT INTO issuance.drawers (id, staff_id, counter_id, branch_id, opened_at,
                                       opening_float)
         SELECT drawer, staff, counter, branch, opened, 0 FROM ids
       )
       SELECT drawer, staff FROM ids`,
      [shape.day, shape.k],
    );
    const ids = rows[0];
    if (ids === undefined) throw new Error('no drawer was opened');
    // The loads: card i of the day gets one top-up, spread over the counter's hours.
    await client.query(
      `CREATE TEMP TABLE bench_loads ON COMMIT DROP AS
       SELECT gen_random_uuid() AS card, gen_random_uuid() AS load_id,
              gen_random_uuid() AS plan_id,
              lpad(to_hex(($1::int + 1) * 16777216 + i), 8, '0') AS uid,
              '33' || lpad($1::text, 2, '0') || lpad(i::text, 12, '0') AS card_number,
              (10 + (i % 9) * 10)::numeric(18,2) AS amount,
              ($2::date + time '08:00') AT TIME ZONE 'Asia/Shanghai'
                + (i::float8 / $3::int) * interval '12 hours' AS at
         FROM generate_series(1, $3::int) i`,
      [shape.k, shape.day, shape.loads],
    );
    await client.query(
      `INSERT INTO issuance.cards (id, uid, imported_at, card_number, product_code, cardholder_id,
                                   state, issued_at, expires_on, updated_at)
       SELECT card, upper(uid), at, card_number, 'bench', gen_random_uuid(), 'active', at,
              date '2036-01-01', at
         FROM bench_loads`,
    );
    await client.query(
      `INSERT INTO issuance.loads (id, card_id, amount, state, drawer_id, staff_id, business_day,
                                   created_at, updated_at, request_id)
       SELECT load_id, card, amount, 'confirmed', $1, $2, $3::date, at, at, 'bench'
         FROM bench_loads`,
      [ids.drawer, ids.staff, shape.day],
    );
    await client.query(
      `INSERT INTO issuance.load_attempts (plan_id, load_id, seq, read_plan_id, agent_id,
         counter_before, balance_before, balance_after, expect_record, history_at, terminal_ref,
         created_at, expires_at, outcome, reported_at)
       SELECT plan_id, load_id, 1, gen_random_uuid(), 'bench', 7, 0, amount,
              repeat('0', 32), 0, 0, at, at + interval '5 minutes', 'written', at
         FROM bench_loads`,
    );
    await client.query(
      `INSERT INTO issuance.load_events (load_id, seq, from_state, to_state, cause, plan_id,
                                         request_id, at)
       SELECT load_id, 1, 'pending', 'confirmed', 'report', plan_id, 'bench', at FROM bench_loads`,
    );
    // Each load in its card's shadow balance, as issuance posts it, for the float check.
    await client.query(
      `INSERT INTO issuance.shadow_balance_entries (card_id, seq, kind, amount, balance_after,
                                                    reference, at)
       SELECT card, 1, 'load', amount, amount, 'load:' || load_id, at FROM bench_loads`,
    );
    await client.query(
      `INSERT INTO issuance.cash_movements (drawer_id, seq, kind, amount, reference_type,
                                            reference_id, staff_id, request_id, at)
       SELECT $1, row_number() OVER (ORDER BY at), 'top_up_cash', amount, 'load',
              load_id::text, $2, 'bench', at
         FROM bench_loads`,
      [ids.drawer, ids.staff],
    );
    // The clerk closes the drawer at 21:00, the cash counted as expected.
    await client.query(
      `UPDATE issuance.drawers d
          SET closed_at = ($2::date + time '21:00') AT TIME ZONE 'Asia/Shanghai',
              expected_cash = m.total, counted_cash = m.total, difference = 0,
              closed_by = d.staff_id, closing_seq = m.n
         FROM (SELECT COALESCE(sum(amount), 0) AS total, count(*)::int AS n
                 FROM issuance.cash_movements WHERE drawer_id = $1) m
        WHERE d.id = $1`,
      [ids.drawer, shape.day],
    );
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK');
    throw err;
  } finally {
    client.release();
  }
}
