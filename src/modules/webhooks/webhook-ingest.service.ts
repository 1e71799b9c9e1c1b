import { Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { DomainError } from '../../common/errors/domain-error';
import { ErrorCode } from '../../common/errors/error-codes';
import { REQUIRED_SCOPES } from '../graph/scopes';
import { PermissionRevokedByMeta } from '../connections/use-cases/revoke-by-meta.use-case';
import { deliveryKey } from './domain/hub-signature';
import { entryIds, objectOf, permissionRevocations, storable } from './domain/webhook-events';
import { MetaSignatureService } from './meta-signature.service';

/** How long one request may act on a delivery before a retry of Meta's may take over. */
const CLAIM_SECONDS = 60;

/**
 * POST /webhooks/instagram: verify, store once, act on what concerns connections, answer.
 * Stored first and marked processed last, so a crash in between is finished by Meta's retry
 * (same bytes, same key), while duplicates arriving together act only once (claim lease).
 */
@Injectable()
export class WebhookIngestService {
  private readonly logger = new Logger(WebhookIngestService.name);

  constructor(
    private readonly signatures: MetaSignatureService,
    private readonly dataSource: DataSource,
    private readonly permissionRevoked: PermissionRevokedByMeta,
  ) {}

  async receive(raw: Buffer | undefined, signature: unknown): Promise<{ success: true }> {
    const body = this.signatures.hubSignature(raw, signature);
    let payload: unknown;
    try {
      payload = storable(JSON.parse(body.toString('utf8')));
    } catch {
      throw new DomainError(ErrorCode.MALFORMED_JSON, 'The webhook body is not valid JSON.');
    }
    if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
      throw new DomainError(ErrorCode.VALIDATION_FAILED, 'The webhook body must be a JSON object.');
    }
    const key = deliveryKey(body);
    await this.dataSource.query(
      `INSERT INTO webhook_deliveries (delivery_key, object, entry_ids, payload)
       VALUES ($1, $2, $3, $4)
       ON CONFLICT (delivery_key) DO NOTHING`,
      [key, objectOf(payload), entryIds(payload), JSON.stringify(payload)],
    );
    const claimed = await this.dataSource.query<[Array<{ id: string }>, number]>(
      `UPDATE webhook_deliveries SET claimed_until = now() + make_interval(secs => $2)
        WHERE delivery_key = $1 AND processed_at IS NULL AND (claimed_until IS NULL OR claimed_until < now())
        RETURNING id`,
      [key, CLAIM_SECONDS],
    );
    if (!claimed[0].length) return { success: true }; // already handled, or being handled right now
    try {
      await this.act(payload);
    } catch (err) {
      // release the claim so Meta's retry (we answer 5xx) can finish the job
      await this.dataSource.query(`UPDATE webhook_deliveries SET claimed_until = NULL WHERE delivery_key = $1`, [key]);
      throw err;
    }
    await this.dataSource.query(
      `UPDATE webhook_deliveries SET processed_at = now(), claimed_until = NULL WHERE delivery_key = $1`,
      [key],
    );
    return { success: true };
  }

  /** Only permission revocations touch connections today; every other object is kept for later use. */
  private async act(payload: unknown): Promise<void> {
    for (const r of permissionRevocations(payload, REQUIRED_SCOPES)) {
      const n = await this.permissionRevoked.execute(r.fbUserId, r.permission, r.targetIds);
      this.logger.log({ permission: r.permission, accounts: n }, 'permission revoked at Meta');
    }
  }
}

/** Housekeeping: Meta webhook deliveries handled before `before` (their payloads name people) go. */
export async function purgeProcessedDeliveries(dataSource: DataSource, before: Date): Promise<number> {
  const [, n] = await dataSource.query<[unknown[], number]>(
    `DELETE FROM webhook_deliveries WHERE processed_at IS NOT NULL AND received_at < $1`,
    [before],
  );
  return n;
}
