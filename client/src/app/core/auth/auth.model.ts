export type UserRole = 'user' | 'admin';

export interface User {
  id: number | string;
  email: string;
  role: UserRole;
  created_at: string;
}

export interface Credentials {
  email: string;
  password: string;
}

export interface LoginResponse {
  access_token: string;
  token_type: 'bearer';
  expires_in: number;
}
