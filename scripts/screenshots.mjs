// Takes the README's screenshots of a running Amends served with the demo
// data: the public status page and the manager's SLA dashboard, in
// Debian's Chromium driven by playwright-core.
//
// Usage: node scripts/screenshots.mjs BASE_URL SETUP_LINK OUT_DIR status|dashboard
// (scripts/screenshots.sh starts the server and passes these). "status"
// photographs / and creates the first admin through the one-time link;
// "dashboard" signs that admin in and photographs December 2012's dashboard.
import { chromium } from "playwright-core";

const [base, setup, out, shot] = process.argv.slice(2);
if (!base || !setup || !out || !["status", "dashboard"].includes(shot)) {
  console.error("usage: node scripts/screenshots.mjs BASE_URL SETUP_LINK OUT_DIR status|dashboard");
  process.exit(2);
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
try {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, deviceScaleFactor: 1 });
  const page = await context.newPage();

  const email = "admin@example.com", password = "a long demo passphrase for screenshots";
  if (shot === "status") {
    await page.goto(base + "/");
    await page.screenshot({ path: `${out}/screenshot-status.png` });
    console.log(`${out}/screenshot-status.png`);
    await page.goto(setup);
    await page.fill("#setup-email", email);
    await page.fill("#setup-name", "Demo Admin");
    await page.fill("#setup-password", password);
    await Promise.all([page.waitForNavigation(), page.click("main button[type=submit]")]);
  } else {
    await page.goto(base + "/login");
    await page.fill("#login-email", email);
    await page.fill("#login-password", password);
    await Promise.all([page.waitForNavigation(), page.click("main button[type=submit]")]);
    await page.setViewportSize({ width: 1280, height: 1500 });
    await page.goto(base + "/admin/dashboard?month=2012-12&service=ELB&region=us-east-1");
    await page.screenshot({ path: `${out}/screenshot-dashboard.png` });
    console.log(`${out}/screenshot-dashboard.png`);
  }
} finally {
  await browser.close();
}
