import type { LoginResponse, User } from '../core/auth/auth.model';

/* Answers shaped like the API's OpenAPI document (src/modules/auth/dto/auth.dto.ts). */

/** GET /auth/me and POST /auth/register (201). */
export function aUser(overrides: Partial<User> = {}): User {
  return {
    id: 1,
    email: 'ann@example.com',
    role: 'user',
    created_at: '2026-06-01T08:00:00Z',
    ...overrides,
  };
}

/** POST /auth/login (200). */
export function aLoginResponse(overrides: Partial<LoginResponse> = {}): LoginResponse {
  return { access_token: 'jwt', token_type: 'bearer', expires_in: 3600, ...overrides };
}
