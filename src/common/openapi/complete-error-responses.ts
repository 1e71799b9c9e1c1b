import type { OpenAPIObject } from '@nestjs/swagger';
import type { OperationObject, ResponseObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { X_CHANGES_STATE, X_NO_DATABASE, X_NO_RATE_LIMIT, X_OPTIONAL_USER, X_PUBLIC, X_SESSION_ONLY } from './openapi-markers';

export const JWT_SCHEME = 'bearer';
export const API_KEY_SCHEME = 'api_key';
const ERROR = { $ref: '#/components/schemas/ErrorBodyDto' };
const VALIDATION_ERROR = { $ref: '#/components/schemas/ValidationErrorBodyDto' };

const json = (description: string, schema: object): ResponseObject => ({
  description,
  content: { 'application/json': { schema } },
});

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'] as const;

/**
 * Makes every operation list every status the global machinery can answer, with the error
 * schema (issue 14: the document is a contract a generator can trust):
 * - 400 (validation shape) everywhere: a malformed or repeated query parameter is refused on any route;
 * - 401 on bearer routes (AUTH_REQUIRED / AUTH_TOKEN_INVALID); 403 INSUFFICIENT_SCOPE on those
 *   that change state; 403 API_KEY_NOT_ALLOWED on session-only ones;
 * - 413 and 415 where there is a body; 429 unless rate limits are skipped; 500; 503 when a
 *   backing service is down.
 * Security: JWT or API key on bearer routes (JWT only on session-only ones), none on public ones.
 * A route's own description of a status is kept; only missing ones are added.
 */
export function completeErrorResponses(doc: OpenAPIObject): OpenAPIObject {
  for (const item of Object.values(doc.paths)) {
    for (const method of METHODS) {
      const op = item[method] as (OperationObject & Record<string, unknown>) | undefined;
      if (!op) continue;
      const isPublic = op[X_PUBLIC] === true;
      const optionalUser = op[X_OPTIONAL_USER] === true;
      const sessionOnly = op[X_SESSION_ONLY] === true;
      const changesState = op[X_CHANGES_STATE] === true || !['get', 'head', 'options'].includes(method);
      const add = (status: number, r: ResponseObject): void => {
        op.responses[status] ??= r;
      };
      op.security =
        isPublic && !optionalUser ? [] : sessionOnly ? [{ [JWT_SCHEME]: [] }] : [{ [JWT_SCHEME]: [] }, { [API_KEY_SCHEME]: [] }];
      if (optionalUser) op.security.push({});
      // a route's own 400 keeps its description but gets the validation shape (the pipe answers it too)
      const own400 = op.responses[400] as ResponseObject | undefined;
      op.responses[400] = json(
        own400?.description || 'VALIDATION_FAILED, MALFORMED_QUERY, MALFORMED_JSON, … (`errors` lists each problem)',
        VALIDATION_ERROR,
      );
      if (!isPublic || optionalUser) {
        add(401, json('AUTH_REQUIRED (no bearer) or AUTH_TOKEN_INVALID (expired, signed out, revoked API key)', ERROR));
        if (sessionOnly) add(403, json('API_KEY_NOT_ALLOWED: this route needs a signed-in session, not an API key', ERROR));
        else if (changesState) add(403, json('INSUFFICIENT_SCOPE: a read-only API key cannot change state', ERROR));
      }
      if (op.requestBody) {
        add(413, json('PAYLOAD_TOO_LARGE', ERROR));
        add(415, json('UNSUPPORTED_ENCODING', ERROR));
      }
      if (op[X_NO_RATE_LIMIT] !== true) add(429, json('RATE_LIMITED', ERROR));
      add(500, json('INTERNAL_ERROR (no detail is ever given)', ERROR));
      if (op[X_NO_DATABASE] !== true)
        add(503, json('SERVICE_UNAVAILABLE: PostgreSQL or Redis is unreachable; try again shortly', ERROR));
      // an error a route described without a body schema is still answered by the one filter
      for (const [status, r] of Object.entries(op.responses)) {
        const response = r as ResponseObject;
        // (and as JSON, even on a route whose success is text/plain)
        if (Number(status) >= 400 && !response.content?.['application/json']) {
          response.content = { 'application/json': { schema: Object.values(response.content ?? {})[0]?.schema ?? ERROR } };
        }
      }
      for (const key of [X_PUBLIC, X_OPTIONAL_USER, X_SESSION_ONLY, X_CHANGES_STATE, X_NO_RATE_LIMIT, X_NO_DATABASE])
        delete op[key];
    }
  }
  return doc;
}
