import { Agent, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { SAM_ID } from '../helpers/sandbox';
import { callback, dialog, newUser, startStack, type Stack } from '../helpers/stack';

/**
 * OpenAPI-driven fuzzing (DESIGN.md section 7: bad input of any kind gets a 4xx with a clear
 * `code`). Every path + method of /docs-json gets mutated requests: path parameters, query
 * strings, bodies and headers. PostgreSQL, Redis and the sandbox are up, so no answer may be a
 * 5xx (a 503 would be a bug too), and every error answer is `{ statusCode, code, message }`.
 *
 * Reproduce a failure with the seed it prints: FUZZ_SEED=<seed> npx jest test/e2e/fuzz.e2e-spec.ts
 * (FUZZ_RUNS changes the number of requests).
 */
const SEED = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : 20261130;
const RUNS = process.env.FUZZ_RUNS ? Number(process.env.FUZZ_RUNS) : 5000;
const CONCURRENCY = 8;

interface Schema {
  $ref?: string;
  type?: string;
  properties?: Record<string, Schema>;
  items?: Schema;
  enum?: unknown[];
  example?: unknown;
  required?: string[];
}

interface Operation {
  method: string;
  path: string;
  pathParams: string[];
  queryParams: string[];
  bodySchema?: Schema;
  bodyTypes: string[];
}

interface FuzzRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: Buffer;
  /** How the body was made, for the failure report. */
  bodyKind: string;
}

interface Answer {
  status: number;
  contentType: string;
  text: string;
}

/** Everything but RFC 3986 unreserved characters as UTF-8 %XX (a lone surrogate becomes U+FFFD's bytes). */
function pct(s: string): string {
  return [...Buffer.from(s, 'utf8')]
    .map((b) => (/[A-Za-z0-9\-._~]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : `%${b.toString(16).toUpperCase()}`))
    .join('');
}

const RAW_MALFORMED = ['%', '%G1', '%E0%A4%A', '%FF', '%C0%80', '%ED%A0%80', '%%', '%0'];

/** Strings that have broken parsers, validators and databases before. */
const nastyString = fc.oneof(
  fc.constantFrom(
    '',
    ' ',
    '0',
    '-1',
    '1.5',
    '1e309',
    '99999999999999999999999999',
    'NaN',
    'null',
    'true',
    '__proto__',
    'constructor',
    'prototype',
    '..',
    '../../etc/passwd',
    '\u0000',
    'a\u0000b',
    '\ud800',
    'x\udc00y',
    '\ud83d\ude00',
    'é漢字',
    '\u202e',
    "'; DROP TABLE users; --",
    '<script>alert(1)</script>',
    '${jndi:ldap://x}',
    '%s%n',
    'a'.repeat(5000),
  ),
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 20 }),
);

const nastyValue: fc.Arbitrary<unknown> = fc.oneof(
  nastyString,
  fc.constantFrom(null, true, false, 0, -1, 1.5, 2 ** 53 + 1, -(2 ** 31), 1e308, [], {}, [null], { a: 1 }),
  fc.integer(),
  fc.double({ noNaN: true }),
);

function resolve(doc: Record<string, unknown>, schema: Schema | undefined): Schema | undefined {
  if (!schema?.$ref) return schema;
  const name = schema.$ref.split('/').pop() as string;
  return (doc as { components: { schemas: Record<string, Schema> } }).components.schemas[name];
}

/** A value the schema accepts (examples, enums), to mutate from. */
function validValue(doc: Record<string, unknown>, raw: Schema | undefined, depth = 0): fc.Arbitrary<unknown> {
  const schema = resolve(doc, raw);
  if (!schema || depth > 4) return fc.constant(null);
  if (schema.enum?.length) return fc.constantFrom(...schema.enum);
  switch (schema.type) {
    case 'object': {
      const entries = Object.entries(schema.properties ?? {}).map(([k, s]) => [k, validValue(doc, s, depth + 1)] as const);
      if (!entries.length) return fc.constant(schema.example ?? {});
      return fc.record(Object.fromEntries(entries), { requiredKeys: schema.required ?? [] });
    }
    case 'array':
      return fc.array(validValue(doc, schema.items, depth + 1), { maxLength: 3 });
    case 'integer':
    case 'number':
      return schema.example === undefined ? fc.integer({ min: 0, max: 1000 }) : fc.constant(schema.example);
    case 'boolean':
      return fc.boolean();
    default:
      return schema.example === undefined
        ? fc.string({ maxLength: 20 })
        : fc.oneof(fc.constant(schema.example), fc.string({ maxLength: 20 }));
  }
}

/** Raw JSON texts no serializer would write. */
const rawJson = fc.oneof(
  fc.integer({ min: 1, max: 20000 }).map((n) => `${'['.repeat(n)}${']'.repeat(n)}`),
  fc.integer({ min: 1, max: 20000 }).map((n) => `${'{"a":'.repeat(n)}1${'}'.repeat(n)}`),
  fc.constantFrom(
    '{"__proto__":{"isAdmin":true,"role":"admin"},"email":"p@example.com","password":"a-good-password"}',
    '{"constructor":{"prototype":{"role":"admin"}},"email":"c@example.com","password":"a-good-password"}',
    '{"email":"a@example.com","email":"b@example.com","password":"a-good-password"}',
    '{"email":"\\ud800@example.com","password":"a-good-password"}',
    '{"email":"a@example.com","password":"\\udfff\\udfffxxxxxxxx"}',
    '{"email":"a@example.com","password":"\\u0000\\u0000xxxxxxxx"}',
    '{"\\ud800":1}',
    '{"state":"\\ud800","ig_user_ids":["1"]}',
    '{"signed_request":"\\u0000.\\ud800"}',
    '{',
    '{"a":}',
    '[1,]',
    'null',
    '"just a string"',
    '12',
    '{"a":1e999999}',
    '{"a":-0}',
    '\ufeff{}',
    '{}garbage',
  ),
);

function bodyFor(doc: Record<string, unknown>, op: Operation): fc.Arbitrary<{ text: Buffer | undefined; kind: string }> {
  const valid = validValue(doc, op.bodySchema);
  const asJson = (v: unknown, kind: string) => ({ text: Buffer.from(JSON.stringify(v) ?? 'null'), kind });
  const asForm = (v: unknown, kind: string) => ({
    text: Buffer.from(
      typeof v === 'object' && v !== null
        ? Object.entries(v)
            .map(([k, x]) => `${pct(k)}=${pct(typeof x === 'string' ? x : (JSON.stringify(x) ?? ''))}`)
            .join('&')
        : pct(String(v)),
    ),
    kind,
  });
  return fc.oneof(
    fc.constant({ text: undefined, kind: 'none' }),
    valid.map((v) => asJson(v, 'valid json')),
    // one property of a valid body replaced by a value of the wrong type, or an extra one
    fc
      .tuple(
        valid,
        fc.oneof(fc.constantFrom(...Object.keys(resolve(doc, op.bodySchema)?.properties ?? { x: 0 })), nastyString),
        nastyValue,
      )
      .map(([v, key, bad]) => {
        const obj = typeof v === 'object' && v !== null && !Array.isArray(v) ? { ...v } : {};
        Object.defineProperty(obj, key, { value: bad, enumerable: true, configurable: true, writable: true });
        return asJson(obj, `json with ${JSON.stringify(key).slice(0, 40)} mutated`);
      }),
    nastyValue.map((v) => asJson(v, 'json of another type')),
    fc.integer({ min: 1, max: 4 }).map((n) => asJson({ email: 'x'.repeat(n * 40_000), password: 'y' }, `~${n * 40} kB json`)),
    rawJson.map((t) => ({ text: Buffer.from(t), kind: `raw json ${t.slice(0, 30)}` })),
    valid.map((v) => asJson(v, 'valid json').text.subarray(0, -1)).map((t) => ({ text: t, kind: 'truncated json' })),
    valid.map((v) => asForm(v, 'form')),
    fc
      .tuple(fc.constantFrom(...RAW_MALFORMED), fc.constantFrom('email', 'signed_request', 'a'))
      .map(([m, k]) => ({ text: Buffer.from(`${k}=${m}&${k}=x&${k}[]=y`), kind: 'malformed form' })),
    fc.uint8Array({ maxLength: 200 }).map((b) => ({ text: Buffer.from(b), kind: 'random bytes' })),
  );
}

const pathValue = (realIds: string[]): fc.Arbitrary<string> =>
  fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...realIds) },
    { weight: 3, arbitrary: nastyString.map(pct) },
    { weight: 2, arbitrary: fc.constantFrom(...RAW_MALFORMED, '..', '.', '%2e%2e', '%2F', '%00', '') },
    { weight: 1, arbitrary: fc.integer().map(String) },
    { weight: 1, arbitrary: fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }).map(String) },
  );

/** A query the route expects: its documented parameters, each once, with plain values. */
const validQuery = (op: Operation): fc.Arbitrary<string> =>
  fc
    .subarray(op.queryParams)
    .chain((keys) => fc.tuple(...keys.map((k) => fc.string({ maxLength: 30 }).map((v) => `${pct(k)}=${pct(v)}`))))
    .map((pairs) => pairs.join('&'));

const mutatedQuery = (op: Operation): fc.Arbitrary<string> => {
  const keys = [...op.queryParams, 'a', '__proto__', 'constructor[prototype][role]', 'state[]', 'x[y][z]'];
  const pair = fc.oneof(
    fc.tuple(fc.constantFrom(...keys), nastyString).map(([k, v]) => `${pct(k)}=${pct(v)}`),
    fc.tuple(fc.constantFrom(...keys), fc.constantFrom(...RAW_MALFORMED)).map(([k, m]) => `${pct(k)}=${m}`),
    fc.constantFrom(...RAW_MALFORMED).map((m) => `${m}=1`),
    fc.constantFrom('', '=', '==', '&', '+', 'a=1=2', '%20=%20'),
  );
  return fc.oneof(
    fc.uniqueArray(pair, { maxLength: 6 }).map((ps) => ps.join('&')),
    // a parameter given twice (HTTP parameter pollution)
    fc.tuple(fc.constantFrom(...keys), nastyString, nastyString).map(([k, a, b]) => `${pct(k)}=${pct(a)}&${pct(k)}=${pct(b)}`),
  );
};

function compress(body: Buffer | undefined, encoding: string): Buffer | undefined {
  if (!body) return body;
  if (encoding === 'gzip') return gzipSync(body);
  if (encoding === 'deflate') return deflateSync(body);
  if (encoding === 'br') return brotliCompressSync(body);
  return body;
}

describe(`fuzzing every documented route (e2e, seed ${SEED})`, () => {
  let stack: Stack;
  let baseUrl: URL;
  let doc: Record<string, unknown>;
  let ops: Operation[];
  let bearer: string;
  let otherBearer: string;
  let accountId: string;
  const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });

  beforeAll(async () => {
    stack = await startStack();
    await stack.api.app.listen(0, '127.0.0.1');
    baseUrl = new URL(`http://127.0.0.1:${(stack.api.app.getHttpServer().address() as AddressInfo).port}`);
    ({ auth: bearer } = await newUser(stack));
    // POST /auth/logout-all is fuzzed with a user of its own: the main bearer stays valid all along
    ({ auth: otherBearer } = await newUser(stack));
    const res = await callback(stack, bearer, await dialog(stack, bearer, { user: SAM_ID })).expect(200);
    accountId = String(res.body.accounts[0].id);
    doc = (await stack.http().get('/docs-json').expect(200)).body as Record<string, unknown>;
    ops = [];
    for (const [path, methods] of Object.entries(doc.paths as Record<string, Record<string, unknown>>)) {
      for (const [method, raw] of Object.entries(methods)) {
        const o = raw as {
          parameters?: Array<{ in: string; name: string }>;
          requestBody?: { content: Record<string, { schema: Schema }> };
        };
        const content = o.requestBody?.content ?? {};
        ops.push({
          method: method.toUpperCase(),
          path,
          pathParams: (o.parameters ?? []).filter((p) => p.in === 'path').map((p) => p.name),
          queryParams: (o.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name),
          bodySchema: Object.values(content)[0]?.schema,
          bodyTypes: Object.keys(content),
        });
      }
    }
  });
  afterAll(async () => {
    agent.destroy();
    await stack.close();
  });

  const send = (r: FuzzRequest): Promise<Answer> =>
    new Promise((resolveAnswer, reject) => {
      const req = httpRequest(
        { host: baseUrl.hostname, port: baseUrl.port, method: r.method, path: r.path, headers: r.headers, agent },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () =>
            resolveAnswer({
              status: res.statusCode ?? 0,
              contentType: String(res.headers['content-type'] ?? ''),
              text: Buffer.concat(chunks).toString('utf8'),
            }),
          );
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(r.body);
    });

  type Dimension = 'path' | 'query' | 'body' | 'headers';

  /**
   * One request: valid in every dimension but the chosen ones (none: a plain valid request),
   * so mutations reach past the first check that would refuse them.
   */
  const requestFor = (op: Operation): fc.Arbitrary<FuzzRequest> => {
    const ids = [accountId, '1', '2'];
    const validBearer = op.path === '/auth/logout-all' ? otherBearer : bearer;
    const jsonTypes = op.bodyTypes.length ? op.bodyTypes : ['application/json'];
    const path = (mutate: boolean) =>
      fc
        .tuple(...op.pathParams.map(() => (mutate ? pathValue(ids) : fc.constantFrom(...ids))))
        .map((values) => op.pathParams.reduce((p, name, i) => p.replace(`{${name}}`, values[i]), op.path));
    const validBody = validValue(doc, op.bodySchema).map((v) => ({
      text: op.bodySchema ? Buffer.from(JSON.stringify(v)) : undefined,
      kind: 'valid json',
    }));
    const contentType = fc.constantFrom(
      'application/json; charset=utf-8',
      'application/json; charset=utf-16',
      'application/json; charset=latin1',
      'application/json; charset="',
      'application/x-www-form-urlencoded',
      'application/x-www-form-urlencoded; charset=iso-8859-1',
      'text/plain',
      'multipart/form-data; boundary=x',
      'application/xml',
      'application/merge-patch+json',
      'garbage/;;;',
      '',
    );
    const encoding = fc.constantFrom(
      'gzip',
      'deflate',
      'br',
      'identity',
      'identity, gzip',
      'gzip, gzip',
      'bogus',
      'GZIP',
      'compress',
      'corrupt gzip',
    );
    const authorization = fc.constantFrom(
      '',
      'Bearer',
      'Bearer ',
      'Bearer garbage',
      'bearer  x.y.z',
      'Basic dXNlcjpwYXNz',
      `${bearer}x`,
      `${bearer.slice(0, -5)}AAAAA`,
      `Bearer ${bearer.split(' ')[1].split('.').reverse().join('.')}`,
      'Bearer eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.eyJzdWIiOjEsInJvbGUiOiJhZG1pbiJ9.',
      `Bearer ${'a'.repeat(6000)}`,
    );
    const accept = fc.constantFrom('', 'text/html', '*/*', 'text/html;q=abc, application/json;q=2', 'x/y');
    const signature = fc.constantFrom('', 'sha256=', `sha256=${'0'.repeat(64)}`, 'sha1=abc', 'garbage');
    const dimensions = fc.oneof(
      { weight: 1, arbitrary: fc.constant<Dimension[]>([]) },
      { weight: 8, arbitrary: fc.constantFrom<Dimension>('path', 'query', 'body', 'headers').map((d) => [d]) },
      { weight: 2, arbitrary: fc.subarray<Dimension>(['path', 'query', 'body', 'headers'], { minLength: 2 }) },
    );
    return dimensions.chain((mutated) => {
      const m = (d: Dimension) => mutated.includes(d);
      // a route without a body gets one only now and then: most of its fuzzing is elsewhere
      const body = m('body')
        ? op.bodySchema
          ? bodyFor(doc, op)
          : fc.oneof({ weight: 1, arbitrary: bodyFor(doc, op) }, { weight: 2, arbitrary: validBody })
        : validBody;
      return fc
        .record({
          path: path(m('path')),
          query: m('query') ? mutatedQuery(op) : validQuery(op),
          body,
          contentType: m('headers') ? fc.oneof(fc.constantFrom(...jsonTypes), contentType) : fc.constantFrom(...jsonTypes),
          encoding: m('headers') ? fc.oneof(fc.constant(''), encoding) : fc.constant(''),
          authorization: m('headers') ? fc.oneof(fc.constant(validBearer), authorization) : fc.constant(validBearer),
          accept: m('headers') ? accept : fc.constant('application/json'),
          signature: m('headers') ? signature : fc.constant(''),
        })
        .map((x) => {
          const headers: Record<string, string> = {};
          const enc = x.encoding === 'corrupt gzip' ? 'gzip' : x.encoding;
          const form = x.contentType.startsWith('application/x-www-form-urlencoded') && x.body.kind === 'valid json';
          const text = form
            ? Buffer.from(new URLSearchParams(JSON.parse(x.body.text?.toString() ?? '{}')).toString())
            : x.body.text;
          const sent = x.encoding === 'corrupt gzip' ? text : compress(text, enc);
          if (x.contentType && text) headers['Content-Type'] = x.contentType;
          if (enc && text) headers['Content-Encoding'] = enc;
          if (x.authorization) headers.Authorization = x.authorization;
          if (x.accept) headers.Accept = x.accept;
          if (x.signature) headers['X-Hub-Signature-256'] = x.signature;
          if (sent) headers['Content-Length'] = String(sent.length);
          return {
            method: op.method,
            path: x.query ? `${x.path}?${x.query}` : x.path,
            headers,
            body: sent,
            bodyKind: `[${mutated.join(',')}] ${form ? 'form' : x.body.kind}${x.encoding ? ` (${x.encoding})` : ''}`,
          };
        });
    });
  };

  /** Null when the answer is fine, else what is wrong with it. */
  const problemWith = (a: Answer): string | null => {
    if (a.status >= 500) return `status ${a.status}`;
    if (a.status < 400) return null;
    if (!a.contentType.startsWith('application/json')) return `error answered as ${a.contentType || 'no content type'}`;
    let body: { statusCode?: unknown; code?: unknown; message?: unknown };
    try {
      body = JSON.parse(a.text) as typeof body;
    } catch {
      return 'error body is not JSON';
    }
    if (body.statusCode !== a.status) return `statusCode ${String(body.statusCode)} in the body`;
    if (typeof body.code !== 'string' || !/^[A-Z][A-Z0-9_]+$/.test(body.code)) return 'no stable code';
    if (typeof body.message !== 'string' || !body.message) return 'no message';
    return null;
  };

  it(`should answer ${RUNS} mutated requests over every route with < 500 and the error envelope`, async () => {
    expect(ops.length).toBeGreaterThanOrEqual(20);
    const requests = fc.sample(
      fc.constantFrom(...ops).chain((op) => requestFor(op).map((r) => ({ op: `${op.method} ${op.path}`, r }))),
      { seed: SEED, numRuns: RUNS },
    );
    const perOp = new Map<string, number>();
    const statuses = new Map<number, number>();
    const failures: string[] = [];
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < requests.length) {
        const { op, r } = requests[next++];
        perOp.set(op, (perOp.get(op) ?? 0) + 1);
        const answer = await send(r);
        statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
        const problem = problemWith(answer);
        if (problem) {
          failures.push(
            `${problem}: ${r.method} ${r.path.slice(0, 300)}\n  headers ${JSON.stringify(r.headers).slice(0, 400)}\n` +
              `  body (${r.bodyKind}) ${JSON.stringify(r.body?.toString('utf8').slice(0, 300) ?? null)}\n` +
              `  answer ${answer.status} ${answer.text.slice(0, 300)}`,
          );
        }
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));

    if (failures.length) {
      throw new Error(
        `${failures.length} of ${RUNS} fuzzed requests failed; reproduce with FUZZ_SEED=${SEED}\n\n${failures.slice(0, 15).join('\n\n')}`,
      );
    }
    // nothing skipped: every documented route got its share, and the fuzzing reached past the edge
    for (const op of ops) expect(perOp.get(`${op.method} ${op.path}`) ?? 0).toBeGreaterThanOrEqual(RUNS / ops.length / 3);
    expect([...statuses.keys()].some((s) => s < 300)).toBe(true);
    // and the stack is still healthy afterwards
    expect((await stack.http().get('/health/ready')).status).toBe(200);
    expect((await stack.http().get('/auth/me').set('Authorization', bearer)).status).toBe(200);
  }, 120_000);
});
