import { join } from 'node:path';
import type { DataSourceOptions } from 'typeorm';
import { UserEntity } from '../modules/auth/user.entity';
import { AlertEntity } from '../modules/alerts/alert.entity';
import { OAuthStateEntity } from '../modules/social/oauth-state.entity';
import { InstagramTokenEntity } from '../modules/tokens/persistence/instagram-token.entity';
import { TokenEventEntity } from '../modules/tokens/persistence/token-event.entity';

export const ENTITIES = [UserEntity, InstagramTokenEntity, TokenEventEntity, OAuthStateEntity, AlertEntity];

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
