import Ajv, { type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';

type Doc = {
  paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, { schema?: object }> }> }>>;
  components: { schemas: Record<string, object> };
};

export interface Checked {
  method: string;
  path: string;
  status: number;
}

/**
 * Checks real answers against the OpenAPI document: the status must be listed for the
 * operation, and a JSON body must validate against its schema (ajv, OpenAPI 3.0 `nullable`).
 * Remembers which operations it saw, so a spec can assert every operation was exercised.
 */
export class OpenApiContract {
  private readonly ajv: Ajv;
  private readonly routes: Array<{ re: RegExp; template: string }>;
  private readonly cache = new Map<string, ValidateFunction>();
  readonly seen: Checked[] = [];

  constructor(readonly doc: Doc) {
    this.ajv = new Ajv({ strict: false, allErrors: true });
    addFormats(this.ajv);
    this.ajv.addSchema({ $id: 'openapi', components: doc.components });
    this.routes = Object.keys(doc.paths)
      .map((template) => ({ template, re: new RegExp(`^${template.replace(/\{[^}]+\}/g, '[^/]+')}$`) }))
      // literal segments before parameters: /social/accounts/{id} must not swallow a literal path
      .sort((a, b) => (a.template.match(/\{/g)?.length ?? 0) - (b.template.match(/\{/g)?.length ?? 0));
  }

  /** Throws a readable error when the answer is not what the document promises. */
  check(method: string, url: string, status: number, body: unknown, contentType?: string): void {
    const path = url.split('?')[0];
    const route = this.routes.find((r) => r.re.test(path));
    if (!route) throw new Error(`${method} ${path}: not in the document`);
    const op = this.doc.paths[route.template][method.toLowerCase()];
    if (!op) throw new Error(`${method} ${route.template}: method not in the document`);
    const response = op.responses[String(status)] ?? op.responses.default;
    if (!response) {
      throw new Error(
        `${method} ${route.template} answered ${status}, which the document does not list (${Object.keys(op.responses).join(', ')})`,
      );
    }
    this.seen.push({ method: method.toUpperCase(), path: route.template, status });
    const schema = response.content?.['application/json']?.schema;
    if (!schema || !contentType?.includes('application/json')) return;
    const key = `${method} ${route.template} ${status}`;
    let validate = this.cache.get(key);
    if (!validate) {
      validate = this.ajv.compile(this.resolve(schema));
      this.cache.set(key, validate);
    }
    if (!validate(body)) {
      throw new Error(
        `${key}: body does not match the document: ${this.ajv.errorsText(validate.errors)}\n${JSON.stringify(body).slice(0, 500)}`,
      );
    }
  }

  /** Every operation in the document, as "METHOD /path". */
  operations(): string[] {
    return Object.entries(this.doc.paths).flatMap(([path, item]) => Object.keys(item).map((m) => `${m.toUpperCase()} ${path}`));
  }

  private resolve(schema: object): object {
    return JSON.parse(JSON.stringify(schema).replace(/"#\/components\/schemas\//g, '"openapi#/components/schemas/')) as object;
  }
}

/** supertest's `.expect(fn)` hook: `req.expect(contract.hook())`. */
export function conformsTo(contract: OpenApiContract) {
  return (res: {
    req: { method: string; path: string };
    status: number;
    body: unknown;
    headers: Record<string, string>;
  }): void => {
    contract.check(res.req.method, res.req.path, res.status, res.body, res.headers['content-type']);
  };
}
