import { join } from 'node:path';
import type { DataSourceOptions } from 'typeorm';
import { ApiKeyEntity } from '../modules/auth/api-key.entity';
import { UserEntity } from '../modules/auth/user.entity';
import { AlertEntity } from '../modules/alerts/alert.entity';
import { ReconnectLinkEntity } from '../modules/alerts/reconnect-link.entity';
import { OAuthStateEntity } from '../modules/social/oauth-state.entity';
import { InstagramTokenEntity } from '../modules/connections/persistence/instagram-token.entity';
import { TokenEventEntity } from '../modules/connections/persistence/token-event.entity';
import { WebhookEndpointEntity } from '../modules/integrations/persistence/webhook-endpoint.entity';
import { WebhookEventDeliveryEntity } from '../modules/integrations/persistence/webhook-event-delivery.entity';
import { DataDeletionRequestEntity } from '../modules/webhooks/persistence/data-deletion-request.entity';
import { MetaSignedRequestEntity } from '../modules/webhooks/persistence/meta-signed-request.entity';
import { ReelEntity } from '../modules/publishing/persistence/reel.entity';
import { ReelEventEntity } from '../modules/publishing/persistence/reel-event.entity';
import { ReelUploadEntity } from '../modules/publishing/persistence/reel-upload.entity';
import { WebhookDeliveryEntity } from '../modules/webhooks/persistence/webhook-delivery.entity';

export const ENTITIES = [
  UserEntity,
  InstagramTokenEntity,
  TokenEventEntity,
  OAuthStateEntity,
  AlertEntity,
  ReconnectLinkEntity,
  WebhookDeliveryEntity,
  DataDeletionRequestEntity,
  MetaSignedRequestEntity,
  ReelUploadEntity,
  ReelEntity,
  ReelEventEntity,
  ApiKeyEntity,
  WebhookEndpointEntity,
  WebhookEventDeliveryEntity,
];

/** One definition for the app, the CLI and the tests; synchronize stays off everywhere. */
export function dataSourceOptions(databaseUrl: string): DataSourceOptions {
  return {
    type: 'postgres',
    url: databaseUrl,
    entities: ENTITIES,
    // .ts under ts-node/jest, .js once built (dist/migrations/*.js)
    migrations: [join(__dirname, '..', '..', 'migrations', '*.{ts,js}').replace(/\\/g, '/')],
    migrationsTableName: 'migrations',
    migrationsTransactionMode: 'each',
    synchronize: false,
    extra: { max: 20, connectionTimeoutMillis: 5000, idleTimeoutMillis: 30000 },
  };
}
