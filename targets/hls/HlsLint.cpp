//===- HlsLint.cpp - Synthesizability rules for HLS C++ sources -----------===//
//
// Three steps: comments and literals are blanked (lines kept, for the
// findings' line numbers); the preprocessor's conditionals are evaluated as
// Vitis HLS sees them, and the directives checked; the remaining lines are
// split into tokens, on which each rule is a pass.
//
//===----------------------------------------------------------------------===//

#include "targets/hls/HlsLint.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/ADT/Twine.h"

#include <cctype>
#include <functional>

using namespace muon;
using namespace muon::hls;
using llvm::StringRef;

namespace {

struct Token {
  StringRef text;
  unsigned line;
};

/// `text` with every comment and string or character literal replaced by
/// spaces (newlines kept).
std::string blankCommentsAndLiterals(StringRef text) {
  std::string out(text.str());
  for (size_t i = 0; i < out.size(); ++i) {
    auto blankUntil = [&](size_t end) {
      for (; i < end && i < out.size(); ++i)
        if (out[i] != '\n')
          out[i] = ' ';
      --i;
    };
    if (out.compare(i, 2, "//") == 0) {
      blankUntil(out.find('\n', i));
    } else if (out.compare(i, 2, "/*") == 0) {
      size_t end = out.find("*/", i + 2);
      blankUntil(end == std::string::npos ? end : end + 2);
    } else if (out[i] == '"' || out[i] == '\'') {
      size_t end = i + 1;
      while (end < out.size() && out[end] != out[i] && out[end] != '\n')
        end += out[end] == '\\' ? 2 : 1;
      blankUntil(end + 1);
    }
  }
  return out;
}

bool isIdentifierStart(char c) { return std::isalpha(c) || c == '_'; }
bool isIdentifierChar(char c) { return std::isalnum(c) || c == '_'; }

/// The tokens of one line: identifiers, numbers and punctuators.
void tokenize(StringRef line, unsigned lineNumber, std::vector<Token> &tokens) {
  static const char *const kPunctuators[] = {
      "<<=", ">>=", "...", "->", "++", "--", "<<", ">>", "<=", ">=", "==", "!=",
      "&&",  "||",  "+=",  "-=", "*=", "/=", "%=", "&=", "|=", "^=", "::"};
  size_t i = 0;
  while (i < line.size()) {
    if (std::isspace(line[i])) {
      ++i;
      continue;
    }
    size_t length = 1;
    if (isIdentifierStart(line[i]) || std::isdigit(line[i])) {
      while (i + length < line.size() &&
             (isIdentifierChar(line[i + length]) || line[i + length] == '.'))
        ++length;
    } else {
      for (const char *punctuator : kPunctuators)
        if (line.substr(i).starts_with(punctuator)) {
          length = StringRef(punctuator).size();
          break;
        }
    }
    tokens.push_back({line.substr(i, length), lineNumber});
    i += length;
  }
}

bool isTypeToken(StringRef token) {
  return llvm::is_contained({"void",    "bool",     "char",     "short",
                             "int",     "long",     "unsigned", "signed",
                             "float",   "double",   "auto",     "const",
                             "int8_t",  "int16_t",  "int32_t",  "int64_t",
                             "uint8_t", "uint16_t", "uint32_t", "uint64_t"},
                            token);
}

bool isKeyword(StringRef token) {
  return llvm::is_contained({"for", "if", "else", "switch", "while", "do",
                             "return", "sizeof", "static_assert", "catch",
                             "MUON_HLS_PRAGMA"},
                            token);
}

/// Whether an operator after `token` is unary (`&x` takes an address
/// there; `T &x` declares a reference).
bool isUnaryContext(StringRef token) {
  return llvm::is_contained(
      {"(", ",", "=", "return", "+", "-", "?", ":", "{", ";"}, token);
}

class Linter {
public:
  explicit Linter(StringRef path) : path(path) {}

  void run(StringRef text) {
    preprocess(text);
    collectConstantsAndArrays();
    checkForbiddenTokens();
    checkPointers();
    checkLoops();
    checkPragmas();
    checkRecursion();
    llvm::sort(findings);
  }

  std::vector<std::pair<unsigned, std::string>> findings;

private:
  void report(unsigned line, StringRef rule, const llvm::Twine &what) {
    findings.push_back(
        {line,
         (path + ":" + llvm::Twine(line) + ": " + rule + ": " + what).str()});
  }

  void preprocess(StringRef text);
  void directive(StringRef original, StringRef blanked, unsigned line);
  void collectConstantsAndArrays();
  void checkForbiddenTokens();
  void checkPointers();
  void checkLoops();
  void checkPragmas();
  void checkPragma(StringRef kind, llvm::ArrayRef<Token> arguments,
                   unsigned line);
  void checkRecursion();

  /// The index of the token that closes the bracket at `open`.
  size_t matching(size_t open) const;
  /// Whether tokens [begin, end) are an expression of integer literals
  /// and compile-time constants.
  bool isConstantExpression(size_t begin, size_t end) const;
  const Token &at(size_t i) const {
    static const Token kEnd{"", 0};
    return i < tokens.size() ? tokens[i] : kEnd;
  }

  std::string path;
  /// The text of the blanked source, kept alive for the tokens.
  std::string blanked;
  std::vector<Token> tokens;
  /// Macros defined as Vitis HLS compiles the design.
  llvm::StringSet<> defined{"__SYNTHESIS__", "__cplusplus"};
  /// Template parameters and `const int` names set from constants.
  llvm::StringSet<> constants;
  /// Names declared as arrays.
  llvm::StringSet<> arrays;
  /// Names that a static_assert bounds (the kernels assert their lane
  /// counts against the unroll limit).
  llvm::StringSet<> asserted;
};

void Linter::preprocess(StringRef text) {
  blanked = blankCommentsAndLiterals(text);
  llvm::SmallVector<StringRef> originalLines, lines;
  text.split(originalLines, '\n');
  StringRef(blanked).split(lines, '\n');
  // One entry per open conditional: whether its current branch is read,
  // and whether the conditional as a whole is.
  llvm::SmallVector<std::pair<bool, bool>> conditionals;
  auto active = [&] {
    return conditionals.empty() || conditionals.back().first;
  };
  for (auto [index, line] : llvm::enumerate(lines)) {
    unsigned number = index + 1;
    StringRef trimmed = line.trim();
    if (!trimmed.starts_with("#")) {
      if (active())
        tokenize(line, number, tokens);
      continue;
    }
    StringRef body = trimmed.drop_front().ltrim();
    StringRef word = body.take_while(isIdentifierChar);
    StringRef argument = body.drop_front(word.size()).trim();
    bool enclosing = active();
    if (word == "ifdef" || word == "ifndef") {
      bool isDefined = defined.contains(argument);
      conditionals.push_back(
          {enclosing && isDefined == (word == "ifdef"), enclosing});
    } else if (word == "if" || word == "elif") {
      report(number, "preprocessor",
             "#" + word + " with an expression (use #ifdef or #ifndef)");
      if (word == "if")
        conditionals.push_back({false, enclosing});
    } else if (word == "else") {
      if (conditionals.empty())
        report(number, "preprocessor", "#else without #ifdef");
      else
        conditionals.back().first =
            conditionals.back().second && !conditionals.back().first;
    } else if (word == "endif") {
      if (conditionals.empty())
        report(number, "preprocessor", "#endif without #ifdef");
      else
        conditionals.pop_back();
    } else if (enclosing) {
      directive(originalLines[index].trim(), body, number);
    }
  }
  if (!conditionals.empty())
    report(lines.size(), "preprocessor", "#ifdef without #endif");
}

void Linter::directive(StringRef original, StringRef body, unsigned line) {
  StringRef word = body.take_while(isIdentifierChar);
  if (word == "define") {
    defined.insert(
        body.drop_front(word.size()).ltrim().take_while(isIdentifierChar));
  } else if (word == "include") {
    // The blanked line has lost a quoted name: read the original.
    StringRef name = original.drop_front().ltrim().drop_front(word.size());
    name = name.trim();
    bool system = name.consume_front("<") && name.consume_back(">");
    bool local = !system && name.consume_front("\"") && name.consume_back("\"");
    if (system
            ? !llvm::is_contained({"stdint.h", "cstdint", "hls_stream.h"}, name)
            : !local || name.contains('/') || !name.ends_with(".h"))
      report(line, "include",
             original.drop_front() +
                 " (a design includes <stdint.h>, <hls_stream.h> and its own "
                 "headers only)");
  } else if (word == "pragma") {
    std::vector<Token> pragma;
    tokenize(body.drop_front(word.size()), line, pragma);
    if (pragma.empty() || pragma[0].text != "HLS")
      report(line, "pragma", "only HLS pragmas are allowed");
    else
      checkPragma(pragma.size() > 1 ? pragma[1].text : "",
                  llvm::ArrayRef<Token>(pragma).drop_front(2), line);
  } else if (!llvm::is_contained({"undef", "error"}, word)) {
    report(line, "preprocessor", "#" + word + " is not expected in a design");
  }
}

size_t Linter::matching(size_t open) const {
  StringRef opening = at(open).text;
  StringRef closing = opening == "(" ? ")" : opening == "{" ? "}" : "]";
  int depth = 0;
  for (size_t i = open; i < tokens.size(); ++i) {
    if (tokens[i].text == opening)
      ++depth;
    else if (tokens[i].text == closing && --depth == 0)
      return i;
  }
  return tokens.size();
}

bool Linter::isConstantExpression(size_t begin, size_t end) const {
  if (begin >= end)
    return false;
  for (size_t i = begin; i < end; ++i) {
    StringRef text = at(i).text;
    if (!(std::isdigit(text[0]) || constants.contains(text) ||
          llvm::is_contained({"+", "-", "*", "/", "%", "(", ")", "<<", ">>"},
                             text)))
      return false;
  }
  return true;
}

void Linter::collectConstantsAndArrays() {
  for (size_t i = 0; i < tokens.size(); ++i) {
    StringRef text = tokens[i].text;
    // template <int A, bool B>: A and B are compile-time constants.
    if (text == "template" && at(i + 1).text == "<") {
      for (size_t j = i + 2; j < tokens.size() && tokens[j].text != ">"; ++j)
        if (isTypeToken(tokens[j].text) && isIdentifierStart(at(j + 1).text[0]))
          constants.insert(at(j + 1).text);
    }
    // const int NAME = constant expression;
    if ((text == "const" || text == "constexpr") && at(i + 1).text == "int" &&
        at(i + 3).text == "=") {
      size_t end = i + 4;
      while (end < tokens.size() && tokens[end].text != ";")
        ++end;
      if (isConstantExpression(i + 4, end))
        constants.insert(at(i + 2).text);
    }
    // TYPE NAME[...]: an array.
    if (isIdentifierStart(text[0]) && at(i + 1).text == "[" && i > 0 &&
        isTypeToken(tokens[i - 1].text))
      arrays.insert(text);
    if (text == "static_assert")
      for (size_t j = i + 1; j < matching(i + 1); ++j)
        asserted.insert(tokens[j].text);
  }
}

void Linter::checkForbiddenTokens() {
  static const std::pair<const char *, const char *> kForbidden[] = {
      {"new", "heap"},
      {"delete", "heap"},
      {"malloc", "heap"},
      {"calloc", "heap"},
      {"realloc", "heap"},
      {"free", "heap"},
      {"alloca", "heap"},
      {"virtual", "virtual call"},
      {"dynamic_cast", "virtual call"},
      {"typeid", "virtual call"},
      {"reinterpret_cast", "pointer"},
      {"goto", "control flow"},
      {"throw", "control flow"},
      {"try", "control flow"},
      {"while", "loop"},
      {"do", "loop"},
      {"std", "library"},
  };
  for (const Token &token : tokens)
    for (auto [word, rule] : kForbidden)
      if (token.text == word)
        report(token.line, rule, "'" + token.text + "' is not synthesizable");
}

void Linter::checkPointers() {
  for (size_t i = 0; i < tokens.size(); ++i) {
    StringRef text = tokens[i].text;
    StringRef previous = i ? tokens[i - 1].text : "";
    if (text == "->")
      report(tokens[i].line, "pointer", "'->' (pass arrays and references)");
    else if (text == "*" && (isTypeToken(previous) || previous == "("))
      report(tokens[i].line, "pointer",
             "a pointer declaration or cast (pass arrays as arrays)");
    else if (arrays.contains(text) && at(i + 1).text != "[" &&
             (llvm::is_contained({"+", "-", "++", "--", "+=", "-="},
                                 at(i + 1).text) ||
              llvm::is_contained({"+", "-", "++", "--", "*"}, previous) ||
              (previous == "&" && i > 1 && isUnaryContext(tokens[i - 2].text))))
      report(tokens[i].line, "pointer",
             "arithmetic on the array '" + text + "' (index it instead)");
  }
}

void Linter::checkLoops() {
  for (size_t i = 0; i < tokens.size(); ++i) {
    if (tokens[i].text != "for")
      continue;
    unsigned line = tokens[i].line;
    // for (int v = CONSTANT; v < CONSTANT; ++v)
    size_t close = matching(i + 1);
    size_t firstSemicolon = i + 2, secondSemicolon;
    while (firstSemicolon < close && tokens[firstSemicolon].text != ";")
      ++firstSemicolon;
    secondSemicolon = firstSemicolon + 1;
    while (secondSemicolon < close && tokens[secondSemicolon].text != ";")
      ++secondSemicolon;
    StringRef variable = at(i + 3).text;
    bool initialized = at(i + 2).text == "int" && at(i + 4).text == "=" &&
                       isConstantExpression(i + 5, firstSemicolon);
    bool bounded =
        at(firstSemicolon + 1).text == variable &&
        llvm::is_contained({"<", "<="}, at(firstSemicolon + 2).text) &&
        isConstantExpression(firstSemicolon + 3, secondSemicolon);
    bool incremented = close == secondSemicolon + 3 &&
                       ((at(secondSemicolon + 1).text == "++" &&
                         at(secondSemicolon + 2).text == variable) ||
                        (at(secondSemicolon + 1).text == variable &&
                         at(secondSemicolon + 2).text == "++"));
    if (!(at(i + 1).text == "(" && initialized && bounded && incremented))
      report(line, "loop",
             "not of the form 'for (int i = A; i < B; ++i)' with A and B "
             "compile-time constants");
  }
}

void Linter::checkPragmas() {
  for (size_t i = 0; i < tokens.size(); ++i) {
    if (tokens[i].text == "_Pragma") {
      report(tokens[i].line, "pragma", "_Pragma outside MUON_HLS_PRAGMA");
      continue;
    }
    if (tokens[i].text != "MUON_HLS_PRAGMA" || at(i + 1).text != "(")
      continue;
    size_t close = matching(i + 1);
    if (at(i + 2).text != "HLS") {
      report(tokens[i].line, "pragma", "only HLS pragmas are allowed");
      continue;
    }
    checkPragma(at(i + 3).text,
                llvm::ArrayRef<Token>(tokens).slice(
                    std::min(i + 4, close), close - std::min(i + 4, close)),
                tokens[i].line);
    // A full unroll copies its loop's body once per trip: the loop's bound
    // must be a literal within the limit or a static_assert-ed name.
    if (at(i + 3).text == "UNROLL" && close == i + 4) {
      size_t loop = i;
      while (loop > 0 && tokens[loop].text != "for")
        --loop;
      size_t bound = loop;
      while (bound < i && tokens[bound].text != "<")
        ++bound;
      StringRef limit = at(bound + 1).text;
      int64_t value;
      bool withinLimit = !limit.getAsInteger(10, value)
                             ? value <= kMaxUnrollFactor
                             : asserted.contains(limit);
      if (tokens[loop].text != "for" || !withinLimit)
        report(tokens[i].line, "unroll",
               "a full unroll of a loop whose bound is not a literal up to " +
                   llvm::Twine(kMaxUnrollFactor) +
                   " or a name a static_assert bounds");
    }
  }
}

void Linter::checkPragma(StringRef kind, llvm::ArrayRef<Token> arguments,
                         unsigned line) {
  if (!llvm::is_contained({"PIPELINE", "UNROLL", "ARRAY_PARTITION", "INTERFACE",
                           "INLINE", "DATAFLOW", "STREAM"},
                          kind)) {
    report(line, "pragma",
           "HLS " + kind +
               " is not on the allow-list (PIPELINE, UNROLL, "
               "ARRAY_PARTITION, INTERFACE, INLINE, DATAFLOW, STREAM)");
    return;
  }
  for (size_t i = 0; i + 2 < arguments.size(); ++i) {
    if (arguments[i + 1].text != "=")
      continue;
    StringRef option = arguments[i].text, value = arguments[i + 2].text;
    int64_t number;
    bool isNumber = !value.getAsInteger(10, number);
    if (option == "factor" &&
        !(isNumber ? number >= 1 && number <= kMaxUnrollFactor
                   : asserted.contains(value)))
      report(line, "unroll",
             "factor=" + value + " is not a literal from 1 to " +
                 llvm::Twine(kMaxUnrollFactor) +
                 " or a name a static_assert bounds");
    if (option == "II" && !(isNumber && number >= 1))
      report(line, "pragma", "II=" + value + " is not a positive literal");
  }
}

void Linter::checkRecursion() {
  // Function definitions: NAME ( ... ) [const] { body }.
  llvm::StringMap<std::pair<size_t, size_t>> bodies;
  llvm::StringMap<unsigned> lines;
  std::vector<StringRef> definitionOrder;
  for (size_t i = 0; i + 1 < tokens.size(); ++i) {
    if (!isIdentifierStart(tokens[i].text[0]) || isKeyword(tokens[i].text) ||
        tokens[i + 1].text != "(")
      continue;
    size_t close = matching(i + 1);
    size_t open = close + 1;
    if (at(open).text == "const")
      ++open;
    if (at(open).text != "{")
      continue;
    if (!bodies.count(tokens[i].text))
      definitionOrder.push_back(tokens[i].text);
    bodies[tokens[i].text] = {open, matching(open)};
    lines[tokens[i].text] = tokens[i].line;
  }
  // A depth-first search for a cycle in the calls between them.
  llvm::StringMap<int> state; // 1: on the current path, 2: done
  std::vector<StringRef> stack;
  std::function<void(StringRef)> visit = [&](StringRef function) {
    state[function] = 1;
    stack.push_back(function);
    auto [begin, end] = bodies.lookup(function);
    for (size_t i = begin; i < end; ++i) {
      StringRef callee = tokens[i].text;
      if (!bodies.count(callee))
        continue;
      if (state.lookup(callee) == 1) {
        std::string cycle;
        for (StringRef caller :
             llvm::make_range(llvm::find(stack, callee), stack.end()))
          cycle += caller.str() + " -> ";
        report(lines.lookup(callee), "recursion", cycle + callee);
      } else if (state.lookup(callee) == 0) {
        visit(callee);
      }
    }
    stack.pop_back();
    state[function] = 2;
  };
  for (StringRef function : definitionOrder)
    if (state.lookup(function) == 0)
      visit(function);
}

} // namespace

std::vector<std::string> hls::lintHlsSource(StringRef path, StringRef text) {
  Linter linter(path);
  linter.run(text);
  std::vector<std::string> findings;
  for (auto &finding : linter.findings)
    findings.push_back(std::move(finding.second));
  return findings;
}

bool hls::isSynthesizedSource(StringRef path) {
  // Subfolders hold stand-ins for the synthesis view, not the design.
  return (path.ends_with(".cpp") || path.ends_with(".h")) &&
         !path.ends_with("_tb.cpp") && !path.contains('/');
}
