//===- muon-hls-lint.cpp - Check an HLS project's synthesizability --------===//
//
// muon-hls-lint DIR: the rules muonc checks every design it writes against
// (targets/hls/HlsLint.h), on the synthesized sources of a project folder,
// e.g. after its code was edited by hand. Prints one line per finding and
// exits 1 if there is any.
//
//===----------------------------------------------------------------------===//

#include "targets/hls/HlsLint.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/WithColor.h"
#include "llvm/Support/raw_ostream.h"

#include <string>
#include <vector>

using namespace llvm;

static cl::opt<std::string> projectDir(cl::Positional, cl::Required,
                                       cl::desc("<HLS project folder>"));

int main(int argc, char **argv) {
  InitLLVM init(argc, argv);
  cl::ParseCommandLineOptions(
      argc, argv,
      "muon-hls-lint: check the synthesized sources (*.cpp and *.h but the "
      "testbench *_tb.cpp) of an HLS project folder against the rules muonc "
      "checks every design against (docs/hls.md, \"Checks\")\n");
  std::vector<std::string> paths;
  std::error_code error;
  for (sys::fs::directory_iterator it(projectDir, error), end;
       !error && it != end; it.increment(error))
    if (muon::hls::isSynthesizedSource(sys::path::filename(it->path())))
      paths.push_back(it->path());
  if (error) {
    WithColor::error(errs(), "muon-hls-lint")
        << "cannot read '" << projectDir << "': " << error.message() << "\n";
    return 1;
  }
  if (paths.empty()) {
    WithColor::error(errs(), "muon-hls-lint")
        << "'" << projectDir << "' holds no .cpp or .h source\n";
    return 1;
  }
  llvm::sort(paths);
  size_t findings = 0;
  for (const std::string &path : paths) {
    ErrorOr<std::unique_ptr<MemoryBuffer>> file = MemoryBuffer::getFile(path);
    if (!file) {
      WithColor::error(errs(), "muon-hls-lint")
          << "cannot read '" << path << "': " << file.getError().message()
          << "\n";
      return 1;
    }
    for (const std::string &finding : muon::hls::lintHlsSource(
             sys::path::filename(path), (*file)->getBuffer())) {
      outs() << finding << "\n";
      ++findings;
    }
  }
  if (findings) {
    errs() << findings << " finding" << (findings == 1 ? "" : "s") << " in "
           << paths.size() << " files\n";
    return 1;
  }
  outs() << paths.size() << " files, no findings\n";
  return 0;
}
