//===- muon-run.cpp - Compile a model ahead of time and run it ------------===//
//
//   muon-run model.onnx --input x.npy --output-dir out/
//   muon-run model.onnx --input x=test_data_set_0/input_0.pb --bench 100
//
// Compiles the model to an object file exactly as muonc does (with the same
// compile options, --quantize included), links it with
// the system C compiler into a small driver program, runs it on the given
// inputs and writes each output as <output-name>.npy. An input with one more
// leading dimension than the model expects is a batch: the model runs once
// per slice and the outputs are stacked.
//
// With --target=npu the model is compiled for Muon's NPU as muonc
// --target=npu does and run on the NPU runtime's bit-exact simulator, linked
// in: float inputs are quantized as ONNX QuantizeLinear does with each input
// descriptor's scale and zero point, outputs dequantized to float32.
//
//===----------------------------------------------------------------------===//

#include "compiler/CommandLine.h"
#include "compiler/Compile.h"
#include "compiler/Diagnostics.h"
#include "compiler/TensorFiles.h"
#include "runtime/npu/npu_runtime.h"

#include "mlir/IR/MLIRContext.h"
#include "llvm/ADT/ScopeExit.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;
namespace cl = llvm::cl;

static cl::OptionCategory category("muon-run options");
static cl::opt<std::string> modelPath(cl::Positional, cl::Required,
                                      cl::desc("<model.onnx | model.mlir>"),
                                      cl::cat(category));
static cl::list<std::string>
    inputFiles("input",
               cl::desc("An input tensor (.npy, or an ONNX TensorProto .pb), "
                        "in graph order or as NAME=FILE"),
               cl::value_desc("[name=]file"), cl::cat(category));
static cl::opt<std::string>
    outputDir("output-dir",
              cl::desc("Where to write <output>.npy (default: the current "
                       "directory)"),
              cl::init("."), cl::cat(category));
static cl::opt<unsigned>
    benchRuns("bench",
              cl::desc("Also time N runs (after a warm-up) of the compiled "
                       "code on the first input slice; prints min and median"),
              cl::init(0), cl::cat(category));
static cl::opt<bool> keepTemps("keep-temps",
                               cl::desc("Keep the object, header and driver "
                                        "in the temporary directory"),
                               cl::init(false), cl::cat(category));

/// The driver: reads every input (all slices) from in<i>.bin, runs the model
/// once per slice, writes out<i>.bin, then optionally times the first slice.
static std::string driverSource(const muon::ModelInterface &model) {
  std::string s;
  llvm::raw_string_ostream os(s);
  std::string upper = llvm::StringRef(model.name).upper();
  os << "#define _POSIX_C_SOURCE 199309L\n"
     << "#include \"model.h\"\n#include <stdio.h>\n#include <stdlib.h>\n"
     << "#include <time.h>\n\n"
     << "static void *slurp(const char *path, size_t bytes) {\n"
     << "  void *p = malloc(bytes ? bytes : 1); FILE *f = fopen(path, "
        "\"rb\");\n"
     << "  if (!f || fread(p, 1, bytes, f) != bytes) { perror(path); exit(2); "
        "}\n"
     << "  fclose(f); return p;\n}\n"
     << "static int cmp(const void *a, const void *b) {\n"
     << "  double x = *(const double *)a, y = *(const double *)b;\n"
     << "  return (x > y) - (x < y);\n}\n"
     << "int main(int argc, char **argv) {\n"
     << "  long slices = atol(argv[1]), bench = atol(argv[2]);\n"
     << "  void *ws = aligned_alloc(" << upper << "_WORKSPACE_ALIGN, (" << upper
     << "_WORKSPACE_SIZE + 63) / 64 * 64 + 64);\n";
  auto declare = [&](const muon::TensorInterface &t, StringRef prefix,
                     size_t index, bool input) {
    os << "  size_t " << prefix << index << "_n = " << t.numElements()
       << ";\n  " << t.cType << " *" << prefix << index << " = ";
    if (input)
      os << "slurp(\"in" << index << ".bin\", sizeof(" << t.cType << ") * "
         << prefix << index << "_n * (in" << index
         << "_batched ? slices : 1));\n";
    else
      os << "malloc(sizeof(" << t.cType << ") * " << prefix << index
         << "_n * slices + 1);\n";
  };
  for (size_t i = 0; i < model.inputs.size(); ++i) {
    os << "  int in" << i << "_batched = argv[3][" << i << "] == 'b';\n";
    declare(model.inputs[i], "in", i, true);
  }
  for (size_t i = 0; i < model.outputs.size(); ++i)
    declare(model.outputs[i], "out", i, false);
  auto call = [&](StringRef slice) {
    os << model.name << "_run(";
    for (size_t i = 0; i < model.inputs.size(); ++i)
      os << "in" << i << " + (in" << i << "_batched ? " << slice << " : 0) * in"
         << i << "_n, ";
    for (size_t i = 0; i < model.outputs.size(); ++i)
      os << "out" << i << " + " << slice << " * out" << i << "_n, ";
    os << "ws)";
  };
  os << "  for (long s = 0; s < slices; ++s)\n    if (";
  call("s");
  os << " != 0) { fprintf(stderr, \"run failed\\n\"); return 3; }\n";
  for (size_t i = 0; i < model.outputs.size(); ++i)
    os << "  { FILE *f = fopen(\"out" << i << ".bin\", \"wb\");\n"
       << "    fwrite(out" << i << ", sizeof(" << model.outputs[i].cType
       << "), out" << i << "_n * slices, f); fclose(f); }\n";
  os << "  if (bench > 0) {\n"
     << "    double *t = malloc(sizeof(double) * bench);\n"
     << "    for (long i = 0; i < 3; ++i) ";
  call("0");
  os << ";\n"
     << "    for (long i = 0; i < bench; ++i) {\n"
     << "      struct timespec a, b; clock_gettime(CLOCK_MONOTONIC, &a);\n     "
        " ";
  call("0");
  os << ";\n"
     << "      clock_gettime(CLOCK_MONOTONIC, &b);\n"
     << "      t[i] = (b.tv_sec - a.tv_sec) * 1e6 + (b.tv_nsec - a.tv_nsec) / "
        "1e3;\n    }\n"
     << "    qsort(t, bench, sizeof(double), cmp);\n"
     << "    printf(\"%ld runs: min %.2f us, median %.2f us\\n\", bench, t[0], "
        "t[bench / 2]);\n  }\n  return 0;\n}\n";
  return s;
}

static int fail(const llvm::Twine &message) {
  llvm::errs() << "error: " << message << "\n";
  return 1;
}

static llvm::Error writeFile(StringRef path, StringRef contents) {
  llvm::Error written = llvm::writeToOutput(path, [&](llvm::raw_ostream &os) {
    os << contents;
    return llvm::Error::success();
  });
  if (written)
    return llvm::createFileError(path, std::move(written));
  return llvm::Error::success();
}

/// Pairs the --input arguments with the model's inputs, by name or order.
static llvm::Expected<std::vector<muon::HostTensor>>
readInputs(const muon::ModelInterface &model) {
  std::vector<std::optional<muon::HostTensor>> tensors(model.inputs.size());
  size_t next = 0;
  for (StringRef arg : inputFiles) {
    StringRef name = arg.split('=').first, file = arg.split('=').second;
    size_t index = next++;
    if (!file.empty()) {
      auto it = llvm::find_if(
          model.inputs, [&](const auto &t) { return t.onnxName == name; });
      if (it == model.inputs.end())
        return llvm::createStringError("the model has no input named '" + name +
                                       "'");
      index = it - model.inputs.begin();
    } else {
      file = name;
    }
    if (index >= model.inputs.size())
      return llvm::createStringError("too many inputs: the model takes " +
                                     std::to_string(model.inputs.size()));
    if (tensors[index])
      return llvm::createStringError("input '" + model.inputs[index].onnxName +
                                     "' is given twice");
    auto tensor = muon::readTensorFile(file);
    if (!tensor)
      return tensor.takeError();
    tensors[index] = std::move(*tensor);
  }
  std::vector<muon::HostTensor> result;
  for (auto [tensor, expected] : llvm::zip(tensors, model.inputs)) {
    if (!tensor)
      return llvm::createStringError("no value for input '" +
                                     expected.onnxName + "'");
    result.push_back(std::move(*tensor));
  }
  return result;
}

static std::string shapeString(llvm::ArrayRef<int64_t> shape) {
  std::string s = "[";
  for (auto [i, d] : llvm::enumerate(shape))
    s += (i ? "," : "") + std::to_string(d);
  return s + "]";
}

/// The region byte of each element of a tensor descriptor, in C order.
static std::vector<uint64_t> elementOffsets(const muon_npu_tensor_info &info) {
  std::vector<uint64_t> offsets = {info.offset};
  for (uint32_t d = 0; d < info.rank; ++d) {
    std::vector<uint64_t> next;
    next.reserve(offsets.size() * info.dims[d]);
    for (uint64_t base : offsets)
      for (uint32_t i = 0; i < info.dims[d]; ++i)
        next.push_back(base + uint64_t(i) * info.strides[d]);
    offsets = std::move(next);
  }
  return offsets;
}

/// --target=npu: runs the .npub `program` on the NPU simulator once per
/// input slice and writes each output as <name>.npy, float32.
static int runOnNpu(const std::string &program) {
  muon_npu_model model;
  muon_npu_error error;
  if (muon_npu_load(&model, program.data(), program.size(), nullptr, &error))
    return fail(llvm::Twine("the NPU runtime rejected the program: ") +
                error.message);
  size_t memorySize = muon_npu_memory_size(&model, 0);
  std::vector<uint64_t> memory((memorySize + 63) / 64 * 8 + 8);
  void *aligned = reinterpret_cast<void *>(
      (reinterpret_cast<uintptr_t>(memory.data()) + 63) & ~uintptr_t(63));
  if (muon_npu_attach_memory(&model, aligned, memorySize, 0, &error))
    return fail(llvm::Twine("NPU memory: ") + error.message);

  std::vector<muon_npu_tensor_info> inputs, outputs;
  std::vector<uint32_t> inputIndex, outputIndex;
  for (uint32_t i = 0; i < muon_npu_tensor_count(&model); ++i) {
    muon_npu_tensor_info info;
    muon_npu_tensor(&model, i, &info);
    bool input = info.region_kind == MUON_NPU_REGION_INPUT;
    (input ? inputs : outputs).push_back(info);
    (input ? inputIndex : outputIndex).push_back(i);
  }
  if (inputFiles.size() != inputs.size())
    return fail("the model takes " + llvm::Twine(inputs.size()) + " inputs, " +
                llvm::Twine(inputFiles.size()) + " given");
  // Inputs by position, or NAME=FILE by descriptor name.
  std::vector<std::string> paths(inputs.size());
  for (auto [position, arg] : llvm::enumerate(inputFiles)) {
    auto [name, file] = StringRef(arg).split('=');
    size_t index = position;
    if (!file.empty()) {
      auto it = llvm::find_if(inputs, [&, name = name](const auto &info) {
        return name == info.name;
      });
      if (it == inputs.end())
        return fail("the model has no input named '" + name + "'");
      index = it - inputs.begin();
    } else {
      file = name;
    }
    if (!paths[index].empty())
      return fail(llvm::Twine("input '") + inputs[index].name +
                  "' is given twice");
    paths[index] = file.str();
  }
  std::vector<muon::HostTensor> data;
  int64_t slices = 1;
  std::vector<bool> batched;
  for (auto [path, info] : llvm::zip(paths, inputs)) {
    auto tensor = muon::readTensorFile(path);
    if (!tensor)
      return fail(llvm::toString(tensor.takeError()));
    if (tensor->dtype != "f4" && tensor->dtype != "i1")
      return fail(path + ": the NPU takes float32 or int8 inputs");
    std::vector<int64_t> dims(info.dims, info.dims + info.rank);
    llvm::ArrayRef<int64_t> shape = tensor->shape;
    bool isBatch = shape.size() == dims.size() + 1 &&
                   shape.drop_front() == llvm::ArrayRef(dims);
    if (!isBatch && shape != llvm::ArrayRef(dims))
      return fail(path + ": shape " + shapeString(shape) + ", input '" +
                  info.name + "' is " + shapeString(dims) +
                  " (or a batch of those)");
    if (isBatch) {
      if (llvm::is_contained(batched, true) && shape[0] != slices)
        return fail("batched inputs disagree on the batch size");
      slices = shape[0];
    }
    batched.push_back(isBatch);
    data.push_back(std::move(*tensor));
  }

  std::vector<std::vector<int8_t>> regions(inputs.size() + outputs.size());
  std::vector<muon::HostTensor> results(outputs.size());
  for (auto [i, info] : llvm::enumerate(outputs)) {
    results[i].dtype = "f4";
    if (llvm::is_contained(batched, true))
      results[i].shape.push_back(slices);
    results[i].shape.insert(results[i].shape.end(), info.dims,
                            info.dims + info.rank);
  }
  for (int64_t slice = 0; slice < slices; ++slice) {
    for (auto [i, info] : llvm::enumerate(inputs)) {
      std::vector<int8_t> &bytes = regions[i];
      bytes.assign(info.region_bytes, 0);
      std::vector<uint64_t> offsets = elementOffsets(info);
      int64_t first = batched[i] ? slice * int64_t(offsets.size()) : 0;
      for (auto [e, offset] : llvm::enumerate(offsets)) {
        if (data[i].dtype == "i1") {
          bytes[offset] = data[i].data[first + e];
          continue;
        }
        float x;
        memcpy(&x, data[i].data.data() + (first + e) * 4, 4);
        // ONNX QuantizeLinear: round half to even, then saturate, in f32.
        float q = std::nearbyint(x / info.scale) + float(info.zero_point);
        q = std::isnan(q) ? -128.0f : std::clamp(q, -128.0f, 127.0f);
        bytes[offset] = static_cast<int8_t>(q);
      }
      if (muon_npu_bind(&model, inputIndex[i], bytes.data(), bytes.size(),
                        &error))
        return fail(llvm::Twine("binding input '") + info.name +
                    "': " + error.message);
    }
    for (auto [i, info] : llvm::enumerate(outputs)) {
      std::vector<int8_t> &bytes = regions[inputs.size() + i];
      bytes.assign(info.region_bytes, 0);
      if (muon_npu_bind(&model, outputIndex[i], bytes.data(), bytes.size(),
                        &error))
        return fail(llvm::Twine("binding output '") + info.name +
                    "': " + error.message);
    }
    muon_npu_stats stats;
    if (muon_npu_run(&model, nullptr, &stats, nullptr, 0, &error))
      return fail(llvm::Twine("the NPU program failed: ") + error.message);
    for (auto [i, info] : llvm::enumerate(outputs)) {
      const std::vector<int8_t> &bytes = regions[inputs.size() + i];
      for (uint64_t offset : elementOffsets(info)) {
        float y = float(int32_t(bytes[offset]) - info.zero_point) * info.scale;
        const char *raw = reinterpret_cast<const char *>(&y);
        results[i].data.insert(results[i].data.end(), raw, raw + 4);
      }
    }
  }

  if (std::error_code ec = llvm::sys::fs::create_directories(outputDir))
    return fail(outputDir + ": " + ec.message());
  for (auto [i, info] : llvm::enumerate(outputs)) {
    std::string name;
    for (char c : StringRef(info.name))
      name += llvm::isAlnum(c) ? c : '_';
    SmallString<128> path(outputDir);
    llvm::sys::path::append(path, name + ".npy");
    if (llvm::Error err = muon::writeNpy(path, results[i]))
      return fail(llvm::toString(std::move(err)));
  }
  return 0;
}

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  muon::parseToolCommandLine(
      argc, argv, category,
      "muon-run: compile a model ahead of time, run it on inputs, write its "
      "outputs as .npy\n",
      /*withHlsOptions=*/false);

  DialectRegistry registry;
  muon::registerMuonDialects(registry);
  MLIRContext context(registry);
  muon::ToolDiagnosticHandler diagnostics(context);
  muon::CompileOptions options;
  if (failed(muon::readCompileOptions(options)))
    return 1;
  options.target.name = "model";
  options.configure = muon::applyToolPassOptions;
  if (options.targetKind == muon::TargetKind::Hls)
    return fail("--target=hls writes an HLS project (muonc --target=hls), "
                "whose C simulation make csim runs");
  if (options.targetKind == muon::TargetKind::Npu) {
    if (benchRuns)
      return fail("--bench times native code; with --target=npu, "
                  "muon-npu-run --stats reports the NPU's cycles");
    options.emit = muon::EmitKind::Npub;
  }
  FailureOr<muon::CompileCache::Entry> compiled = muon::compileOrReuse(
      argc, argv, modelPath, {"input", "output-dir", "bench"}, options, context,
      diagnostics);
  if (failed(compiled))
    return 1;
  if (options.targetKind == muon::TargetKind::Npu)
    return runOnNpu(compiled->output);
  const muon::ModelInterface &model = *compiled->interface;

  auto inputs = readInputs(model);
  if (!inputs)
    return fail(llvm::toString(inputs.takeError()));
  // Check types and shapes, and find the batch size.
  int64_t slices = 1;
  std::string batchedFlags;
  for (auto [tensor, expected] : llvm::zip(*inputs, model.inputs)) {
    std::string dtype = muon::dtypeForCType(expected.cType);
    if (tensor.dtype != dtype)
      return fail("input '" + expected.onnxName + "' has dtype " +
                  tensor.dtype + ", the model expects " + dtype);
    llvm::ArrayRef<int64_t> shape = tensor.shape;
    bool batched = shape.size() == expected.shape.size() + 1 &&
                   shape.drop_front() == llvm::ArrayRef(expected.shape);
    if (!batched && shape != llvm::ArrayRef(expected.shape))
      return fail("input '" + expected.onnxName + "' has shape " +
                  shapeString(shape) + ", the model expects " +
                  shapeString(expected.shape) + " (or a batch of those)");
    if (batched) {
      if (batchedFlags.find('b') != std::string::npos && shape[0] != slices)
        return fail("batched inputs disagree on the batch size");
      slices = shape[0];
    }
    batchedFlags += batched ? 'b' : 's';
  }

  SmallString<128> workDir;
  if (std::error_code ec =
          llvm::sys::fs::createUniqueDirectory("muon-run", workDir))
    return fail("cannot create a temporary directory: " + ec.message());
  llvm::scope_exit cleanup([&] {
    if (keepTemps)
      llvm::errs() << "muon-run: temporaries kept in " << workDir << "\n";
    else
      llvm::sys::fs::remove_directories(workDir);
  });
  auto inWork = [&](const llvm::Twine &file) {
    SmallString<128> path(workDir);
    llvm::sys::path::append(path, file);
    return path.str().str();
  };

  std::string header;
  llvm::raw_string_ostream headerStream(header);
  muon::emitHeader(model, headerStream);
  std::vector<std::pair<std::string, std::string>> files = {
      {"model.o", compiled->output},
      {"model.h", header},
      {"driver.c", driverSource(model)}};
  for (auto [i, tensor] : llvm::enumerate(*inputs))
    files.push_back({"in" + std::to_string(i) + ".bin",
                     std::string(tensor.data.begin(), tensor.data.end())});
  for (auto &[name, contents] : files)
    if (llvm::Error err = writeFile(inWork(name), contents))
      return fail(llvm::toString(std::move(err)));

  const char *ccEnv = getenv("CC");
  auto cc = llvm::sys::findProgramByName(ccEnv && *ccEnv ? ccEnv : "cc");
  if (!cc)
    return fail("no C compiler found (set CC): muon-run links the compiled "
                "model into a driver program");
  std::string runner = inWork("runner");
  std::string driver = inWork("driver.c"), object = inWork("model.o");
  llvm::SmallVector<StringRef> ccArgs = {*cc,    "-std=c11", "-O2",  driver,
                                         object, "-o",       runner, "-lm"};
  std::string error;
  if (llvm::sys::ExecuteAndWait(*cc, ccArgs, std::nullopt, {}, 0, 0, &error))
    return fail("linking the driver failed " + error);

  std::string slicesArg = std::to_string(slices);
  std::string benchArg = std::to_string(benchRuns);
  llvm::SmallVector<StringRef> runArgs = {runner, slicesArg, benchArg,
                                          batchedFlags};
  // The driver reads and writes its files relative to the work directory.
  SmallString<128> previous;
  llvm::sys::fs::current_path(previous);
  llvm::sys::fs::set_current_path(workDir);
  int status = llvm::sys::ExecuteAndWait(runner, runArgs, std::nullopt, {}, 0,
                                         0, &error);
  llvm::sys::fs::set_current_path(previous);
  if (status != 0)
    return fail("the compiled model failed to run (status " +
                llvm::Twine(status) + ") " + error);

  if (std::error_code ec = llvm::sys::fs::create_directories(outputDir))
    return fail(outputDir + ": " + ec.message());
  for (auto [i, expected] : llvm::enumerate(model.outputs)) {
    auto bytes = llvm::MemoryBuffer::getFile(
        inWork("out" + std::to_string(i) + ".bin"), false, false);
    if (!bytes)
      return fail("the compiled model wrote no output " + expected.onnxName);
    muon::HostTensor tensor;
    tensor.dtype = muon::dtypeForCType(expected.cType);
    if (batchedFlags.find('b') != std::string::npos)
      tensor.shape.push_back(slices);
    tensor.shape.insert(tensor.shape.end(), expected.shape.begin(),
                        expected.shape.end());
    StringRef data = (*bytes)->getBuffer();
    tensor.data.assign(data.begin(), data.end());
    SmallString<128> path(outputDir);
    llvm::sys::path::append(path, expected.cName + ".npy");
    if (llvm::Error err = muon::writeNpy(path, tensor))
      return fail(llvm::toString(std::move(err)));
  }
  return 0;
}
