import type { LoginUrlRequest } from './graph-api.client';
import { MetaGraphApiClient } from './meta-graph-api.client';

const client = (loginConfigId?: string) =>
  new MetaGraphApiClient({
    graphUrl: 'https://graph.facebook.com',
    dialogUrl: 'https://www.facebook.com/',
    version: 'v25.0',
    appId: '123456789012345',
    appSecret: 'secret-secret',
    timeoutMs: 1000,
    loginConfigId,
  });
const req: LoginUrlRequest = {
  redirectUri: 'https://app.example/cb',
  state: 'st',
  scopes: ['instagram_basic', 'pages_show_list'],
  authType: 'rerequest',
};

describe('MetaGraphApiClient.buildLoginUrl', () => {
  it('should ask for the scopes in classic Facebook Login', () => {
    const url = new URL(client().buildLoginUrl(req));
    expect(url.origin + url.pathname).toBe('https://www.facebook.com/v25.0/dialog/oauth');
    expect(Object.fromEntries(url.searchParams)).toEqual({
      client_id: '123456789012345',
      redirect_uri: 'https://app.example/cb',
      state: 'st',
      scope: 'instagram_basic,pages_show_list',
      response_type: 'code',
      auth_type: 'rerequest',
    });
  });

  it('should send config_id and no scope for a Facebook Login for Business app', () => {
    const url = new URL(client('700000000000001').buildLoginUrl(req));
    expect(url.searchParams.get('config_id')).toBe('700000000000001');
    expect(url.searchParams.has('scope')).toBe(false);
    expect(url.searchParams.get('state')).toBe('st');
    expect(url.searchParams.get('response_type')).toBe('code');
  });
});
