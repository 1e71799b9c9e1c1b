import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import { Injectable } from '@nestjs/common';
import { AppConfig } from '../../config/app-config';
import { checkResolvedAddresses, checkTargetUrl, type TargetRules } from './domain/webhook-target';
import { DELIVERY_HEADER, EVENT_HEADER, SIGNATURE_HEADER } from './domain/webhook-signature';

export interface SendRequest {
  url: string;
  body: string;
  eventType: string;
  deliveryId: string;
  signature: string;
}

/** What one attempt got: the status (null when none: refused, timed out, DNS, SSRF) and a short reason. */
export interface SendResult {
  statusCode: number | null;
  error: string | null;
  durationMs: number;
}

/** Longest response body read (and thrown away): receivers should answer quickly and briefly. */
const MAX_RESPONSE_BYTES = 64 * 1024;

/**
 * A DNS lookup that refuses non-public answers when the guard is on: the socket connects to the
 * very address that was checked, so a name cannot resolve to a public address for the check and a
 * private one for the connection (DNS rebinding).
 */
export function guardedLookup(rules: TargetRules): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (err, addresses: LookupAddress[]) => {
      if (err) return callback(err, '', 4);
      const verdict = checkResolvedAddresses(
        addresses.map((a) => a.address),
        rules,
      );
      if (!verdict.ok) {
        const refused = Object.assign(new Error(verdict.reason), { code: 'WEBHOOK_TARGET_REFUSED' });
        return callback(refused, '', 4);
      }
      if (options.all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, addresses);
      return callback(null, addresses[0].address, addresses[0].family);
    });
  };
}

/**
 * POSTs one signed delivery. Redirects are not followed (a 3xx is a failure), the whole exchange
 * must finish within WEBHOOK_TIMEOUT_MS, and with WEBHOOK_SSRF_GUARD on the target is checked again
 * here, before any byte is sent: the URL, then every address DNS answers.
 */
@Injectable()
export class WebhookSender {
  private readonly rules: TargetRules;
  private readonly timeoutMs: number;

  constructor(config: AppConfig) {
    this.rules = { guard: config.webhooks.ssrfGuard };
    this.timeoutMs = config.webhooks.timeoutMs;
  }

  send(req: SendRequest): Promise<SendResult> {
    const started = performance.now();
    const done = (statusCode: number | null, error: string | null): SendResult => ({
      statusCode,
      error,
      durationMs: Math.round(performance.now() - started),
    });
    const target = checkTargetUrl(req.url, this.rules);
    if (!target.ok) return Promise.resolve(done(null, `Refused: ${target.reason}`));
    const url = target.url;
    const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise<SendResult>((resolve) => {
      let settled = false;
      const finish = (r: SendResult): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(r);
      };
      const body = Buffer.from(req.body, 'utf8');
      const r = request(
        url,
        {
          method: 'POST',
          lookup: guardedLookup(this.rules),
          headers: {
            'Content-Type': 'application/json',
            'Content-Length': String(body.length),
            'User-Agent': 'AutoReels-Webhooks/1.0',
            [EVENT_HEADER]: req.eventType,
            [DELIVERY_HEADER]: req.deliveryId,
            [SIGNATURE_HEADER]: req.signature,
          },
        },
        (res: IncomingMessage) => {
          let read = 0;
          res.on('data', (chunk: Buffer) => {
            read += chunk.length;
            if (read > MAX_RESPONSE_BYTES) res.destroy();
          });
          res.on('end', () => finish(done(res.statusCode ?? null, null)));
          res.on('close', () => finish(done(res.statusCode ?? null, null)));
          res.on('error', () => finish(done(res.statusCode ?? null, null)));
        },
      );
      const timer = setTimeout(() => {
        r.destroy();
        finish(done(null, `No answer within ${this.timeoutMs} ms.`));
      }, this.timeoutMs);
      r.on('error', (err: NodeJS.ErrnoException) => {
        const reason =
          err.code === 'WEBHOOK_TARGET_REFUSED' ? `Refused: ${err.message}` : `Could not connect (${err.code ?? err.name}).`;
        finish(done(null, reason));
      });
      r.end(body);
    });
  }
}
