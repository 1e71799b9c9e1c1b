import { Module } from '@nestjs/common';
import { AppConfig } from '../../config/app-config';
import { GraphApiClient } from './graph-api.client';
import { GRAPH_CLIENT_OPTIONS } from './graph.options';
import type { GraphClientOptions } from './graph.options';
import { MetaGraphApiClient } from './meta-graph-api.client';

/** Provides GraphApiClient backed by Meta's HTTP API (or the sandbox: only the URLs differ). */
@Module({
  providers: [
    {
      provide: GRAPH_CLIENT_OPTIONS,
      inject: [AppConfig],
      useFactory: (c: AppConfig): GraphClientOptions => ({
        graphUrl: c.facebook.graphUrl,
        dialogUrl: c.facebook.dialogUrl,
        version: c.facebook.graphVersion,
        appId: c.facebook.appId,
        appSecret: c.facebook.appSecret,
        loginConfigId: c.facebook.loginConfigId,
        timeoutMs: c.facebook.timeoutMs,
        ruploadUrl: c.facebook.ruploadUrl,
      }),
    },
    { provide: GraphApiClient, useClass: MetaGraphApiClient },
  ],
  exports: [GraphApiClient],
})
export class GraphModule {}
