// Runs axe-core's WCAG 2.1 A and AA rules on pages of a running Amends, in
// Debian's Chromium (driven by playwright-core), in light and dark colour
// schemes, and checks each page at a phone's width (390 px): nothing may
// scroll the page sideways, and no table cell may be cut off (a wide table
// scrolls inside its own box). One browser and one page do it all; only
// the viewport changes. Prints every violation and exits 1 if there is any.
//
// Usage: node scripts/a11y.mjs BASE_URL PATH... A PATH answers 200 unless
// written STATUS:PATH ("404:/nope", to check an error page). Env
// AMENDS_COOKIE: "name=value; ..." cookies for pages behind sign-in;
// CHROMIUM: the browser, default /usr/bin/chromium.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { chromium } from "playwright-core";

const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
const [base, ...paths] = process.argv.slice(2);
if (!base || paths.length === 0) {
  console.error("usage: node scripts/a11y.mjs BASE_URL PATH...");
  process.exit(2);
}

const desktop = { width: 1280, height: 900 };
const phone = { width: 390, height: 844 };

// narrowProblems lists what is wrong with the page at the current
// (phone) width: the page wider than the screen, and table cells that
// reach past the screen without a scrolling box around them or whose
// content is cut off inside them.
function narrowProblems() {
  const out = [];
  const doc = document.documentElement;
  if (doc.scrollWidth > doc.clientWidth + 1) {
    const wide = [...document.body.querySelectorAll("*")]
      .filter((el) => el.getBoundingClientRect().right > doc.clientWidth + 1 && !el.closest(".table-wrap, .scroll-x, pre"))
      .slice(0, 3).map((el) => el.tagName.toLowerCase() + (el.className ? "." + String(el.className).split(" ").join(".") : ""));
    out.push(`scrolls sideways: ${doc.scrollWidth} px wide in ${doc.clientWidth} px (${wide.join(", ")})`);
  }
  const scrolls = (el) => {
    for (let a = el.parentElement; a; a = a.parentElement) {
      const o = getComputedStyle(a).overflowX;
      if (o === "auto" || o === "scroll") return a;
    }
    return null;
  };
  for (const cell of document.querySelectorAll("td, th")) {
    const r = cell.getBoundingClientRect();
    if (r.width === 0) continue;
    const box = scrolls(cell);
    const right = box ? box.getBoundingClientRect().right : doc.clientWidth;
    if (!box && r.right > right + 1) {
      out.push(`cell "${cell.textContent.trim().slice(0, 30)}" is cut off at the screen's edge`);
    } else if (cell.scrollWidth > cell.clientWidth + 1 && getComputedStyle(cell).overflowX !== "visible") {
      out.push(`cell "${cell.textContent.trim().slice(0, 30)}" clips its content`);
    }
    if (out.length > 5) break;
  }
  return out;
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
let failures = 0;
try {
  for (const scheme of ["light", "dark"]) {
    // bypassCSP lets the test inject axe; the pages themselves allow no
    // inline script.
    const context = await browser.newContext({ colorScheme: scheme, bypassCSP: true, viewport: desktop });
    if (process.env.AMENDS_COOKIE) {
      await context.addCookies(process.env.AMENDS_COOKIE.split(";").map((pair) => {
        const [name, ...rest] = pair.trim().split("=");
        return { name, value: rest.join("="), url: base };
      }));
    }
    const page = await context.newPage();
    for (const arg of paths) {
      const m = /^(\d{3}):(.*)$/.exec(arg);
      const [want, path] = m ? [Number(m[1]), m[2]] : [200, arg];
      const resp = await page.goto(base + path, { waitUntil: "load" });
      if (!resp || resp.status() !== want) {
        console.log(`${path} (${scheme}): HTTP ${resp ? resp.status() : "no response"}`);
        failures++;
        continue;
      }
      const landed = new URL(page.url()).pathname;
      if (landed !== path.split("?")[0]) {
        console.log(`${path} (${scheme}): redirected to ${landed} (is the cookie right?)`);
        failures++;
        continue;
      }
      await page.evaluate(axeSource);
      const result = await page.evaluate(() =>
        // eslint-disable-next-line no-undef
        axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] } }));
      for (const v of result.violations) {
        failures++;
        console.log(`${path} (${scheme}): ${v.id} [${v.impact}] ${v.help}`);
        for (const node of v.nodes.slice(0, 5)) {
          console.log(`    ${node.target.join(" ")}: ${node.failureSummary.replace(/\n/g, " ")}`);
        }
      }
      let narrow = "";
      if (scheme === "light") {
        // The phone's width, on the page already loaded: the layout
        // follows the viewport, so there is nothing to fetch again.
        await page.setViewportSize(phone);
        const problems = await page.evaluate(narrowProblems);
        await page.setViewportSize(desktop);
        for (const p of problems) {
          failures++;
          console.log(`${path} at ${phone.width} px: ${p}`);
        }
        narrow = `; at ${phone.width} px ${problems.length ? "problems" : "fits"}`;
      }
      console.log(`${path} (${scheme}): ${result.passes.length} rules passed, ${result.violations.length} violated${narrow}`);
    }
    await context.close();
  }
} finally {
  await browser.close();
}
process.exit(failures > 0 ? 1 : 0);
