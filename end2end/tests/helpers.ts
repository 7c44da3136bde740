import { expect, Page } from "@playwright/test";

/** A username no other test uses. */
export function uniqueName(prefix = "u"): string {
  return `${prefix}${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;
}

/** Waits until the WASM bundle has taken over the page (no-op without JS). */
export async function hydrated(page: Page, javaScriptEnabled: boolean): Promise<void> {
  if (javaScriptEnabled) {
    await page.locator("body[data-hydrated]").waitFor({ state: "attached" });
  }
}

/** Creates an account through the signed-out form and lands in the chat. */
export async function signUp(page: Page, javaScriptEnabled: boolean, name = uniqueName()): Promise<string> {
  await page.goto("/");
  await hydrated(page, javaScriptEnabled);
  await page.getByLabel("Username").fill(name);
  await page.getByLabel("Password").fill("correct horse battery");
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page.getByText(`Signed in as ${name}`)).toBeVisible();
  return name;
}
