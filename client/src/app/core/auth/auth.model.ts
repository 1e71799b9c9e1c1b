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

/** Router navigation state the login page reads (not kept across a reload). */
export interface LoginPageState {
  /** A sentence shown above the form, e.g. after signing out everywhere. */
  notice?: string;
}

export interface LoginResponse {
  access_token: string;
  token_type: 'bearer';
  expires_in: number;
}
