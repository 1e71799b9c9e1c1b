import type { ComponentFixture } from '@angular/core/testing';

/** Lets promises, HTTP callbacks and change detection run to completion. */
export async function settle(fixture: ComponentFixture<unknown>): Promise<void> {
  for (let i = 0; i < 3; i++) {
    await new Promise((r) => setTimeout(r));
    await fixture.whenStable();
  }
}

export function byTestId<T extends HTMLElement = HTMLElement>(
  root: ParentNode,
  id: string,
): T | null {
  return root.querySelector<T>(`[data-testid="${id}"]`);
}

export function allByTestId<T extends HTMLElement = HTMLElement>(
  root: ParentNode,
  id: string,
): T[] {
  return Array.from(root.querySelectorAll<T>(`[data-testid="${id}"]`));
}

export function typeInto(input: HTMLInputElement, value: string): void {
  input.value = value;
  input.dispatchEvent(new Event('input'));
  input.dispatchEvent(new Event('blur'));
}
