import { batchRoutes, BATCH_PART_HEADER } from './batch-routes';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import type { NextFunction, Request, Response } from 'express';
import { SANDBOX_APP_ID, SANDBOX_APP_SECRET } from '../config/app-config';
import { ControlError, controlRoutes, controlTokenGuard } from './control-routes';
import { dialogRoutes } from './dialog-routes';
import { SandboxGraphError, defaultHttpStatus, newTraceId } from './errors';
import { graphRoutes } from './graph-routes';
import { instagramControlRoutes, instagramLoginRoutes } from './instagram-login-routes';
import { reelsRoutes, ruploadRoutes } from './reels-routes';
import { locals, requestParams } from './request-context';
import type { SandboxLocals } from './request-context';
import { DEFAULT_GRAPH_VERSION, SandboxState, maskParams } from './sandbox-state';
import type { UsageSettings } from './sandbox-state';
import type { WebhookSettings } from './webhook-sender';

export interface SandboxOptions {
  /** 0 = a random free port. */
  port?: number;
  /** Default 127.0.0.1. Anything beyond loopback needs a controlToken. */
  host?: string;
  /** Required on the control API (`/__sandbox/…`) when set; mandatory when host is not loopback. */
  controlToken?: string;
  appId?: string;
  appSecret?: string;
  redirectUris?: string[];
  /** Instagram Login's redirect URIs; default each of `redirectUris` followed by `/instagram`. */
  instagramRedirectUris?: string[];
  /** Default true, like an app with "Require App Secret" switched on. */
  requireAppSecretProof?: boolean;
  /** Default true: Alex Rivera and Sam Lee with their Pages and IG accounts. */
  seed?: boolean;
  /** Callback URLs of the app (and retry policy) for the outgoing deauthorize / data-deletion / webhook calls. */
  webhooks?: Partial<WebhookSettings>;
}

export interface RunningSandbox {
  /** e.g. http://127.0.0.1:8090 */
  url: string;
  port: number;
  state: SandboxState;
  close(): Promise<void>;
}

const VERSION_PREFIX = /^\/(v\d+\.\d+)(?=\/|\?|$)/;
const ERROR_HEADERS = { 'Cache-Control': 'no-store', Pragma: 'no-cache', Expires: 'Sat, 01 Jan 2000 00:00:00 GMT' };

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function sendGraphError(res: Response, err: SandboxGraphError): void {
  res
    .status(err.httpStatus)
    .set(ERROR_HEADERS)
    .set('WWW-Authenticate', `OAuth "Facebook Platform" "${err.challenge}" "${err.fields.message.replace(/"/g, "'")}"`)
    .json(err.toEnvelope(locals(res).traceId));
}

/** Builds the express app; exported separately so it can be mounted or inspected without a socket. */
export function createSandboxApp(state: SandboxState, pending: Set<Response>, controlToken?: string): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('json spaces', 0);
  // rupload bodies are raw video bytes (curl sends them as form-urlencoded): never parse them.
  const unlessRupload =
    (parser: express.RequestHandler): express.RequestHandler =>
    (req, res, next) =>
      req.path.startsWith('/rupload/') ? next() : parser(req, res, next);
  app.use(unlessRupload(express.json({ limit: '1mb' })));
  app.use(unlessRupload(express.urlencoded({ extended: false, limit: '1mb' })));

  app.use('/__sandbox/instagram', controlTokenGuard(controlToken), instagramControlRoutes(state));
  app.use('/__sandbox', controlTokenGuard(controlToken), controlRoutes(state));

  // Front door for everything Meta-shaped: version prefix, Meta's headers, calls log, latency, faults.
  app.use(async (req: Request, res: Response, next: NextFunction) => {
    const m = VERSION_PREFIX.exec(req.url);
    const l: SandboxLocals = { version: m ? m[1] : DEFAULT_GRAPH_VERSION, versioned: !!m, traceId: newTraceId() };
    res.locals = Object.assign(res.locals, l);
    if (m) req.url = req.url.slice(m[0].length) || '/';
    if (!req.url.startsWith('/')) req.url = `/${req.url}`;
    const path = req.path;
    const isDialog = path.startsWith('/dialog/');
    res.set({
      'facebook-api-version': l.version,
      'x-fb-trace-id': l.traceId,
      'x-fb-rev': '1000000',
    });

    res.on('close', () => {
      const params = requestParams(req);
      const queryKeys = Object.keys(req.query);
      state.recordCall({
        method: req.method,
        path,
        version: m ? m[1] : null,
        query: maskParams(Object.fromEntries(queryKeys.map((k) => [k, params[k] ?? '']))),
        body_keys: req.body && typeof req.body === 'object' ? Object.keys(req.body as object) : [],
        status: res.headersSent ? res.statusCode : 0,
        time: new Date(state.now()).toISOString(),
        ...(locals(res).faultId ? { fault_id: locals(res).faultId } : {}),
        ...(req.headers[BATCH_PART_HEADER] !== undefined ? { batch: true } : {}),
      });
    });

    // a batch part rides in its batch's round trip: the latency was paid once, by the batch
    const batchPart = req.headers[BATCH_PART_HEADER] !== undefined;
    if (state.settings.latencyMs > 0 && !batchPart) await sleep(state.settings.latencyMs);
    const fault = state.takeFault(req.method, path);
    if (fault) locals(res).faultId = fault.id;
    if (fault?.drop_response) {
      // Meta acted (the handler runs), but the answer never reaches the client.
      const socket = req.socket;
      res.end = ((): Response => {
        socket.destroy();
        return res;
      }) as Response['end'];
    }
    if (fault?.latency_ms) await sleep(fault.latency_ms);

    const usage: UsageSettings | null =
      state.settings.usage && fault?.usage ? { ...state.settings.usage, ...fault.usage } : state.settings.usage;
    const faultUsage = fault?.usage
      ? { call_count: 0, total_cputime: 0, total_time: 0, estimated_time_to_regain_access: 0, ...fault.usage }
      : null;
    const effective = usage ?? faultUsage;
    if (effective && !isDialog) {
      const { estimated_time_to_regain_access, ...app } = effective;
      const nodeId = /^\/(\d+)/.exec(path)?.[1];
      const type = nodeId && (state.igAccounts.has(nodeId) || state.reels.ownerOf(nodeId)) ? 'instagram' : 'pages';
      res.set('X-App-Usage', JSON.stringify(app));
      res.set(
        'X-Business-Use-Case-Usage',
        JSON.stringify({ [nodeId ?? state.app.id]: [{ type, ...app, estimated_time_to_regain_access }] }),
      );
    }

    if (fault?.timeout) {
      // Hang: the client's own timeout is what is being tested. Released on close().
      pending.add(res);
      res.on('close', () => pending.delete(res));
      return;
    }
    if (fault?.error) {
      const e = fault.error;
      const status = e.http_status ?? fault.http_status ?? defaultHttpStatus(e.code);
      const type = e.type === 'GraphMethodException' || e.type === 'IGApiException' ? e.type : 'OAuthException';
      const transient = e.is_transient ?? (e.code === 1 || e.code === 2 ? true : undefined);
      throw new SandboxGraphError(
        status,
        { code: e.code, subcode: e.subcode, message: e.message ?? defaultFaultMessage(e.code), type, isTransient: transient },
        e.code === 190 ? 'invalid_token' : 'invalid_request',
      );
    }
    if (fault?.http_status) {
      // A bare status models an edge/proxy failure: not Meta's JSON envelope.
      res
        .status(fault.http_status)
        .type('html')
        .send(`<html><body><h1>${fault.http_status}</h1>Sandbox injected failure</body></html>`);
      return;
    }
    next();
  });

  app.use(instagramLoginRoutes(state));
  app.use(ruploadRoutes(state));
  app.use(dialogRoutes(state));
  app.use(reelsRoutes(state));
  app.use(batchRoutes());
  app.use(graphRoutes(state));

  app.use((req: Request) => {
    throw new SandboxGraphError(400, {
      message: `Unsupported ${req.method.toLowerCase()} request. Please read the Graph API documentation at https://developers.facebook.com/docs/graph-api`,
      type: 'GraphMethodException',
      code: 100,
    });
  });

  // Express recognises error handlers by arity, so all four parameters must stay.
  app.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
    if (res.headersSent) return;
    if (req.originalUrl.startsWith('/__sandbox')) {
      const status = err instanceof ControlError ? err.status : 400;
      res.status(status).json({ error: err instanceof Error ? err.message : 'invalid request' });
      return;
    }
    if (!locals(res).traceId) locals(res).traceId = newTraceId();
    if (err instanceof SandboxGraphError) return sendGraphError(res, err);
    if (typeof err === 'object' && err !== null && 'type' in err && err.type === 'entity.parse.failed') {
      return sendGraphError(res, new SandboxGraphError(400, { message: '(#100) Invalid JSON in request body', code: 100 }));
    }
    sendGraphError(res, new SandboxGraphError(500, { message: 'An unknown error occurred', code: 1, isTransient: true }));
  });

  return app;
}

function defaultFaultMessage(code: number): string {
  switch (code) {
    case 1:
      return 'An unknown error occurred';
    case 2:
      return 'An unexpected error has occurred. Please retry your request later.';
    case 4:
      return '(#4) Application request limit reached';
    case 17:
      return '(#17) User request limit reached';
    case 32:
      return '(#32) Page request limit reached';
    case 190:
      return 'Invalid OAuth access token data.';
    case 200:
      return '(#200) Permissions error';
    case 368:
      return 'It looks like you were misusing this feature by going too fast.';
    case 613:
      return 'Calls to this api have exceeded the rate limit.';
    case 80001:
      return '(#80001) There have been too many calls to this Page account. Wait a bit and try again.';
    case 80002:
      return '(#80002) There have been too many calls to this Instagram account. Wait a bit and try again.';
    default:
      return `(#${code}) Sandbox injected error`;
  }
}

/** 127.0.0.0/8, ::1 and localhost: the only hosts the sandbox may listen on without a control token. */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127(\.\d{1,3}){3}$/.test(h) || /^::ffff:127(\.\d{1,3}){3}$/.test(h);
}

/** Starts the sandbox on its own HTTP server. */
export async function startSandbox(opts: SandboxOptions = {}): Promise<RunningSandbox> {
  const host = opts.host ?? '127.0.0.1';
  if (!isLoopbackHost(host) && !opts.controlToken)
    throw new Error(`SANDBOX_CONTROL_TOKEN is required when the sandbox listens beyond loopback (host ${host})`);
  const state = new SandboxState({
    appId: opts.appId ?? SANDBOX_APP_ID,
    appSecret: opts.appSecret ?? SANDBOX_APP_SECRET,
    redirectUris: opts.redirectUris ?? [],
    requireAppSecretProof: opts.requireAppSecretProof ?? true,
    seed: opts.seed ?? true,
    webhooks: opts.webhooks,
    instagramRedirectUris: opts.instagramRedirectUris,
  });
  const pending = new Set<Response>();
  const server = createServer(createSandboxApp(state, pending, opts.controlToken));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${host}:${port}`,
    port,
    state,
    close: () =>
      new Promise<void>((resolve, reject) => {
        for (const res of pending) res.destroy();
        pending.clear();
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}
