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
//===----------------------------------------------------------------------===//

#include "compiler/CommandLine.h"
#include "compiler/Compile.h"
#include "compiler/Diagnostics.h"
#include "compiler/TensorFiles.h"

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
  std::error_code ec;
  llvm::raw_fd_ostream os(path, ec);
  if (ec)
    return llvm::createStringError(ec, path + ": " + ec.message());
  os << contents;
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

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  muon::parseToolCommandLine(
      argc, argv, category,
      "muon-run: compile a model ahead of time, run it on inputs, write its "
      "outputs as .npy\n");

  DialectRegistry registry;
  muon::registerMuonDialects(registry);
  MLIRContext context(registry);
  muon::ToolDiagnosticHandler diagnostics(context);
  muon::CompileOptions options;
  if (failed(muon::readCompileOptions(options)))
    return 1;
  OwningOpRef<ModuleOp> module = muon::loadModel(modelPath, context);
  if (!module)
    return 1;
  options.target.name = "model";
  options.configure = muon::applyToolPassOptions;
  FailureOr<muon::CompileResult> compiled = muon::compile(*module, options);
  if (failed(compiled))
    return 1;
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
