import { Module } from '@nestjs/common';
import { AppConfig } from '../../config/app-config';
import { GraphApiClient } from './graph-api.client';
import { GRAPH_CLIENT_OPTIONS } from './graph.options';
import type { GraphClientOptions } from './graph.options';
import { MetaGraphApiClient } from './meta-graph-api.client';
import { GraphCallObserver } from './graph-call-observer';
import { InstagramGraphApiClient, InstagramLoginClient } from './instagram-login.client';
import { INSTAGRAM_LOGIN_OPTIONS, MetaInstagramLoginClient, type InstagramLoginOptions } from './meta-instagram-login.client';

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
    {
      provide: INSTAGRAM_LOGIN_OPTIONS,
      inject: [AppConfig],
      useFactory: (c: AppConfig): InstagramLoginOptions => ({
        dialogUrl: c.instagram.dialogUrl,
        apiUrl: c.instagram.apiUrl,
        graphUrl: c.instagram.graphUrl,
        version: c.facebook.graphVersion,
        appId: c.instagram.appId,
        appSecret: c.instagram.appSecret,
        timeoutMs: c.facebook.timeoutMs,
      }),
    },
    { provide: InstagramLoginClient, useClass: MetaInstagramLoginClient },
    {
      // the same Graph calls on graph.instagram.com, with the Instagram user token (instagram-login.md §7)
      provide: InstagramGraphApiClient,
      inject: [AppConfig, { token: GraphCallObserver, optional: true }],
      useFactory: (c: AppConfig, observer?: GraphCallObserver): GraphApiClient =>
        new MetaGraphApiClient(
          {
            graphUrl: c.instagram.graphUrl,
            dialogUrl: c.instagram.dialogUrl,
            version: c.facebook.graphVersion,
            appId: c.instagram.appId,
            appSecret: c.instagram.appSecret,
            timeoutMs: c.facebook.timeoutMs,
            appSecretProof: false,
          },
          observer,
        ),
    },
  ],
  exports: [GraphApiClient, InstagramLoginClient, InstagramGraphApiClient],
})
export class GraphModule {}
