// Opens one notebook in JupyterLab in headless Chromium with every non-local request blocked, runs JupyterLab's own
// "Run All Cells", waits until every code cell has run and the kernel is idle, then reports what the page shows:
// cells and their execution counts, error outputs, rendered images and what their pixels show (pixels.mjs), and each
// Plotly plot with what its SVG holds, what its PNG shows, and what the drawn chart shows. It hovers over a point of
// the first plot (the hover label is part of the report), takes screenshots and saves the notebook. Console errors
// are collected throughout; the check that the browser is offline (a fetch from plotly.js's CDN, which logs an error
// of its own) comes last, so the errors before it are the page's. The assertions are in tests/test_browser.py, which starts `make lab` and runs this script:
//
//   node run_all.mjs --lab http://127.0.0.1:PORT --token TOKEN --notebook NAME.ipynb --out DIR [--timeout SECONDS]
//
// The report is one JSON line on stdout. Chromium: /usr/bin/chromium (Debian's package), or $CHROMIUM.
import { chromium } from 'playwright-core';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { pngStats } from './pixels.mjs';

const args = Object.fromEntries(process.argv.slice(2).reduce((pairs, a, i, all) =>
  a.startsWith('--') ? [...pairs, [a.slice(2), all[i + 1]]] : pairs, []));
for (const required of ['lab', 'token', 'notebook', 'out']) {
  if (!args[required]) { console.error(`run_all.mjs: --${required} is required`); process.exit(2); }
}
const timeoutMs = 1000 * Number(args.timeout || 600);
const started = Date.now();
const seconds = () => Math.round((Date.now() - started) / 100) / 10;
const report = { notebook: args.notebook, blocked: [], console_errors: [], steps: {} };
const step = (name) => { report.steps[name] = seconds(); };
const isLocal = (url) => {
  try {
    const u = new URL(url);
    return ['data:', 'blob:', 'about:'].includes(u.protocol) || ['127.0.0.1', 'localhost', '[::1]'].includes(u.hostname);
  } catch { return false; }
};

mkdirSync(args.out, { recursive: true });
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync',
    '--no-first-run', '--disable-quic',
    // no name but the local ones resolves: not even a websocket or a service worker could reach the internet
    '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost'],
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
  page.on('console', (m) => { if (m.type() === 'error') report.console_errors.push(m.text().slice(0, 300)); });
  page.on('pageerror', (e) => report.console_errors.push(`page error: ${String(e).slice(0, 300)}`));

  await page.goto(`${args.lab}/lab/tree/${encodeURI(args.notebook)}?reset&token=${args.token}`, { timeout: 120000 });
  const notebook = page.locator('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook');
  await notebook.locator('.jp-Cell').first().waitFor({ timeout: 120000 });
  step('notebook_open');

  // Wait for the kernel: "Java ... | Initializing" until it is connected ("Unknown" is rapaio's state until its first
  // cell, see README: Kernels). Run All Cells before that runs nothing.
  const kernelText = page.locator('.jp-StatusBar-TextItem', { hasText: ' | ' }).first();
  await page.waitForFunction((el) => /\| (Idle|Unknown|Busy)\s*$/.test(el.textContent), await kernelText.elementHandle(),
    { timeout: 180000 });
  // The server's view as well: the kernel idle with the page's websocket connected, and nothing changing for a second
  // (the page shows "Unknown" from the moment its websocket opens, before the server has finished connecting it).
  const kernels = async () => {
    try {
      const r = await fetch(`${args.lab}/api/kernels?token=${args.token}`);
      return (await r.json()).map((k) => ({ state: k.execution_state, connections: k.connections }));
    } catch (e) { return [{ error: String(e).slice(0, 200) }]; }
  };
  for (let settled = 0, t0 = Date.now(); settled < 4 && Date.now() - t0 < 60000; ) {
    const k = await kernels();
    settled = k.length === 1 && k[0].state === 'idle' && k[0].connections > 0 ? settled + 1 : 0;
    await page.waitForTimeout(250);
  }
  report.kernel_at_start = await kernels();
  step('kernel_ready');

  // JupyterLab's own menu: Run > Run All Cells
  const runAll = async () => {
    await page.locator('.lm-MenuBar-itemLabel', { hasText: /^Run$/ }).click();
    await page.locator('.lm-Menu-item', { hasText: /^Run All Cells/ }).first().click();
  };
  await runAll();
  await page.mouse.move(5, 5);   // away from the outputs: a plot is drawn when the mouse enters it (below)
  step('run_all_clicked');

  // Done when every code cell shows an execution count ([3], not [ ] or [*]) and the kernel is idle.
  const state = async () => page.evaluate(() => {
    const cells = [...document.querySelectorAll('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook .jp-CodeCell')];
    const prompts = cells.map((c) => (c.querySelector('.jp-InputArea-prompt')?.textContent || '').trim());
    const indicator = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook-ExecutionIndicator');
    const status = indicator?.getAttribute('data-status') || '';
    return { prompts, status };
  });
  let s = await state();
  const clicked = Date.now();
  let lastPrompts = '', lastChange = Date.now();
  while (Date.now() - started < timeoutMs) {
    s = await state();
    const done = s.prompts.length > 0 && s.prompts.every((p) => /\[\d+\]/.test(p));
    if (done && (s.status === 'idle' || s.status === '')) break;
    const now = Date.now(), joined = s.prompts.join(' ');
    if (joined !== lastPrompts) { lastPrompts = joined; lastChange = now; }
    // A cell still shows [*] although the kernel has been idle for 60 s with nothing changing: the page lost the
    // end of that cell (its reply or its idle status never reached it). Stop waiting and say so, with the kernel's
    // state as the server sees it.
    if (now - lastChange > 60000 && s.prompts.some((p) => p === '[*]:')) {
      const k = await kernels();
      if (k.length === 1 && k[0].state === 'idle') { report.stuck = { prompts: s.prompts, kernel: k, idle_seconds: Math.round((now - lastChange) / 1000) }; break; }
    }
    if (Date.now() - clicked > 120000 && s.prompts.every((p) => p === '[ ]:')) {
      throw new Error(`Run All Cells ran nothing in 120 s (kernel: ${await kernelText.textContent()})`);
    }
    await page.waitForTimeout(500);
  }
  report.prompts = s.prompts;
  report.kernel_status = s.status;
  step('cells_done');

  // Measure each output in view. JupyterLab's Plotly renderer (jupyterlab-plotly) first shows the bundle's PNG and
  // swaps in the interactive plot when the mouse enters the picture: do what a reader does, then wait for the SVG.
  await page.waitForTimeout(1000);
  const outputs = notebook.locator('.jp-OutputArea-output');
  const n = await outputs.count();
  report.outputs = [];
  for (let i = 0; i < n; i++) {
    const out = outputs.nth(i);
    await out.scrollIntoViewIfNeeded();
    const plotly = await out.evaluate((el) => el.classList.contains('jp-RenderedPlotly'));
    let before = null, pngPixels = null, drawnPixels = null;
    if (plotly) {
      before = await out.evaluate((el) => {
        const img = el.querySelector('img.plot-img');
        return { png_src: (img?.getAttribute('src') || '').slice(0, 22), png_natural: img ? [img.naturalWidth, img.naturalHeight] : [0, 0],
          png_displayed: !!img && getComputedStyle(img).display !== 'none', graph_before_hover: !!el.querySelector('.plot-container') };
      });
      const img = out.locator('img.plot-img');
      const src = await img.getAttribute('src').catch(() => null);
      if (src && src.startsWith('data:image/png')) pngPixels = await pngStats(page, src);
      if (before.png_displayed) {
        const b = await img.boundingBox();
        if (b) await page.mouse.move(b.x + b.width / 2, b.y + b.height / 2);
      }
      await out.locator('.main-svg .scatterlayer, .main-svg .barlayer').first().waitFor({ timeout: 30000 }).catch(() => {});
      await page.waitForTimeout(300);
      await page.mouse.move(5, 5);
      const graph = out.locator('.plot-container').first();
      if (await graph.count()) drawnPixels = await pngStats(page, await graph.screenshot());
    }
    const pictures = [];
    const imgs = out.locator('img:not(.plot-img)');
    for (let k = 0; k < await imgs.count(); k++) {
      const src = await imgs.nth(k).getAttribute('src');
      pictures.push(src && src.startsWith('data:image/') ? await pngStats(page, src) : null);
    }
    report.outputs.push(await out.evaluate((el, { before, pictures, pngPixels, drawnPixels }) => {
      const box = (e) => { const r = e.getBoundingClientRect(); return [Math.round(r.width), Math.round(r.height)]; };
      const text = (sel) => [...el.querySelectorAll(sel)].map((e) => e.textContent.trim()).join(' ');
      const svg = el.querySelector('.plot-container .main-svg');
      return {
        mime: el.getAttribute('data-mime-type') || (el.classList.contains('jp-RenderedPlotly') ? 'application/vnd.plotly.v1+json' : ''),
        renderer: [...el.classList].filter((c) => c.startsWith('jp-Rendered')).join(' '),
        images: [...el.querySelectorAll('img')].filter((img) => !img.classList.contains('plot-img'))
          .map((img, k) => ({ natural: [img.naturalWidth, img.naturalHeight], shown: box(img), pixels: pictures[k] })),
        png_first: before && { ...before, pixels: pngPixels },
        plot: svg && {
          size: box(el.querySelector('.plot-container')),
          title: text('.gtitle'),
          x_title: text('.g-xtitle'),
          y_title: text('.g-ytitle'),
          points: el.querySelectorAll('.scatterlayer .point').length,
          lines: [...el.querySelectorAll('.scatterlayer .js-line')].filter((p) => (p.getAttribute('d') || '').length > 2).length,
          bars: el.querySelectorAll('.barlayer .point').length,
          legend: el.querySelectorAll('.legend .traces').length,
          png_hidden: getComputedStyle(el.querySelector('img.plot-img') || el).display === 'none',
          pixels: drawnPixels,
        },
        text: el.textContent.trim().slice(0, 200),
      };
    }, { before, pictures, pngPixels, drawnPixels }));
  }
  step('measured');

  // Interaction: hover over a point of the first plot; Plotly draws its hover label.
  const firstPlot = notebook.locator('.jp-RenderedPlotly .plot-container').first();
  if (await firstPlot.count()) {
    await firstPlot.scrollIntoViewIfNeeded();
    const point = firstPlot.locator('.scatterlayer .point, .barlayer .point').first();
    if (await point.count()) {
      const b = await point.boundingBox();
      if (b) {
        await page.mouse.move(b.x + b.width / 2, b.y + b.height / 2);
        await firstPlot.locator('.hoverlayer .hovertext').first().waitFor({ timeout: 5000 }).catch(() => {});
        report.hover = (await firstPlot.locator('.hoverlayer').textContent().catch(() => '')).trim();
      }
    }
    const area = firstPlot.locator('xpath=ancestor::div[contains(@class,"jp-Cell")][1]');
    await area.screenshot({ path: join(args.out, 'first-plot.png') });
  }
  await page.mouse.move(5, 5);
  await page.screenshot({ path: join(args.out, 'page.png') });

  // Save (Ctrl+S), so that the test can read the outputs JupyterLab received.
  await notebook.click({ position: { x: 5, y: 5 } }).catch(() => {});
  await page.keyboard.press('Control+s');
  await page.waitForFunction(() => !document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-mod-dirty, .lm-TabBar-tab.jp-mod-current.jp-mod-dirty'), null, { timeout: 30000 })
    .catch(() => { report.save_error = 'the notebook still had unsaved changes after 30 s'; });
  step('saved');

  // The block works: the page cannot fetch plotly.js from its CDN (the way other Java notebooks load it). Last, so
  // that the error the blocked fetch logs is not counted among the page's own.
  report.console_errors_before_probe = [...report.console_errors];
  report.offline_probe = await page.evaluate(async () => {
    try { await fetch('https://cdn.plot.ly/plotly-2.35.2.min.js', { mode: 'no-cors' }); return 'reached'; } catch { return 'blocked'; }
  });
} catch (e) {
  report.error = String(e && e.stack || e).slice(0, 2000);
} finally {
  report.seconds = seconds();
  await browser.close();
  console.log(JSON.stringify(report));
}
