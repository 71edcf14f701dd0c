import { Writable } from 'node:stream';
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { AppError } from '../errors/index.js';
import { createLogger, loggerOptions, redactUrl } from './logger.js';

const PAN = '3100123456789012';
const ID = '11010519491231002X';

function capture(): {
  stream: Writable;
  text: () => string;
  lines: () => Record<string, unknown>[];
} {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      chunks.push(chunk.toString('utf8'));
      done();
    },
  });
  const text = () => chunks.join('');
  const lines = () =>
    text()
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  return { stream, text, lines };
}

const secrets = [
  'hunter2',
  'tok-abc',
  'kek-bytes',
  'Bearer eyJ',
  PAN,
  ID,
  '00112233445566778899aabbccddeeff',
];

describe('createLogger', () => {
  it('writes lines with no secret, card number or id in them', () => {
    const out = capture();
    const log = createLogger({ name: 'test', destination: out.stream });
    log.info(
      {
        staff: { password: 'hunter2', session: { accessToken: 'tok-abc' } },
        headers: { Authorization: 'Bearer eyJ' },
        cards: [{ cardNumber: PAN }, { holder: { nationalId: ID } }],
        keys: {
          kek: 'kek-bytes',
          diversified: Buffer.from('00112233445566778899aabbccddeeff', 'hex'),
        },
      },
      'card issued',
    );
    const written = out.text();
    for (const s of secrets) expect(written).not.toContain(s);
    expect(written).toContain('************9012');
    expect(written).toContain('110105********002X');
    expect(out.lines()[0]).toMatchObject({ name: 'test', msg: 'card issued', level: 30 });
  });

  it('redacts child bindings', () => {
    const out = capture();
    createLogger({ name: 'test', destination: out.stream })
      .child({ token: 'tok-abc' })
      .warn('bound');
    expect(out.text()).not.toContain('tok-abc');
    expect(out.lines()[0]).toMatchObject({ token: '[redacted]', msg: 'bound' });
  });

  it('redacts bindings of grandchildren and keeps the plain ones', () => {
    const out = capture();
    const root = createLogger({ name: 'test', destination: out.stream });
    root
      .child({ terminal: 'T-1' })
      .child({ session: { refreshToken: 'tok-abc' } }, { level: 'debug' })
      .debug('deep');
    expect(out.text()).not.toContain('tok-abc');
    expect(out.lines()[0]).toMatchObject({
      terminal: 'T-1',
      session: { refreshToken: '[redacted]' },
      msg: 'deep',
    });
  });

  it('logs errors with message, stack and code, and redacts their details', () => {
    const out = capture();
    const log = createLogger({ name: 'test', destination: out.stream });
    log.error({ err: new AppError('VALIDATION_FAILED', { details: { pan: PAN } }) }, 'rejected');
    log.error(new Error('plain failure'));
    const [first, second] = out.lines();
    expect(first?.err).toMatchObject({
      type: 'AppError',
      code: 'VALIDATION_FAILED',
      details: { pan: '************9012' },
    });
    expect(String((first?.err as { stack?: string }).stack)).toContain('AppError');
    expect(second).toMatchObject({ msg: 'plain failure', err: { message: 'plain failure' } });
    expect(out.text()).not.toContain(PAN);
  });

  it('respects the level', () => {
    const out = capture();
    const log = createLogger({ name: 'test', level: 'warn', destination: out.stream });
    log.info('hidden');
    log.warn('shown');
    expect(out.lines().map((l) => l.msg)).toEqual(['shown']);
  });
});

describe('loggerOptions with Fastify', () => {
  it('keeps card numbers and tokens out of request logs', async () => {
    const out = capture();
    const app = Fastify({ logger: { ...loggerOptions('svc', 'info'), stream: out.stream } });
    app.get('/cards/:pan', (req) => {
      req.log.info({ body: { enrolmentToken: 'tok-abc' } }, 'looked up');
      req.log.child({ cardNo: req.params }).info('child of the request logger');
      return { ok: true };
    });
    const res = await app.inject({ url: `/cards/${PAN}?token=tok-abc&page=2` });
    await app.close();
    expect(res.statusCode).toBe(200);
    const written = out.text();
    expect(written).not.toContain(PAN);
    expect(written).not.toContain('tok-abc');
    const incoming = out.lines().find((l) => l.msg === 'incoming request');
    expect(incoming?.req).toMatchObject({
      method: 'GET',
      url: '/cards/************9012?token=%5Bredacted%5D&page=2',
    });
    expect(out.lines().find((l) => l.msg === 'request completed')?.res).toEqual({
      statusCode: 200,
    });
    expect(out.lines().find((l) => l.msg === 'child of the request logger')).toMatchObject({
      cardNo: '[redacted]',
    });
  });
});

describe('redactUrl', () => {
  it('masks sensitive query parameters and PAN-length digit runs', () => {
    expect(redactUrl('/x?cardNo=3100123456789012&q=a')).toBe('/x?cardNo=************9012&q=a');
    expect(redactUrl('/plain/path')).toBe('/plain/path');
  });
});
