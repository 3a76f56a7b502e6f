//===- OnnxLocations.cpp - The ONNX nodes an op came from -----------------===//

#include "dialects/muon/OnnxLocations.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Visitors.h"
#include "llvm/Support/FormatVariadic.h"

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

std::string muon::describeNode(Operation *op) {
  std::string text;
  op->getLoc()->walk([&](Location inner) {
    if (auto named = dyn_cast<NameLoc>(inner)) {
      text = named.getName().str();
      return WalkResult::interrupt();
    }
    return WalkResult::advance();
  });
  return text.empty() ? op->getName().getStringRef().str() : text;
}

std::string muon::describeRejection(Operation *op, StringRef why) {
  return llvm::formatv("{0,-20} {1}: {2}", op->getName().getStringRef(),
                       describeNode(op), why)
      .str();
}

std::string muon::listRejections(ArrayRef<std::string> lines, StringRef what,
                                 StringRef seeAlso) {
  std::string text =
      llvm::formatv("{0} operation{1} of the int8 model cannot "
                    "{2}:",
                    lines.size(), lines.size() == 1 ? "" : "s", what)
          .str();
  for (const std::string &line : lines)
    text += "\n  " + line;
  return text + "\nsee " + seeAlso.str();
}
