// Opens pages of the course's static site (make site) in headless Chromium with every non-local request blocked and
// reports what a reader sees: requests that failed or were blocked, console errors, each picture and each
// interactive chart with how much of it is drawn (pixels of an element screenshot that are not the white page), the
// label shown when hovering over a chart's point, and the formulas (MathML) with their size. The assertions are in
// tests/test_browser.py (test_the_site_...), which builds the site, serves it on 127.0.0.1 and runs this script:
//
//   node site.mjs --url http://127.0.0.1:PORT/ --pages index.html,runs/01-iris.html --out DIR
//
// The report is one JSON line on stdout. Chromium: /usr/bin/chromium (Debian's package), or $CHROMIUM.
import { chromium } from 'playwright-core';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

const args = Object.fromEntries(process.argv.slice(2).reduce((pairs, a, i, all) =>
  a.startsWith('--') ? [...pairs, [a.slice(2), all[i + 1]]] : pairs, []));
for (const required of ['url', 'pages', 'out']) {
  if (!args[required]) { console.error(`site.mjs: --${required} is required`); process.exit(2); }
}
const report = { pages: [], requests: 0, failed: [], bad_status: [], blocked: [], console_errors: [] };
const isLocal = (url) => {
  try {
    const u = new URL(url);
    return ['data:', 'blob:', 'about:'].includes(u.protocol) || ['127.0.0.1', 'localhost', '[::1]'].includes(u.hostname);
  } catch { return false; }
};

// How much of a PNG (an element screenshot) is drawn: share of pixels that are not near-white, and distinct colours
// (4 bits per channel). The browser decodes the PNG.
const inkOf = (page, png) => page.evaluate(async (b64) => {
  const img = new Image();
  img.src = `data:image/png;base64,${b64}`;
  await img.decode();
  const canvas = document.createElement('canvas');
  canvas.width = img.naturalWidth; canvas.height = img.naturalHeight;
  const g = canvas.getContext('2d');
  g.drawImage(img, 0, 0);
  const d = g.getImageData(0, 0, canvas.width, canvas.height).data;
  let ink = 0;
  const colours = new Set();
  for (let i = 0; i < d.length; i += 4) {
    if (!(d[i] > 240 && d[i + 1] > 240 && d[i + 2] > 240)) ink++;
    colours.add(((d[i] >> 4) << 8) | ((d[i + 1] >> 4) << 4) | (d[i + 2] >> 4));
  }
  return { size: [canvas.width, canvas.height], ink: Math.round(1000 * ink / (d.length / 4)) / 1000, colours: colours.size };
}, png.toString('base64'));

mkdirSync(args.out, { recursive: true });
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync',
    '--no-first-run', '--disable-quic', '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost'],
});
try {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, deviceScaleFactor: 1 });
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (isLocal(url)) return route.continue();
    report.blocked.push(url);
    return route.abort('blockedbyclient');
  });
  const page = await context.newPage();
  page.on('request', () => { report.requests += 1; });
  page.on('requestfailed', (r) => report.failed.push(`${r.url().slice(0, 200)}: ${r.failure()?.errorText}`));
  page.on('response', (r) => { if (r.status() >= 400) report.bad_status.push(`${r.status()} ${r.url().slice(0, 200)}`); });
  page.on('console', (m) => { if (m.type() === 'error') report.console_errors.push(m.text().slice(0, 300)); });
  page.on('pageerror', (e) => report.console_errors.push(`page error: ${String(e).slice(0, 300)}`));

  for (const path of args.pages.split(',')) {
    const result = { path, pictures: [], plots: [], formulas: [] };
    report.pages.push(result);
    const response = await page.goto(new URL(path, args.url).href, { waitUntil: 'load', timeout: 60000 });
    result.status = response?.status();
    result.title = await page.title();
    result.links = await page.evaluate(() => [...document.querySelectorAll('a[href]')].map((a) => a.getAttribute('href')));
    const boxes = page.locator('.ae-plotly');
    const nPlots = await boxes.count();
    // every chart drawn by the shipped plotly.js (figures.js marks its box)
    await page.waitForFunction((n) => document.querySelectorAll('.ae-plotly.ae-drawn').length === n, nPlots, { timeout: 60000 })
      .catch(() => {});
    const pictures = page.locator('main img:not(.ae-plotly-png)');
    for (let i = 0; i < await pictures.count(); i++) {
      const img = pictures.nth(i);
      await img.scrollIntoViewIfNeeded();
      const info = await img.evaluate((el) => ({ natural: [el.naturalWidth, el.naturalHeight],
        shown: [Math.round(el.getBoundingClientRect().width), Math.round(el.getBoundingClientRect().height)] }));
      result.pictures.push({ ...info, ...(await inkOf(page, await img.screenshot())) });
    }
    for (let i = 0; i < nPlots; i++) {
      const box = boxes.nth(i);
      await box.scrollIntoViewIfNeeded();
      const info = await box.evaluate((el) => {
        const text = (sel) => [...el.querySelectorAll(sel)].map((e) => e.textContent.trim()).join(' ');
        const graph = el.querySelector('.ae-plotly-graph');
        return {
          drawn: el.classList.contains('ae-drawn'),
          png_hidden: getComputedStyle(el.querySelector('img.ae-plotly-png') || el).display === 'none',
          size: graph ? [Math.round(graph.getBoundingClientRect().width), Math.round(graph.getBoundingClientRect().height)] : [0, 0],
          title: text('.gtitle'), x_title: text('.g-xtitle'), y_title: text('.g-ytitle'),
          points: el.querySelectorAll('.scatterlayer .point').length,
          lines: [...el.querySelectorAll('.scatterlayer .js-line')].filter((p) => (p.getAttribute('d') || '').length > 2).length,
          bars: el.querySelectorAll('.barlayer .point').length,
        };
      });
      const graph = box.locator('.ae-plotly-graph');
      result.plots.push({ ...info, ...(await graph.count() ? await inkOf(page, await graph.screenshot()) : {}) });
    }
    if (nPlots) {
      // hover over a point of the first chart: Plotly shows its label
      const first = boxes.first();
      await first.scrollIntoViewIfNeeded();
      const point = first.locator('.scatterlayer .point, .barlayer .point').first();
      if (await point.count()) {
        const b = await point.boundingBox();
        if (b) {
          await page.mouse.move(b.x + b.width / 2, b.y + b.height / 2);
          await first.locator('.hoverlayer .hovertext').first().waitFor({ timeout: 5000 }).catch(() => {});
          result.hover = (await first.locator('.hoverlayer').textContent().catch(() => '')).trim();
        }
        await first.screenshot({ path: join(args.out, `${path.replace(/[^\w.-]/g, '_')}-first-plot.png`) });
        await page.mouse.move(5, 5);
      }
    }
    result.formulas = await page.evaluate(() => [...document.querySelectorAll('math')].map((m) => {
      const r = m.getBoundingClientRect();
      return [Math.round(r.width), Math.round(r.height)];
    }));
    await page.screenshot({ path: join(args.out, `${path.replace(/[^\w.-]/g, '_')}.png`), fullPage: false });
  }
  // The block works: a page of the site cannot reach a CDN (checked last, so it is not counted above).
  report.requests_before_probe = report.requests;
  report.failed_before_probe = report.failed.length;
  report.console_errors_before_probe = [...report.console_errors];
  report.offline_probe = await page.evaluate(async () => {
    try { await fetch('https://cdn.plot.ly/plotly-2.35.2.min.js', { mode: 'no-cors' }); return 'reached'; } catch { return 'blocked'; }
  });
} catch (e) {
  report.error = String(e && e.stack || e).slice(0, 2000);
} finally {
  await browser.close();
  console.log(JSON.stringify(report));
}
