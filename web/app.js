// The tint page: upload, the pixelization preloader fed by the job's real
// progress, then a before/after slider and a download; strokes painted over
// the result colour it again (the API's `hints`). Plain JS, no build.
"use strict";

const $ = (id) => document.getElementById(id);
const state = { limits: null, methods: [], timer: null, grey: null, progress: 0, job: null,
                file: null, strokes: [], drawing: null, hintsUrl: null };
// The block sizes the preloader drew, in order (the browser test reads it).
window.tintPreloader = [];

function showError(message) {
  const box = $("error");
  box.textContent = message;
  box.hidden = false;
}

function clearError() {
  $("error").hidden = true;
}

async function readError(res) {
  try {
    const body = await res.json();
    if (body && body.error) return body.error;
  } catch (e) { /* not JSON */ }
  return `the server answered ${res.status}`;
}

// A server started with --token-file wants `Authorization: Bearer TOKEN` on
// submissions: asked once, kept for this tab only (sessionStorage).
async function postJob(form) {
  const send = () => {
    const token = sessionStorage.getItem("tint-token");
    const headers = token ? { Authorization: `Bearer ${token}` } : {};
    return fetch("/api/jobs", { method: "POST", body: form, headers });
  };
  let res = await send();
  if (res.status === 401) {
    const token = window.prompt("This service needs its access token:");
    if (token) {
      sessionStorage.setItem("tint-token", token.trim());
      res = await send();
    }
  }
  return res;
}

async function loadMethods() {
  const res = await fetch("/api/methods");
  if (!res.ok) throw new Error(await readError(res));
  const body = await res.json();
  state.limits = body;
  state.methods = body.methods;
  const select = $("method");
  select.innerHTML = "";
  for (const m of body.methods) {
    const option = document.createElement("option");
    option.value = m.name;
    option.textContent = m.typical_seconds ? `${m.name} (about ${seconds(m.typical_seconds)})` : m.name;
    select.appendChild(option);
  }
  const preferred = body.methods.find((m) => m.name === "classic");
  if (preferred) select.value = "classic";
  const boxes = $("compare-methods");
  boxes.innerHTML = "";
  for (const m of body.methods) {
    const label = document.createElement("label");
    label.className = "check";
    const box = document.createElement("input");
    box.type = "checkbox";
    box.value = m.name;
    label.append(box, ` ${m.name}`);
    boxes.appendChild(label);
  }
  describeMethod();
}

// The methods ticked for comparison, beside the chosen one.
function comparedMethods() {
  const chosen = $("method").value;
  return [...$("compare-methods").querySelectorAll("input:checked")]
    .map((box) => box.value).filter((name) => name !== chosen);
}

// "0.13 s", "27 s", "2 min".
function seconds(s) {
  if (s < 1) return `${s.toFixed(2)} s`;
  if (s < 90) return `${Math.round(s)} s`;
  return `${Math.round(s / 60)} min`;
}

// The method's summary and its stated cost, scaled to the chosen photo's
// pixels once it is known (the cost grows about with the pixel count).
function describeMethod() {
  const m = state.methods.find((x) => x.name === $("method").value);
  if (!m) {
    $("method-summary").textContent = "";
    return;
  }
  let cost = "";
  if (m.typical_seconds) {
    const typical = state.limits.typical_pixels;
    const pixels = state.pixels || typical;
    const size = state.pixels ? "this photo" : "a 481x321 photo";
    cost = ` About ${seconds(m.typical_seconds * pixels / typical)} for ${size} on one core.`;
  }
  const summary = /[.!?]$/.test(m.summary) ? m.summary : `${m.summary}.`;
  $("method-summary").textContent = summary + cost;
  $("reference-row").hidden = !m.takes_reference;
}

// The reference photo chosen, for a method that takes one.
function referenceFor(name) {
  const m = state.methods.find((x) => x.name === name);
  const file = $("reference").files[0];
  return m && m.takes_reference && file ? file : null;
}

// Block size for a progress: 48 px at the start, 2 px near the end.
function blockFor(progress) {
  const p = Math.min(1, Math.max(0, progress));
  return Math.max(2, Math.round(48 * Math.pow(1 - p, 1.5)));
}

function drawPreloader() {
  const img = state.grey;
  if (!img) return;
  const canvas = $("preloader");
  if (canvas.width !== img.naturalWidth) {
    canvas.width = img.naturalWidth;
    canvas.height = img.naturalHeight;
  }
  const block = blockFor(state.progress);
  if (Number(canvas.dataset.block) === block) return;
  const w = Math.max(1, Math.ceil(canvas.width / block));
  const h = Math.max(1, Math.ceil(canvas.height / block));
  const small = document.createElement("canvas");
  small.width = w;
  small.height = h;
  small.getContext("2d").drawImage(img, 0, 0, w, h);
  const ctx = canvas.getContext("2d");
  ctx.imageSmoothingEnabled = false;
  ctx.drawImage(small, 0, 0, w, h, 0, 0, canvas.width, canvas.height);
  canvas.dataset.block = String(block);
  window.tintPreloader.push(block);
}

function setProgress(stage, progress) {
  state.progress = progress;
  $("stage").textContent = stage;
  $("percent").textContent = `${Math.round(progress * 100)}%`;
  $("bar").style.width = `${progress * 100}%`;
  drawPreloader();
}

function loadImage(url) {
  return new Promise((resolve, reject) => {
    const img = new Image();
    img.onload = () => resolve(img);
    img.onerror = () => reject(new Error(`cannot load ${url}`));
    img.src = url;
  });
}

// Sends the photo (with the strokes as `hints` when given) and follows the job.
// A photo the server already holds (an earlier job's, kept for its lifetime)
// is named by that job (`from`) instead of being uploaded again.
async function submit(file, hints = null) {
  clearError();
  if (!file) return;
  if (file !== state.file) {
    state.file = file;
    state.photoJob = null;
    state.strokes = [];
    setPainting(false);
  }
  const limitMb = state.limits ? state.limits.max_upload_mb : 20;
  if (!state.photoJob && file.size > limitMb * 1024 * 1024) {
    showError(`This file is ${(file.size / 1048576).toFixed(1)} MB; the limit is ${limitMb} MB.`);
    return;
  }
  $("done").hidden = true;
  $("work").hidden = false;
  document.body.dataset.state = "working";
  state.pixels = 0;
  $("preloader").dataset.block = "";
  state.grey = null;
  setProgress(state.photoJob ? "sending" : "uploading", 0);
  const jobForm = (photoJob) => {
    const form = new FormData();
    if (photoJob) form.append("from", photoJob);
    else form.append("image", file);
    form.append("method", $("method").value);
    form.append("post", $("post").checked ? "auto" : "none");
    const reference = referenceFor($("method").value);
    if (reference) form.append("reference", reference);
    if (hints) {
      form.append("hints", hints, "strokes.png");
      form.append("hint_reach", $("reach").value);
    }
    return form;
  };
  state.lastHints = hints;
  let res;
  try {
    res = await postJob(jobForm(state.photoJob));
    if (res.status === 404 && state.photoJob) {  // the earlier job expired: upload it
      state.photoJob = null;
      setProgress("uploading", 0);
      res = await postJob(jobForm(null));
    }
  } catch (e) {
    $("work").hidden = true;
    showError("The server cannot be reached. Is tint serve running?");
    return;
  }
  if (!res.ok) {
    $("work").hidden = true;
    const message = await readError(res);
    const retry = res.headers.get("Retry-After");
    const prefix = { 413: "Too large: ", 415: "Not an image: ", 429: "Busy: " }[res.status] || "";
    showError(prefix + message + (retry ? ` (retry in ${retry} s)` : ""));
    return;
  }
  const job = await res.json();
  state.job = job.id;
  if (!state.photoJob) state.photoJob = job.id;
  state.pixels = job.width * job.height;
  describeMethod();
  // Methods to compare: one more job each, same photo, followed beside the
  // chosen one's (strokes re-run the chosen method alone).
  state.others = [];
  for (const name of hints ? [] : comparedMethods()) {
    const other = new FormData();
    other.append("from", state.photoJob);
    other.append("method", name);
    other.append("post", $("post").checked ? "auto" : "none");
    if (referenceFor(name)) other.append("reference", referenceFor(name));
    const answer = await postJob(other);
    if (answer.ok) state.others.push({ method: name, id: (await answer.json()).id });
    else showError(`${name}: ${await readError(answer)}`);
  }
  try {
    state.grey = await loadImage(job.grey);
  } catch (e) { /* the preloader stays empty; the job goes on */ }
  setProgress(job.stage, job.progress);
  poll(job.id);
}

// Long-polls: the server answers when the job moves past the progress the
// page shows (or after 10 s), so each step arrives at once, without a
// request every few milliseconds.
async function poll(id, after = -1) {
  if (state.job !== id) return;
  let res;
  const asked = Date.now();
  try {
    res = await fetch(`/api/jobs/${id}?wait=10&after=${after}`);
  } catch (e) {
    state.timer = setTimeout(() => poll(id), 500);
    return;
  }
  if (!res.ok) {
    $("work").hidden = true;
    showError(await readError(res));
    return;
  }
  const job = await res.json();
  setProgress(job.stage, job.progress);
  if (job.state === "failed") {
    $("work").hidden = true;
    showError(`The photo could not be coloured: ${job.error}`);
    return;
  }
  if (job.state === "done") {
    await showResult(job);
    return;
  }
  // At once after a step; a short pause if the server answered at once
  // without one (all its long-poll slots busy).
  const quick = Date.now() - asked < 100 && job.progress <= after;
  state.timer = setTimeout(() => poll(id, job.progress), quick ? 150 : 0);
}

function fitBefore() {
  const after = $("after");
  const before = $("before");
  before.style.width = `${after.clientWidth}px`;
  before.style.height = `${after.clientHeight}px`;
  $("before-clip").style.width = `${$("slider").value}%`;
}

// Follows a job to its end (long polls); its last status.
async function finished(id) {
  for (;;) {
    const res = await fetch(`/api/jobs/${id}?wait=10`);
    if (!res.ok) return { state: "failed", error: await readError(res) };
    const job = await res.json();
    if (job.state === "done" || job.state === "failed") return job;
  }
}

// The results side by side, each with its time, and the slider's pair.
async function showCompared(main) {
  const jobs = [main];
  for (const other of state.others || []) {
    const job = await finished(other.id);
    if (job.state === "done") jobs.push(job);
    else showError(`${other.method}: ${job.error}`);
  }
  $("compared").hidden = jobs.length < 2;
  if (jobs.length < 2) return;
  const grid = $("results");
  grid.innerHTML = "";
  const choices = [{ name: "grey photo", url: main.grey }];
  for (const job of jobs) {
    const figure = document.createElement("figure");
    const img = document.createElement("img");
    img.src = job.result;
    img.alt = `${job.method} result`;
    const caption = document.createElement("figcaption");
    caption.textContent = `${job.method}: coloured in ${job.timings.run.toFixed(2)} s`;
    figure.append(img, caption);
    grid.appendChild(figure);
    choices.push({ name: job.method, url: job.result });
  }
  for (const [id, pick] of [["left", 0], ["right", 1]]) {
    const select = $(id);
    select.innerHTML = "";
    for (const c of choices) {
      const option = document.createElement("option");
      option.value = c.url;
      option.textContent = c.name;
      select.appendChild(option);
    }
    select.selectedIndex = pick;
  }
}

function showPair() {
  $("before").src = $("left").value;
  $("after").src = $("right").value;
  fitBefore();
}

async function showResult(job) {
  const after = await loadImage(job.result);
  $("after").src = after.src;
  $("before").src = job.grey;
  $("download").href = job.result;
  $("work").hidden = true;
  $("done").hidden = false;
  const t = job.timings;
  $("timing").textContent =
    `${job.method}, ${job.width}x${job.height} px: waited ${t.wait.toFixed(2)} s, ` +
    `coloured in ${t.run.toFixed(2)} s.`;
  $("after").onload = fitBefore;
  fitBefore();
  sizeStrokes(job.width, job.height);
  showReplay(job.method);
  await showCompared(job);
  document.body.dataset.state = "done";
}

// Strokes: drawn at the photo's own size on a canvas laid over the result
// (CSS scales it to the shown size), kept as a list so that Undo can drop
// the last one. The canvas is the `hints` image itself: opaque colour where
// painted, transparent elsewhere.
function sizeStrokes(width, height) {
  const canvas = $("strokes");
  if (canvas.width !== width || canvas.height !== height) {
    canvas.width = width;
    canvas.height = height;
  }
  drawStrokes();
}

function drawStrokes() {
  const canvas = $("strokes");
  const ctx = canvas.getContext("2d");
  ctx.clearRect(0, 0, canvas.width, canvas.height);
  ctx.lineCap = "round";
  ctx.lineJoin = "round";
  for (const s of state.strokes) {
    ctx.strokeStyle = s.colour;
    ctx.fillStyle = s.colour;
    ctx.lineWidth = s.width;
    if (s.points.length === 1) {
      ctx.beginPath();
      ctx.arc(s.points[0][0], s.points[0][1], s.width / 2, 0, 2 * Math.PI);
      ctx.fill();
      continue;
    }
    ctx.beginPath();
    ctx.moveTo(s.points[0][0], s.points[0][1]);
    for (const [x, y] of s.points.slice(1)) ctx.lineTo(x, y);
    ctx.stroke();
  }
  $("rerun").disabled = state.strokes.length === 0;
  $("undo").disabled = state.strokes.length === 0;
  $("clear").disabled = state.strokes.length === 0;
}

// A pointer position in the photo's pixels.
function photoPoint(e) {
  const canvas = $("strokes");
  const box = canvas.getBoundingClientRect();
  return [(e.clientX - box.left) * (canvas.width / box.width),
          (e.clientY - box.top) * (canvas.height / box.height)];
}

function setPainting(on) {
  $("compare").classList.toggle("painting", on);
  $("strokes").hidden = !on;
  $("paint-panel").hidden = !on;
  $("paint").setAttribute("aria-pressed", on ? "true" : "false");
  if (on) drawStrokes();
}

function rerunWithStrokes() {
  if (state.strokes.length === 0 || !state.file) return;
  $("strokes").toBlob((blob) => submit(state.file, blob), "image/png");
}

// The CLI command that gives the same result, with the strokes to download.
function showReplay(method) {
  const hints = state.lastHints;
  $("replay").hidden = !hints;
  if (!hints) return;
  if (state.hintsUrl) URL.revokeObjectURL(state.hintsUrl);
  state.hintsUrl = URL.createObjectURL(hints);
  $("strokes-download").href = state.hintsUrl;
  const reference = referenceFor(method);
  const post = ($("post").checked ? " --post auto" : "") +
    (reference ? ` --reference ${reference.name}` : "");
  $("command").textContent = `tint colorize ${state.file.name} -o colour.png --method ${method}` +
    `${post} --hints strokes.png --hint-reach ${$("reach").value}`;
}

function setup() {
  const drop = $("drop");
  $("file").addEventListener("change", (e) => submit(e.target.files[0]));
  $("method").addEventListener("change", describeMethod);
  $("slider").addEventListener("input", fitBefore);
  $("paint").addEventListener("click", () =>
    setPainting($("paint").getAttribute("aria-pressed") !== "true"));
  const canvas = $("strokes");
  canvas.addEventListener("pointerdown", (e) => {
    e.preventDefault();
    canvas.setPointerCapture(e.pointerId);
    const scale = canvas.width / canvas.getBoundingClientRect().width;
    state.drawing = { colour: $("stroke-colour").value, width: Number($("brush").value) * scale,
                      points: [photoPoint(e)] };
    state.strokes.push(state.drawing);
    drawStrokes();
  });
  canvas.addEventListener("pointermove", (e) => {
    if (!state.drawing) return;
    state.drawing.points.push(photoPoint(e));
    drawStrokes();
  });
  for (const type of ["pointerup", "pointercancel"]) {
    canvas.addEventListener(type, () => { state.drawing = null; });
  }
  $("undo").addEventListener("click", () => {
    state.strokes.pop();
    drawStrokes();
  });
  $("clear").addEventListener("click", () => {
    state.strokes = [];
    drawStrokes();
  });
  $("rerun").addEventListener("click", rerunWithStrokes);
  $("left").addEventListener("change", showPair);
  $("right").addEventListener("change", showPair);
  window.addEventListener("resize", fitBefore);
  $("again").addEventListener("click", () => {
    $("done").hidden = true;
    $("file").value = "";
    document.body.dataset.state = "";
    $("file").click();
  });
  for (const type of ["dragenter", "dragover"]) {
    drop.addEventListener(type, (e) => {
      e.preventDefault();
      drop.classList.add("over");
    });
  }
  for (const type of ["dragleave", "drop"]) {
    drop.addEventListener(type, (e) => {
      e.preventDefault();
      drop.classList.remove("over");
    });
  }
  drop.addEventListener("drop", (e) => submit(e.dataTransfer.files[0]));
  drop.addEventListener("keydown", (e) => {
    if (e.key === "Enter" || e.key === " ") $("file").click();
  });
  loadMethods().catch((e) => showError(`Cannot list the methods: ${e.message}`));
}

setup();
