/**
 * A small, strict OpenAPI 3 response checker for e2e tests: does a real JSON answer match the
 * schema the served document (/docs-json) declares for that route, method and status? Required
 * properties present, types (and `nullable`) match, enums hold, date-time strings parse, and no
 * property the document does not mention. `$ref`, `allOf`, `oneOf`/`anyOf` and arrays are followed.
 */
export interface OpenApiDocument {
  paths: Record<string, Record<string, { responses?: Record<string, ResponseObject> }>>;
  components?: { schemas?: Record<string, Schema> };
}
interface ResponseObject {
  content?: Record<string, { schema?: Schema }>;
}
export interface Schema {
  $ref?: string;
  type?: string | string[];
  nullable?: boolean;
  properties?: Record<string, Schema>;
  required?: string[];
  additionalProperties?: boolean | Schema;
  items?: Schema;
  enum?: unknown[];
  format?: string;
  allOf?: Schema[];
  oneOf?: Schema[];
  anyOf?: Schema[];
}

function resolve(doc: OpenApiDocument, s: Schema): Schema {
  let out = s;
  for (let i = 0; out.$ref && i < 20; i++) {
    const name = out.$ref.replace('#/components/schemas/', '');
    const target = doc.components?.schemas?.[name];
    if (!target) throw new Error(`unresolved $ref ${out.$ref}`);
    out = { ...target, nullable: out.nullable ?? target.nullable };
  }
  return out;
}

/** allOf flattened into one object schema (properties and required merged). */
function flatten(doc: OpenApiDocument, s: Schema): Schema {
  const r = resolve(doc, s);
  if (!r.allOf) return r;
  const parts = r.allOf.map((p) => flatten(doc, p));
  return {
    ...r,
    allOf: undefined,
    type: r.type ?? parts.find((p) => p.type)?.type,
    properties: Object.assign({}, ...parts.map((p) => p.properties ?? {}), r.properties ?? {}) as Record<string, Schema>,
    required: [...new Set([...parts.flatMap((p) => p.required ?? []), ...(r.required ?? [])])],
  };
}

const typeOf = (v: unknown): string =>
  v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v === 'number' && Number.isInteger(v) ? 'integer' : typeof v;

/** Every mismatch between `value` and `schema`, as "path: problem" lines (empty when it matches). */
export function shapeErrors(doc: OpenApiDocument, schema: Schema, value: unknown, path = '$'): string[] {
  const s = flatten(doc, schema);
  if (s.oneOf || s.anyOf) {
    const options = (s.oneOf ?? s.anyOf) as Schema[];
    if (value === null && s.nullable) return [];
    const results = options.map((o) => shapeErrors(doc, o, value, path));
    return results.some((r) => r.length === 0)
      ? []
      : [`${path}: matches none of ${options.length} alternatives (${results[0].join('; ')})`];
  }
  const types = s.type === undefined ? [] : Array.isArray(s.type) ? s.type : [s.type];
  const actual = typeOf(value);
  if (value === null) return s.nullable || types.includes('null') ? [] : [`${path}: null but not nullable`];
  if (types.length) {
    const ok = types.some((t) => t === actual || (t === 'number' && actual === 'integer'));
    if (!ok) return [`${path}: ${actual} where the document says ${types.join('|')}`];
  }
  const errors: string[] = [];
  if (s.enum && !s.enum.includes(value)) errors.push(`${path}: ${JSON.stringify(value)} not in enum`);
  if (s.format === 'date-time' && typeof value === 'string' && Number.isNaN(Date.parse(value)))
    errors.push(`${path}: "${value}" is not a date-time`);
  if (actual === 'array' && s.items)
    (value as unknown[]).forEach((v, i) => errors.push(...shapeErrors(doc, s.items as Schema, v, `${path}[${i}]`)));
  if (actual === 'object' && (s.properties || s.type === 'object')) {
    const obj = value as Record<string, unknown>;
    const props = s.properties ?? {};
    for (const r of s.required ?? []) if (!(r in obj)) errors.push(`${path}.${r}: required but missing`);
    for (const [k, v] of Object.entries(obj)) {
      if (props[k]) errors.push(...shapeErrors(doc, props[k], v, `${path}.${k}`));
      else if (s.additionalProperties === undefined || s.additionalProperties === false) {
        if (s.properties || s.additionalProperties === false) errors.push(`${path}.${k}: not in the document`);
      } else if (typeof s.additionalProperties === 'object')
        errors.push(...shapeErrors(doc, s.additionalProperties, v, `${path}.${k}`));
    }
  }
  return errors;
}

/** The schema declared for a route's answer, or a description of why there is none. */
export function declaredSchema(doc: OpenApiDocument, route: string, method: string, status: number): Schema | string {
  const op = doc.paths[route]?.[method.toLowerCase()];
  if (!op) return `no operation ${method.toUpperCase()} ${route} in the document`;
  const res = op.responses?.[String(status)] ?? op.responses?.default;
  if (!res)
    return `${method.toUpperCase()} ${route} documents no ${status} answer (has ${Object.keys(op.responses ?? {}).join(', ')})`;
  const schema = res.content?.['application/json']?.schema;
  if (!schema) return `${method.toUpperCase()} ${route} ${status} has no application/json schema`;
  return schema;
}
