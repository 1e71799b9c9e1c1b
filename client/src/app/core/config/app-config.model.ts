/** Runtime configuration served as /config.json next to the built client. */
export interface AppConfig {
  apiUrl: string;
  sandboxMode: boolean;
  /** Whether the server offers Instagram Login (production without an Instagram app does not). */
  instagramLogin: boolean;
}

export const DEFAULT_APP_CONFIG: AppConfig = {
  apiUrl: 'http://localhost:8000',
  sandboxMode: false,
  instagramLogin: true,
};
