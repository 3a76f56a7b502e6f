//===- GeneratedCode.cpp - Model text in generated C and C++ --------------===//

#include "targets/GeneratedCode.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FormatVariadic.h"

namespace muon {

std::string cIdentifier(llvm::StringRef name, llvm::StringSet<> &used) {
  std::string id;
  for (char c : name)
    id += llvm::isAlnum(c) || c == '_' ? c : '_';
  if (id.empty() || llvm::isDigit(id[0]))
    id = "t_" + id;
  std::string unique = id;
  for (int i = 2; !used.insert(unique).second; ++i)
    unique = id + "_" + std::to_string(i);
  return unique;
}

std::string commentSafe(llvm::StringRef text) {
  std::string safe;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    char next = i + 1 < text.size() ? text[i + 1] : '\0';
    if ((c == '*' && next == '/') || (c == '/' && next == '*')) {
      safe += c;
      safe += '\\';
    } else if (c == '\n') {
      safe += "\\n";
    } else if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      safe += llvm::formatv("\\x{0:x-2}", static_cast<unsigned char>(c));
    } else {
      safe += c;
    }
  }
  return safe;
}

} // namespace muon
