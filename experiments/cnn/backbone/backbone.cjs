// The TensorFlow.js side of experiments/cnn/import_backbone.py.
//   node backbone.cjs dump MODEL OUTDIR
//     writes OUTDIR/model.json (the Keras topology and the weights manifest)
//     and OUTDIR/weights.bin (the shards' bytes, in manifest order) of
//     nsfwjs's dist/models/MODEL.
//   node backbone.cjs predict MODEL INPUTS.f32 N SIZE OUT.json
//     runs the package's own model with @tensorflow/tfjs (pure JavaScript CPU
//     backend) on N float32 NHWC images of SIZE x SIZE x 3 in 0..1 and writes
//     their class probabilities as JSON.
"use strict";
const fs = require("fs");
const path = require("path");

function modelDir(model) {
  if (!/^[a-z0-9_]+$/.test(model)) throw new Error(`bad model name '${model}'`);
  return path.join(__dirname, "node_modules", "nsfwjs", "dist", "models", model);
}

function load(model) {
  const dir = modelDir(model);
  const spec = require(path.join(dir, "model.min.js"));
  const buffers = [];
  for (const group of spec.weightsManifest)
    for (const p of group.paths)
      buffers.push(Buffer.from(require(path.join(dir, p + ".min.js")), "base64"));
  return { spec, weights: Buffer.concat(buffers) };
}

async function main() {
  const [command, model, ...rest] = process.argv.slice(2);
  const { spec, weights } = load(model);
  if (command === "dump") {
    fs.mkdirSync(rest[0], { recursive: true });
    fs.writeFileSync(path.join(rest[0], "model.json"), JSON.stringify(spec));
    fs.writeFileSync(path.join(rest[0], "weights.bin"), weights);
    return;
  }
  if (command !== "predict") throw new Error(`unknown command '${command}'`);
  const tf = require("@tensorflow/tfjs");
  await tf.setBackend("cpu");
  const [inputs, n, size, out] = [rest[0], Number(rest[1]), Number(rest[2]), rest[3]];
  const specs = spec.weightsManifest.flatMap((g) => g.weights);
  const arrayBuffer = weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.length);
  const net = await tf.loadLayersModel(tf.io.fromMemory(spec.modelTopology, specs, arrayBuffer));
  const raw = fs.readFileSync(inputs);
  const data = new Float32Array(raw.buffer, raw.byteOffset, n * size * size * 3);
  const probs = net.predict(tf.tensor4d(data, [n, size, size, 3]));
  fs.writeFileSync(out, JSON.stringify(await probs.array()));
}

main().catch((e) => {
  console.error(`backbone.cjs: ${e.message}`);
  process.exit(1);
});
