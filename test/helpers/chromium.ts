// Debian's Chromium as the browser tests launch it (driven by playwright-core, never a browser download), with
// the flags that keep it off the network: no background fetches, updates, sync or QUIC probes.
import { existsSync } from "node:fs";

export const CHROMIUM = "/usr/bin/chromium";

/** executablePath, headless and args for chromium.launch() or launchPersistentContext(). */
export const CHROMIUM_LAUNCH = {
  executablePath: CHROMIUM,
  headless: true,
  args: [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
  ],
};

/** Fails, never skips, when Chromium is missing. */
export function requireChromium(): void {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `Chromium is missing at ${CHROMIUM}: run \`bash scripts/install-chromium.sh\` as root (CI does) and try again.`,
    );
  }
}
