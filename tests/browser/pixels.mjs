// How much a picture shows, measured on its pixels in the page (the browser decodes the PNG): a blank picture (one
// colour, or nearly) passes a check of its size but not these. Used by run_all.mjs for the notebook's pictures, the
// PNGs of its interactive charts, and screenshots of the charts Plotly drew.
//
//   dominant  share of the pixels that have the most common colour (4 bits per channel): 1 for a blank picture
//   colours   distinct colours at 4 bits per channel
//   ink       share of the pixels that are not near-white (the page's background)
//   std       standard deviation of the luminance, 0-255: 0 for a picture of one colour
//
// The test (tests/test_browser.py) calls a picture blank when dominant > 0.99 or std < 2.

/** The statistics of a PNG given as a data: URL or as base64. */
export const pngStats = (page, png) => page.evaluate(async (src) => {
  const img = new Image();
  img.src = src.startsWith('data:') ? src : `data:image/png;base64,${src}`;
  await img.decode();
  const canvas = document.createElement('canvas');
  canvas.width = img.naturalWidth;
  canvas.height = img.naturalHeight;
  const g = canvas.getContext('2d');
  g.drawImage(img, 0, 0);
  const d = g.getImageData(0, 0, canvas.width, canvas.height).data;
  const n = d.length / 4;
  const counts = new Map();
  let ink = 0, sum = 0, sumSq = 0;
  for (let i = 0; i < d.length; i += 4) {
    const key = ((d[i] >> 4) << 8) | ((d[i + 1] >> 4) << 4) | (d[i + 2] >> 4);
    counts.set(key, (counts.get(key) || 0) + 1);
    if (!(d[i] > 240 && d[i + 1] > 240 && d[i + 2] > 240)) ink++;
    const y = 0.299 * d[i] + 0.587 * d[i + 1] + 0.114 * d[i + 2];
    sum += y;
    sumSq += y * y;
  }
  const mean = sum / n;
  const round = (v, digits) => Math.round(v * 10 ** digits) / 10 ** digits;
  return {
    size: [canvas.width, canvas.height],
    dominant: round(Math.max(...counts.values()) / n, 4),
    colours: counts.size,
    ink: round(ink / n, 4),
    std: round(Math.sqrt(Math.max(0, sumSq / n - mean * mean)), 2),
  };
}, Buffer.isBuffer(png) ? png.toString('base64') : png);
