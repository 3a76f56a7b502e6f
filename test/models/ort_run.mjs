// ort_run.mjs — runs an ONNX model with ONNX Runtime (onnxruntime-node) on .npy
// inputs and writes every output as .npy: the reference for Muon's model tests,
// and ONNX Runtime's side of bench/.
//
//   node test/models/ort_run.mjs MODEL.onnx --input [NAME=]X.npy... [--output-dir DIR]
//        [--optimization all|disabled] [--bench N] [--warmup W] [--api sync|async] [--json]
//
// Inputs are positional in graph order, or by name. Outputs go to
// DIR/<output name made a C identifier>.npy, as muon-run names them. As for
// muon-run, an input with one more leading dimension than the model declares
// is a batch: the model runs once per slice and the outputs are stacked.
// ONNX Runtime runs on one thread (intra- and inter-op), sequential execution,
// the CPU execution provider, graphOptimizationLevel 'all' (or as
// --optimization says).
//
// --optimization disabled runs the graph as it is written: a QDQ model's
// QuantizeLinear/DequantizeLinear pairs around float ops (the QDQ format's
// reference semantics, float fake-quantization), where 'all' fuses them into
// ONNX Runtime's integer kernels. Those are not exact on every CPU: with AVX2
// but no AVX-512 VNNI, its u8 x s8 kernels sum pairs of products with
// vpmaddubsw, which saturates at 16 bits. Exact int8 references come from
// numpy or from 'disabled'.
//
// --bench N times N calls (on the first slice of a batch) after W warm-up
// calls (default 10) and prints "N runs: min X us, median Y us" (or one JSON
// object with --json).
// --api sync (default) calls the native binding's InferenceSession.run, which
// is synchronous, with the outputs pre-allocated once; --api async goes through
// the public `await session.run()`, whose promise and setImmediate hop add tens
// of microseconds of JavaScript per call.
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

function usage(message) {
  console.error(`error: ${message}`);
  console.error('usage: node ort_run.mjs MODEL.onnx --input [NAME=]X.npy... ' +
                '[--output-dir DIR] [--optimization all|disabled] [--bench N] [--warmup W] ' +
                '[--api sync|async] [--json]');
  process.exit(2);
}

// ---- .npy (format versions 1-3, C order, little-endian) ----

const NPY_TYPES = {
  '<f4': ['float32', Float32Array], '<f8': ['float64', Float64Array],
  '|i1': ['int8', Int8Array], '<i2': ['int16', Int16Array],
  '<i4': ['int32', Int32Array], '<i8': ['int64', BigInt64Array],
  '|u1': ['uint8', Uint8Array], '<u2': ['uint16', Uint16Array],
  '<u4': ['uint32', Uint32Array], '<u8': ['uint64', BigUint64Array],
  '|b1': ['bool', Uint8Array],
};

export function readNpy(file) {
  const bytes = fs.readFileSync(file);
  if (bytes.length < 10 || bytes.toString('latin1', 0, 6) !== '\x93NUMPY')
    throw new Error(`${file}: not a .npy file`);
  const major = bytes[6];
  const headerLength = major === 1 ? bytes.readUInt16LE(8) : bytes.readUInt32LE(8);
  const start = major === 1 ? 10 : 12;
  const header = bytes.toString('latin1', start, start + headerLength);
  const descr = /'descr':\s*'([^']+)'/.exec(header)?.[1];
  const fortran = /'fortran_order':\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1];
  if (!descr || !fortran || shapeText === undefined)
    throw new Error(`${file}: malformed .npy header ${header}`);
  if (fortran === 'True') throw new Error(`${file}: Fortran order is not supported`);
  const type = NPY_TYPES[descr.replace(/^=/, '<')];
  if (!type) throw new Error(`${file}: unsupported dtype ${descr}`);
  const dims = shapeText.split(',').map((d) => d.trim()).filter((d) => d).map(Number);
  const count = dims.reduce((a, b) => a * b, 1);
  const [ortType, ArrayType] = type;
  const offset = start + headerLength;
  const byteLength = count * ArrayType.BYTES_PER_ELEMENT;
  if (bytes.length - offset < byteLength) throw new Error(`${file}: truncated data`);
  // Copy into a fresh, aligned buffer: typed arrays need element alignment.
  const data = new ArrayType(count);
  new Uint8Array(data.buffer).set(bytes.subarray(offset, offset + byteLength));
  return { type: ortType, dims, data: ortType === 'bool' ? data.map((v) => (v ? 1 : 0)) : data };
}

export function writeNpy(file, type, dims, data) {
  const descr = Object.keys(NPY_TYPES).find((k) => NPY_TYPES[k][0] === type);
  if (!descr) throw new Error(`${file}: cannot write ${type} as .npy`);
  const shape = dims.length === 1 ? `(${dims[0]},)` : `(${dims.join(', ')})`;
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shape}, }`;
  // Version 1.0: magic(6) version(2) length(2), header padded so data is 64-byte aligned.
  const total = Math.ceil((10 + header.length + 1) / 64) * 64;
  header = header.padEnd(total - 10 - 1, ' ') + '\n';
  const prefix = Buffer.alloc(10);
  prefix.write('\x93NUMPY', 0, 'latin1');
  prefix[6] = 1;
  prefix[7] = 0;
  prefix.writeUInt16LE(header.length, 8);
  const body = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  fs.writeFileSync(file, Buffer.concat([prefix, Buffer.from(header, 'latin1'), body]));
}

// ---- ONNX Runtime ----

export const SESSION_OPTIONS = {
  executionProviders: ['cpu'],
  graphOptimizationLevel: 'all',
  intraOpNumThreads: 1,
  interOpNumThreads: 1,
  executionMode: 'sequential',
};

// The native session behind the public API: onnxruntime-node's
// dist/binding.js exports the addon, whose InferenceSession.run is synchronous
// (the public handler wraps it in a promise + setImmediate).
export function loadNativeSession(modelPath, options = SESSION_OPTIONS) {
  const { binding, initOrt } = require('onnxruntime-node/dist/binding.js');
  initOrt();
  const session = new binding.InferenceSession();
  session.loadModel(modelPath, options);
  return session;
}

export const cIdentifier = (name) => {
  const id = name.replace(/[^A-Za-z0-9_]/g, '_');
  return /^[0-9]/.test(id) ? `t_${id}` : id;
};

function median(sorted) {
  return sorted[Math.floor(sorted.length / 2)];
}

async function main(argv) {
  const args = { inputs: [], outputDir: '.', bench: 0, warmup: 10, api: 'sync', json: false,
                 optimization: 'all' };
  for (let i = 0; i < argv.length; ++i) {
    const a = argv[i];
    const value = () => (i + 1 < argv.length ? argv[++i] : usage(`${a} needs a value`));
    if (a === '--input') args.inputs.push(value());
    else if (a === '--output-dir') args.outputDir = value();
    else if (a === '--optimization') args.optimization = value();
    else if (a === '--bench') args.bench = Number(value());
    else if (a === '--warmup') args.warmup = Number(value());
    else if (a === '--api') args.api = value();
    else if (a === '--json') args.json = true;
    else if (a.startsWith('-')) usage(`unknown option ${a}`);
    else if (args.model) usage(`a second model ${a}`);
    else args.model = a;
  }
  if (!args.model) usage('no model');
  if (!['sync', 'async'].includes(args.api)) usage(`--api must be sync or async`);
  if (!['all', 'disabled'].includes(args.optimization))
    usage(`--optimization must be all or disabled`);
  const options = { ...SESSION_OPTIONS, graphOptimizationLevel: args.optimization };

  const ort = require('onnxruntime-node');
  const native = loadNativeSession(args.model, options);
  const inputNames = native.inputMetadata.map((m) => m.name);
  const outputNames = native.outputMetadata.map((m) => m.name);
  if (args.inputs.length !== inputNames.length)
    usage(`the model has ${inputNames.length} input(s) (${inputNames.join(', ')}), ` +
          `got ${args.inputs.length}`);
  // An input with one more leading dimension than the model declares is a
  // batch, as for muon-run: the model runs once per slice and every output is
  // written stacked, [N, ...declared shape].
  const metadata = Object.fromEntries(native.inputMetadata.map((m) => [m.name, m]));
  const tensors = {};
  let slices = 0;
  args.inputs.forEach((spec, i) => {
    const eq = spec.indexOf('=');
    const named = eq > 0 && !fs.existsSync(spec);
    const name = named ? spec.slice(0, eq) : inputNames[i];
    const t = readNpy(named ? spec.slice(eq + 1) : spec);
    const declared = metadata[name]?.shape ?? [];
    const batched = t.dims.length === declared.length + 1 &&
        declared.every((d, k) => typeof d !== 'number' || d < 0 || d === t.dims[k + 1]);
    if (batched) {
      if (slices && t.dims[0] !== slices) usage('batched inputs disagree on the batch size');
      slices = t.dims[0];
    }
    tensors[name] = { ...t, batched };
  });
  const feedsOf = (slice) => Object.fromEntries(Object.entries(tensors).map(([name, t]) => {
    if (!t.batched) return [name, new ort.Tensor(t.type, t.data, t.dims)];
    const size = t.data.length / t.dims[0];
    return [name, new ort.Tensor(t.type, t.data.slice(slice * size, (slice + 1) * size),
                                 t.dims.slice(1))];
  }));
  const feeds = feedsOf(0);

  const fetches = Object.fromEntries(outputNames.map((n) => [n, null]));
  const results = native.run(feeds, fetches, {});
  const stacked = Object.fromEntries(outputNames.map((n) => [n, [results[n]]]));
  for (let s = 1; s < slices; ++s) {
    const more = native.run(feedsOf(s), fetches, {});
    for (const n of outputNames) stacked[n].push(more[n]);
  }
  fs.mkdirSync(args.outputDir, { recursive: true });
  for (const name of outputNames) {
    const r = results[name];
    let dims = r.dims, data = r.data;
    if (slices) {
      dims = [slices, ...r.dims];
      data = new data.constructor(slices * r.data.length);
      stacked[name].forEach((part, s) => data.set(part.data, s * r.data.length));
    }
    writeNpy(path.join(args.outputDir, `${cIdentifier(name)}.npy`), r.type, dims, data);
  }
  if (args.bench <= 0) return;

  let call;
  if (args.api === 'sync') {
    // Outputs pre-allocated once and written in place, as Muon's caller does.
    const preallocated = Object.fromEntries(outputNames.map(
      (n) => [n, new ort.Tensor(results[n].type, results[n].data.slice(), results[n].dims)]));
    call = () => native.run(feeds, preallocated, {});
  } else {
    const session = await ort.InferenceSession.create(args.model, options);
    call = () => session.run(feeds);
  }
  const times = new Float64Array(args.bench);
  if (args.api === 'sync') {
    // No await in this loop: a resolved await still costs a microtask hop.
    for (let i = 0; i < args.warmup; ++i) call();
    for (let i = 0; i < args.bench; ++i) {
      const start = process.hrtime.bigint();
      call();
      times[i] = Number(process.hrtime.bigint() - start) / 1e3;
    }
  } else {
    for (let i = 0; i < args.warmup; ++i) await call();
    for (let i = 0; i < args.bench; ++i) {
      const start = process.hrtime.bigint();
      await call();
      times[i] = Number(process.hrtime.bigint() - start) / 1e3;
    }
  }
  times.sort();
  const min = times[0], med = median(times);
  if (args.json)
    console.log(JSON.stringify({ runs: args.bench, api: args.api, min_us: min, median_us: med }));
  else
    console.log(`${args.bench} runs: min ${min.toFixed(2)} us, median ${med.toFixed(2)} us`);
}

if (import.meta.url === `file://${process.argv[1]}` ||
    path.resolve(process.argv[1] ?? '') === new URL(import.meta.url).pathname) {
  main(process.argv.slice(2)).catch((e) => {
    console.error(`error: ${e.message}`);
    process.exit(1);
  });
}
