// A real browser for end-to-end tests of the Temporal Web UI: Debian's chromium (installed by
// scripts/test-deps-install.sh) driven by playwright-core, which brings no browser of its own.
import { existsSync, mkdirSync } from 'fs';
import * as path from 'path';
import { Browser, chromium, Locator, Page } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';

/** The Web UI of the Temporal dev server that `npm run services:start` started. */
export function webUiUrl(pathname: string): string {
  return `http://127.0.0.1:${process.env.TEMPORAL_UI_PORT ?? '8233'}${pathname}`;
}

/** Launches headless chromium; a missing browser is a failure that says how to install it. */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `no chromium at ${CHROMIUM}: the Web UI test needs Debian's chromium; ` +
        'install it with `bash scripts/test-deps-install.sh` (npm test runs it first)',
    );
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    // No sandbox: tests run as root in containers. The rest keeps a 2-core machine quiet.
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-dev-shm-usage',
      '--disable-background-networking',
      '--disable-extensions',
      '--no-first-run',
    ],
    timeout: 60_000,
  });
}

/**
 * Reads until `accept` takes what it read, and returns that; on timeout fails with the last
 * value read, so a failure shows what the page said instead.
 */
export async function poll<T>(
  read: () => Promise<T>,
  accept: (value: T) => boolean,
  what: string,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    // A locator that matches nothing yet (or two things, mid-render) throws: read again.
    const value = await read().catch((err: Error) => err);
    if (!(value instanceof Error) && accept(value)) return value;
    if (Date.now() > deadline) {
      const seen = value instanceof Error ? value.message.split('\n')[0] : JSON.stringify(value);
      throw new Error(`${what}: not shown within ${timeoutMs / 1000}s; last seen: ${seen}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** A locator's text (innerText: as laid out, with line breaks) once `accept` takes it. */
export function textWhen(locator: Locator, accept: (text: string) => boolean, what: string): Promise<string> {
  return poll(() => locator.innerText(), accept, what);
}

/** Where a part of a page starts and ends. */
export interface Crop {
  /** Its bottom is the lowest bottom of these. */
  until: Locator[];
  /** Its top is this one's top (default: the page's top). */
  from?: Locator;
  /** Its left edge is this one's (default: the page's left edge). */
  left?: Locator;
}

export interface Shot {
  png: Buffer;
  /** How far from the page's left edge it was cut. */
  x: number;
}

async function box(l: Locator) {
  const b = await l.boundingBox();
  if (!b) throw new Error(`nothing to take a screenshot of: ${l.toString()} is not shown`);
  return b;
}

/** A part of the page as PNG; the viewport grows to show all of it. */
export async function shoot(page: Page, crop: Crop): Promise<Shot> {
  const bottom = async () => {
    const boxes = await Promise.all(crop.until.map((l) => box(l)));
    return Math.max(...boxes.map((b) => b.y + b.height)) + 24;
  };
  // The UI scrolls inside its main pane, so a "full page" is only as tall as the viewport: the
  // viewport is made tall enough for what is wanted instead.
  const size = page.viewportSize() ?? { width: 1400, height: 900 };
  const wanted = Math.ceil(await bottom());
  if (wanted > size.height) await page.setViewportSize({ width: size.width, height: wanted });
  const top = crop.from ? Math.max(0, (await box(crop.from)).y - 16) : 0;
  const x = crop.left ? Math.floor((await box(crop.left)).x) : 0;
  const png = await page.screenshot({
    fullPage: true,
    clip: { x, y: top, width: size.width - x, height: (await bottom()) - top },
  });
  return { png, x };
}

/** An element's background and right border, as CSS (to paint a strip that looks like it). */
export async function columnStyle(l: Locator): Promise<string> {
  type Style = { backgroundColor: string; borderRightWidth: string; borderRightColor: string };
  return l.evaluate((e) => {
    // Runs in the page, with its window's getComputedStyle (this Node project has no DOM types).
    const s = (globalThis as unknown as { getComputedStyle(el: unknown): Style }).getComputedStyle(e);
    return `background:${s.backgroundColor};border-right:${s.borderRightWidth} solid ${s.borderRightColor}`;
  });
}

/**
 * Writes shots one below the other into one PNG, laid out by the browser itself (no image
 * library). A shot cut away from the left edge is placed where it was, beside a strip painted
 * with `stripStyle` (the navigation column it was cut from, say).
 */
export async function stackShots(
  browser: Browser,
  shots: Shot[],
  file: string,
  stripStyle = '',
): Promise<void> {
  // A PNG's width is the first field of its IHDR chunk, at byte 16.
  const width = Math.max(...shots.map((s) => s.x + s.png.readUInt32BE(16)));
  const page = await browser.newPage({ viewport: { width, height: 200 } });
  try {
    const rows = shots
      .map(
        (s) =>
          `<div style="display:flex">${s.x ? `<div style="box-sizing:border-box;width:${s.x}px;${stripStyle}"></div>` : ''}` +
          `<img style="display:block" src="data:image/png;base64,${s.png.toString('base64')}"></div>`,
      )
      .join('');
    await page.setContent(`<body style="margin:0;background:#fff">${rows}</body>`, { waitUntil: 'load' });
    mkdirSync(path.dirname(file), { recursive: true });
    await page.screenshot({ path: file, fullPage: true });
  } finally {
    await page.close();
  }
}
