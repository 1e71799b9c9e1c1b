import { Injectable, Logger } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { Connection } from './connection.repository';
import type { ConnectionState } from './domain/connection-policy';

/** Who Meta's data-deletion request is about, as other modules can find them in their own data. */
export interface PersonSubject {
  patterns: string[];
  ids: string[];
  before: Date;
  /** The connections being deleted, their owners (users), and the owners' connections that stay. */
  accounts: { deleted: number[]; owners: number[]; kept: number[] };
}

export type CheckActor = 'user' | 'worker';
/** ok, retry, failed, or the status a failed check left (needs_reconnect, revoked, …). */
export type CheckOutcome = string;

/**
 * What other modules hear about connections (alerts, metrics, outbound webhooks), so the
 * connections module imports none of them: they implement this port and subscribe to the hub.
 * Every method has a no-op default; an observer overrides what it cares about.
 */
export abstract class ConnectionObserver {
  /** A login stored the account (new or renewed); `before`: its status until then (null: new or disconnected). */
  connected(_row: Connection, _before?: ConnectionState | null): Promise<void> {
    return Promise.resolve();
  }
  /** Its state changed (checked and stored, needs a reconnect, revoked by Meta, …); `before`: the status until then, null when unknown. */
  changed(_row: Connection, _before?: ConnectionState | null): Promise<void> {
    return Promise.resolve();
  }
  /** The user disconnected it (`row` as it was just before: its status is the one it left). */
  disconnected(_row: Connection): Promise<void> {
    return Promise.resolve();
  }
  /**
   * Meta's data-deletion request (in its transaction `m`): delete what you hold that names the
   * person — any text matching one of `patterns` (case-insensitive regexes) or carrying one of
   * `ids`, recorded before `before`. A failure aborts the whole deletion (it is retried).
   */
  forgetPerson(_subject: PersonSubject, _m: EntityManager): Promise<void> {
    return Promise.resolve();
  }
  /** A check ran (counted by metrics): who asked and how it ended. */
  checked(_actor: CheckActor, _outcome: CheckOutcome, _extended?: boolean): void {}
}

/**
 * The one place connection events fan out. Observers subscribe on module init; the use cases
 * publish after the change is stored. Every observer is called; the first failure is then
 * rethrown, so a job retries (observers are idempotent: alerts dedupe by key).
 */
@Injectable()
export class ConnectionEvents extends ConnectionObserver {
  private readonly logger = new Logger(ConnectionEvents.name);
  private readonly observers: ConnectionObserver[] = [];

  subscribe(observer: ConnectionObserver): void {
    if (!this.observers.includes(observer)) this.observers.push(observer);
  }

  override async connected(row: Connection, before: ConnectionState | null = null): Promise<void> {
    await this.each('connected', (o) => o.connected(row, before));
  }

  override async changed(row: Connection, before: ConnectionState | null = null): Promise<void> {
    await this.each('changed', (o) => o.changed(row, before));
  }

  override async disconnected(row: Connection): Promise<void> {
    await this.each('disconnected', (o) => o.disconnected(row));
  }

  override async forgetPerson(subject: PersonSubject, m: EntityManager): Promise<void> {
    // no catch: a partial deletion must roll back with the transaction
    for (const o of this.observers) await o.forgetPerson(subject, m);
  }

  override checked(actor: CheckActor, outcome: CheckOutcome, extended?: boolean): void {
    for (const o of this.observers) o.checked(actor, outcome, extended);
  }

  private async each(event: string, call: (o: ConnectionObserver) => Promise<void>): Promise<void> {
    let first: Error | undefined;
    for (const o of this.observers) {
      try {
        await call(o);
      } catch (err) {
        first ??= err instanceof Error ? err : new Error(String(err));
        this.logger.warn(
          { event, observer: o.constructor.name, err: err instanceof Error ? err.message : String(err) },
          'observer failed',
        );
      }
    }
    if (first !== undefined) throw first;
  }
}
