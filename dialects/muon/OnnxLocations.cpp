//===- OnnxLocations.cpp - The ONNX nodes an op came from -----------------===//

#include "dialects/muon/OnnxLocations.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Visitors.h"

using namespace mlir;

llvm::SmallVector<std::string> muon::getOnnxNodeNames(Location loc) {
  llvm::SmallVector<std::string> names;
  loc->walk([&](Location inner) {
    auto named = dyn_cast<NameLoc>(inner);
    if (!named)
      return WalkResult::advance();
    StringRef text = named.getName().getValue();
    size_t end = text.rfind("' (");
    if (text.consume_front("node '") && end != StringRef::npos)
      names.push_back(text.take_front(end - 6).str());
    return WalkResult::advance();
  });
  return names;
}
