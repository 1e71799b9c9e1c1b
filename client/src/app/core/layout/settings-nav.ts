import { ChangeDetectionStrategy, Component } from '@angular/core';
import { RouterLink, RouterLinkActive } from '@angular/router';

/** Links between the settings screens (Instagram accounts, API keys, Webhooks). */
@Component({
  selector: 'app-settings-nav',
  imports: [RouterLink, RouterLinkActive],
  template: `
    <nav class="settings-nav" aria-label="Settings">
      <a routerLink="/settings/social-accounts" routerLinkActive="active" data-testid="nav-accounts"
        >Instagram accounts</a
      >
      <a routerLink="/settings/api-keys" routerLinkActive="active" data-testid="nav-api-keys"
        >API keys</a
      >
      <a routerLink="/settings/webhooks" routerLinkActive="active" data-testid="nav-webhooks"
        >Webhooks</a
      >
    </nav>
  `,
  styles: `
    .settings-nav {
      display: flex;
      gap: 1rem;
      margin: 0.75rem 0;
    }
    .active {
      font-weight: 700;
    }
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class SettingsNav {}
