// The tint page: upload, the pixelization preloader fed by the job's real
// progress, then a before/after slider and a download. Plain JS, no build.
"use strict";

const $ = (id) => document.getElementById(id);
const state = { limits: null, methods: [], timer: null, grey: null, progress: 0, job: null };
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
    option.textContent = m.name;
    select.appendChild(option);
  }
  const preferred = body.methods.find((m) => m.name === "classic");
  if (preferred) select.value = "classic";
  describeMethod();
}

function describeMethod() {
  const m = state.methods.find((x) => x.name === $("method").value);
  $("method-summary").textContent = m ? m.summary : "";
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

async function submit(file) {
  clearError();
  if (!file) return;
  const limitMb = state.limits ? state.limits.max_upload_mb : 20;
  if (file.size > limitMb * 1024 * 1024) {
    showError(`This file is ${(file.size / 1048576).toFixed(1)} MB; the limit is ${limitMb} MB.`);
    return;
  }
  $("done").hidden = true;
  $("work").hidden = false;
  $("preloader").dataset.block = "";
  state.grey = null;
  setProgress("uploading", 0);
  const form = new FormData();
  form.append("image", file);
  form.append("method", $("method").value);
  form.append("post", $("post").checked ? "auto" : "none");
  let res;
  try {
    res = await postJob(form);
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
  document.body.dataset.state = "done";
}

function setup() {
  const drop = $("drop");
  $("file").addEventListener("change", (e) => submit(e.target.files[0]));
  $("method").addEventListener("change", describeMethod);
  $("slider").addEventListener("input", fitBefore);
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
