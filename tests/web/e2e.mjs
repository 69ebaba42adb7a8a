// The page end to end in headless Debian Chromium (playwright-core):
// starts `tint serve`, opens the page, uploads a photo, watches the
// pixelization preloader refine, gets a colour result, downloads it, and sees
// the page's messages for a file that is not an image and one too large; the
// page at phone width too. Screenshots go to the artefact folder.
//
//   node tests/web/e2e.mjs BUILD/bin/tint SOURCE_DIR ARTEFACT_DIR
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { chromium } from "playwright-core";

const [tint, sourceDir, outDir] = process.argv.slice(2);
if (!tint || !sourceDir || !outDir) {
  console.error("usage: node e2e.mjs TINT SOURCE_DIR ARTEFACT_DIR");
  process.exit(2);
}
fs.mkdirSync(outDir, { recursive: true });
const chromiumPath = process.env.CHROMIUM || "/usr/bin/chromium";

let failures = 0;
function check(ok, what) {
  console.log(`${ok ? "ok  " : "FAIL"} ${what}`);
  if (!ok) failures += 1;
}

function startServer(extra = []) {
  return new Promise((resolve, reject) => {
    const server = spawn(tint, ["serve", "--port", "0", "--methods", "classic,cnn,grayscale",
      "--max-pixels", "3000000", "--workers", "1", ...extra], { stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    const timer = setTimeout(() => reject(new Error("tint serve did not start in 60 s")), 60000);
    server.stdout.on("data", (chunk) => {
      out += chunk;
      const m = out.match(/listening on (http:\/\/\S+)/);
      if (m) {
        clearTimeout(timer);
        resolve({ server, url: m[1] });
      }
    });
    server.on("exit", (code) => reject(new Error(`tint serve exited with ${code}: ${out}`)));
  });
}

// PNG width and height from its IHDR chunk.
function pngSize(buffer) {
  if (buffer.length < 24 || buffer.readUInt32BE(0) !== 0x89504e47) return null;
  return [buffer.readUInt32BE(16), buffer.readUInt32BE(20)];
}

const { server, url } = await startServer();
const browser = await chromium.launch({ executablePath: chromiumPath, args: ["--no-sandbox"] });
try {
  const context = await browser.newContext({ viewport: { width: 960, height: 1100 },
    acceptDownloads: true });
  // The test's one way to read an image's pixels in the page: a 2D context
  // of its natural size (window.e2ePixels(url)).
  await context.addInitScript(() => {
    window.e2ePixels = async (url) => {
      const img = new Image();
      img.src = url;
      await img.decode();
      const c = document.createElement("canvas");
      c.width = img.naturalWidth;
      c.height = img.naturalHeight;
      const ctx = c.getContext("2d");
      ctx.drawImage(img, 0, 0);
      return ctx;
    };
  });
  const page = await context.newPage();
  // The fields of each job the page posts (FormData keys, recorded by a
  // fetch wrapper): a re-run names the photo's first job ('from') instead
  // of uploading the photo again.
  await page.addInitScript(() => {
    window.e2ePosted = [];
    const send = window.fetch.bind(window);
    window.fetch = (resource, init) => {
      if (init && init.body instanceof FormData) window.e2ePosted.push([...init.body.keys()]);
      return send(resource, init);
    };
  });
  const posts = () => page.evaluate(() => window.e2ePosted);
  page.on("pageerror", (e) => check(false, `no script error on the page (${e.message})`));
  await page.goto(url);
  await page.waitForSelector("#method option[value=classic]", { state: "attached" });
  check((await page.locator("#method option").count()) === 3, "the method list has the 3 served methods");
  const classicText = await page.locator("#method option[value=classic]").textContent();
  check(/^classic \(about [0-9.]+ s\)$/.test(classicText), `the menu gives each method's cost: "${classicText}"`);

  // The bundled sample at 4x (1924x1284 px), so the job runs long enough to watch.
  const sample = fs.readFileSync(path.join(sourceDir, "samples", "bridge.jpg")).toString("base64");
  const photo = await page.evaluate(async (b64) => {
    const img = new Image();
    img.src = `data:image/jpeg;base64,${b64}`;
    await img.decode();
    const c = document.createElement("canvas");
    c.width = img.naturalWidth * 4;
    c.height = img.naturalHeight * 4;
    const ctx = c.getContext("2d");
    ctx.filter = "grayscale(1)";
    ctx.drawImage(img, 0, 0, c.width, c.height);
    return c.toDataURL("image/png").split(",")[1];
  }, sample);

  await page.selectOption("#method", "classic");
  await page.setInputFiles("#file", { name: "bridge.png", mimeType: "image/png",
    buffer: Buffer.from(photo, "base64") });
  await page.waitForFunction(() => window.tintPreloader.length >= 2, null, { timeout: 60000 });
  await page.screenshot({ path: path.join(outDir, "preloader.png") });
  const midJob = await page.evaluate(() => document.body.dataset.state !== "done");
  console.log(`note: preloader screenshot ${midJob ? "mid-job" : "after the job ended"}`);
  await page.waitForFunction(() => document.body.dataset.state === "done", null, { timeout: 120000 });
  const blocks = await page.evaluate(() => window.tintPreloader);
  console.log(`preloader block sizes: ${blocks.join(" ")}`);
  check(blocks.length >= 3, "the preloader drew at least 3 refinements");
  check(blocks.every((b, i) => i === 0 || b < blocks[i - 1]), "each refinement is finer");
  check(blocks[0] >= 40, "it started coarse (blocks of 40 px or more)");
  await page.locator("#slider").fill("35");
  await page.screenshot({ path: path.join(outDir, "result.png") });

  // The result is in colour and of the photo's size.
  const chroma = await page.evaluate(async () => {
    const ctx = await window.e2ePixels(document.getElementById("after").src);
    const c = ctx.canvas;
    const d = ctx.getImageData(0, 0, c.width, c.height).data;
    let sum = 0;
    for (let i = 0; i < d.length; i += 4) {
      sum += Math.max(d[i], d[i + 1], d[i + 2]) - Math.min(d[i], d[i + 1], d[i + 2]);
    }
    return { spread: sum / (d.length / 4), width: c.width, height: c.height };
  });
  check(chroma.width === 1924 && chroma.height === 1284, `the result is 1924x1284 (${chroma.width}x${chroma.height})`);
  check(chroma.spread > 4, `the result has colour (mean channel spread ${chroma.spread.toFixed(1)})`);

  const [download] = await Promise.all([page.waitForEvent("download"), page.click("#download")]);
  const saved = path.join(outDir, "downloaded.png");
  await download.saveAs(saved);
  const size = pngSize(fs.readFileSync(saved));
  check(size !== null && size[0] === 1924 && size[1] === 1284, "the download is the 1924x1284 PNG");

  // Fix a colour: two magenta strokes painted with the mouse over the
  // result, the method run again with them; the stroked places turn towards
  // magenta, a far corner stays as it was.
  const stats = () => page.evaluate(async () => {
    const img = document.getElementById("after");
    const ctx = await window.e2ePixels(img.src);
    const c = ctx.canvas;
    // Mean magenta-ness ((R + B) / 2 - G) and mean RGB in a box (fractions).
    const box = (x0, y0, x1, y1) => {
      const d = ctx.getImageData(x0 * c.width, y0 * c.height, (x1 - x0) * c.width,
        (y1 - y0) * c.height).data;
      let m = 0; const rgb = [0, 0, 0];
      for (let i = 0; i < d.length; i += 4) {
        m += (d[i] + d[i + 2]) / 2 - d[i + 1];
        for (let k = 0; k < 3; k++) rgb[k] += d[i + k];
      }
      const n = d.length / 4;
      return { magenta: m / n, rgb: rgb.map((v) => v / n) };
    };
    return { first: box(0.26, 0.29, 0.34, 0.31), second: box(0.61, 0.69, 0.69, 0.71),
             corner: box(0.90, 0.04, 0.97, 0.12), src: img.src };
  });
  const plain = await stats();
  await page.click("#paint");
  check(await page.locator("#strokes").isVisible(), "Fix a colour shows the strokes canvas");
  await page.selectOption("#reach", "40");
  await page.locator("#stroke-colour").fill("#d0209c");
  await page.locator("#brush").fill("20");
  const area = await page.locator("#strokes").boundingBox();
  for (const [x0, x1, y] of [[0.25, 0.35, 0.3], [0.6, 0.7, 0.7]]) {
    await page.mouse.move(area.x + x0 * area.width, area.y + y * area.height);
    await page.mouse.down();
    await page.mouse.move(area.x + x1 * area.width, area.y + y * area.height, { steps: 10 });
    await page.mouse.up();
  }
  check((await page.evaluate(() => window.document.getElementById("undo").disabled)) === false,
    "Undo is offered once a stroke is drawn");
  await page.screenshot({ path: path.join(outDir, "strokes.png") });
  const postedBefore = (await posts()).length;
  await page.click("#rerun");
  await page.waitForFunction((old) => document.body.dataset.state === "done" &&
    document.getElementById("after").src !== old, plain.src, { timeout: 120000 });
  const rerunFields = (await posts()).slice(postedBefore);
  check(rerunFields.length === 1 && rerunFields[0].includes("from") &&
    rerunFields[0].includes("hints") && !rerunFields[0].includes("image"),
    `the re-run names the first job's photo, no second upload: ${JSON.stringify(rerunFields)}`);
  const fixed = await stats();
  console.log(`magenta-ness first ${plain.first.magenta.toFixed(1)} -> ${fixed.first.magenta.toFixed(1)}, ` +
    `second ${plain.second.magenta.toFixed(1)} -> ${fixed.second.magenta.toFixed(1)}`);
  check(fixed.first.magenta > plain.first.magenta + 15, "the first stroke's place turned towards magenta");
  check(fixed.second.magenta > plain.second.magenta + 15, "the second stroke's place turned towards magenta");
  const drift = Math.max(...fixed.corner.rgb.map((v, k) => Math.abs(v - plain.corner.rgb[k])));
  check(drift < 3, `a far corner kept its colour (mean RGB moved by ${drift.toFixed(2)})`);
  const command = await page.textContent("#command");
  check(/--hints strokes\.png --hint-reach 40/.test(command), `the page gives the command line: "${command}"`);
  const [strokesFile] = await Promise.all([page.waitForEvent("download"), page.click("#strokes-download")]);
  const strokesPath = path.join(outDir, "strokes_download.png");
  await strokesFile.saveAs(strokesPath);
  const strokesSize = pngSize(fs.readFileSync(strokesPath));
  check(strokesSize !== null && strokesSize[0] === 1924 && strokesSize[1] === 1284,
    "the strokes download is a 1924x1284 PNG, ready for --hints");
  await page.screenshot({ path: path.join(outDir, "strokes_result.png") });

  // Compare: classic with the CNN and grayscale ticked; three results side
  // by side, each with its time, and the slider's pair chosen from them.
  await page.click("#compare-pick summary");
  await page.check("#compare-methods input[value=cnn]");
  await page.check("#compare-methods input[value=grayscale]");
  await page.selectOption("#method", "classic");
  const postedCompare = (await posts()).length;
  await page.setInputFiles("#file", { name: "bridge.jpg", mimeType: "image/jpeg",
    buffer: fs.readFileSync(path.join(sourceDir, "samples", "bridge.jpg")) });
  await page.waitForFunction(() => document.body.dataset.state === "done" &&
    document.querySelectorAll("#results figure").length === 3, null, { timeout: 120000 });
  const compareFields = (await posts()).slice(postedCompare);
  check(compareFields.length === 3 && compareFields[0].includes("image") &&
    compareFields.slice(1).every((f) => f.includes("from") && !f.includes("image")),
    `the photo is uploaded once for three methods: ${JSON.stringify(compareFields)}`);
  const captions = await page.$$eval("#results figcaption", (els) => els.map((e) => e.textContent));
  check(captions.every((c) => /^(classic|cnn|grayscale): coloured in [0-9.]+ s$/.test(c)) &&
    new Set(captions.map((c) => c.split(":")[0])).size === 3,
    `three results side by side with their times: ${JSON.stringify(captions)}`);
  await page.selectOption("#left", { label: "classic" });
  await page.selectOption("#right", { label: "cnn" });
  const pair = await page.evaluate(() => [document.getElementById("before").src,
    document.getElementById("after").src]);
  const shown = await page.$$eval("#results img", (els) => els.map((e) => [e.alt, e.src]));
  const urlOf = (name) => (shown.find(([alt]) => alt.startsWith(name)) || [])[1];
  check(pair[0] === urlOf("classic") && pair[1] === urlOf("cnn"),
    "the slider shows the chosen pair (classic left, cnn right)");
  await page.screenshot({ path: path.join(outDir, "compare.png"), fullPage: true });
  await page.uncheck("#compare-methods input[value=cnn]");
  await page.uncheck("#compare-methods input[value=grayscale]");

  // A reference photo: classic coloured like a reddened copy of the sample
  // comes out redder than classic alone (the comparison's result above).
  check(await page.locator("#reference").isVisible(), "classic offers a reference photo");
  const reddened = await page.evaluate(async (b64) => {
    const ctx = await window.e2ePixels(`data:image/jpeg;base64,${b64}`);
    const c = ctx.canvas;
    ctx.globalCompositeOperation = "multiply";
    ctx.fillStyle = "#ff9090";
    ctx.fillRect(0, 0, c.width, c.height);
    return c.toDataURL("image/png").split(",")[1];
  }, sample);
  await page.setInputFiles("#reference", { name: "reddened.png", mimeType: "image/png",
    buffer: Buffer.from(reddened, "base64") });
  const plainUrl = urlOf("classic");
  await page.setInputFiles("#file", { name: "bridge.jpg", mimeType: "image/jpeg",
    buffer: fs.readFileSync(path.join(sourceDir, "samples", "bridge.jpg")) });
  await page.waitForFunction((old) => document.body.dataset.state === "done" &&
    document.getElementById("after").src !== old, plainUrl, { timeout: 120000 });
  const redness = await page.evaluate(async (urls) => {
    const out = [];
    for (const url of urls) {
      const ctx = await window.e2ePixels(url);
      const d = ctx.getImageData(0, 0, ctx.canvas.width, ctx.canvas.height).data;
      let sum = 0;
      for (let i = 0; i < d.length; i += 4) sum += d[i] - d[i + 1];
      out.push(sum / (d.length / 4));
    }
    return out;
  }, [plainUrl, await page.evaluate(() => document.getElementById("after").src)]);
  check(redness[1] > redness[0] + 5,
    `coloured like the reddened reference, redder (R - G ${redness[0].toFixed(1)} -> ${redness[1].toFixed(1)})`);
  await page.screenshot({ path: path.join(outDir, "reference.png") });
  await page.setInputFiles("#reference", []);

  // A file that is not an image, and one with too many pixels.
  await page.setInputFiles("#file", { name: "notes.txt", mimeType: "text/plain",
    buffer: Buffer.from("not a photo") });
  await page.waitForSelector("#error:not([hidden])");
  const notImage = await page.textContent("#error");
  check(notImage.startsWith("Not an image"), `a text file: "${notImage}"`);
  const huge = await page.evaluate(async () => {
    const c = document.createElement("canvas");
    c.width = 3000;
    c.height = 2000;
    const ctx = c.getContext("2d");
    ctx.fillStyle = "#777";
    ctx.fillRect(0, 0, c.width, c.height);
    return c.toDataURL("image/png").split(",")[1];
  });
  await page.setInputFiles("#file", { name: "huge.png", mimeType: "image/png",
    buffer: Buffer.from(huge, "base64") });
  await page.waitForFunction(() => document.getElementById("error").textContent.startsWith("Too large"));
  const tooLarge = await page.textContent("#error");
  check(/over the limit of 3000000 pixels/.test(tooLarge), `a 6 Mpx photo: "${tooLarge}"`);
  await page.screenshot({ path: path.join(outDir, "error.png") });

  // Phone width: nothing wider than the screen.
  const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2 });
  const small = await phone.newPage();
  await small.goto(url);
  await small.waitForSelector("#method option[value=classic]", { state: "attached" });
  const scroll = await small.evaluate(() => document.documentElement.scrollWidth);
  check(scroll <= 390, `no sideways scrolling at 390 px (page is ${scroll} px wide)`);
  await small.screenshot({ path: path.join(outDir, "phone.png") });
  await small.setInputFiles("#file", { name: "bridge.jpg", mimeType: "image/jpeg",
    buffer: fs.readFileSync(path.join(sourceDir, "samples", "bridge.jpg")) });
  await small.waitForFunction(() => document.body.dataset.state === "done", null, { timeout: 120000 });
  const doneScroll = await small.evaluate(() => document.documentElement.scrollWidth);
  check(doneScroll <= 390, `the result fits 390 px too (page is ${doneScroll} px wide)`);
  await small.screenshot({ path: path.join(outDir, "phone_result.png"), fullPage: true });

  // A server with an access token (--token-file): the page asks for it once
  // (a prompt), then the job runs; the token stays for the tab.
  const tokenFile = path.join(outDir, "token.txt");
  fs.writeFileSync(tokenFile, "e2e-token-0123456789abcdef\n");
  const guarded = await startServer(["--token-file", tokenFile]);
  try {
    const tab = await (await browser.newContext()).newPage();
    let asked = 0;
    tab.on("dialog", (d) => { asked += 1; d.accept("e2e-token-0123456789abcdef"); });
    await tab.goto(guarded.url);
    await tab.waitForSelector("#method option[value=grayscale]", { state: "attached" });
    await tab.selectOption("#method", "grayscale");
    await tab.setInputFiles("#file", { name: "bridge.jpg", mimeType: "image/jpeg",
      buffer: fs.readFileSync(path.join(sourceDir, "samples", "bridge.jpg")) });
    await tab.waitForFunction(() => document.body.dataset.state === "done", null, { timeout: 120000 });
    check(asked === 1, `with --token-file the page asked for the token once (${asked})`);
  } finally {
    guarded.server.kill("SIGTERM");
  }
} finally {
  await browser.close();
  server.kill("SIGTERM");
}
const code = await new Promise((resolve) => server.on("exit", (c) => resolve(c)));
check(code === 0, `tint serve stopped cleanly on SIGTERM (exit ${code})`);
console.log(failures === 0 ? "e2e: all checks passed" : `e2e: ${failures} checks failed`);
process.exit(failures === 0 ? 0 : 1);
