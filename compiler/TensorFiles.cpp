//===- TensorFiles.cpp - Tensors in .npy and ONNX .pb files ---------------===//
//
// .npy format:
// https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html
//
//===----------------------------------------------------------------------===//

#include "compiler/TensorFiles.h"

#include "onnx/onnx_pb.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/raw_ostream.h"

#include <cstring>

using llvm::StringRef;

namespace muon {

static llvm::Error fail(StringRef path, const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                 path + ": " + message);
}

/// The bytes `tensor`'s shape and element type need, or nothing for a
/// negative dimension or a count beyond 64 bits (a hostile header).
static std::optional<uint64_t> byteSize(const HostTensor &tensor) {
  uint64_t bytes = dtypeSize(tensor.dtype);
  for (int64_t d : tensor.shape) {
    if (d < 0 || (d > 0 && bytes > UINT64_MAX / static_cast<uint64_t>(d)))
      return std::nullopt;
    bytes *= static_cast<uint64_t>(d);
  }
  return bytes;
}

int64_t HostTensor::numElements() const {
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  return n;
}

unsigned dtypeSize(StringRef dtype) {
  unsigned bytes = 0;
  if (dtype.size() < 2 || dtype.drop_front().getAsInteger(10, bytes))
    return 0;
  return bytes;
}

std::string dtypeForCType(StringRef cType) {
  if (cType == "float")
    return "f4";
  if (cType == "double")
    return "f8";
  if (cType == "_Float16")
    return "f2";
  if (cType == "bool")
    return "b1";
  // "int64_t" -> "i8", "uint8_t" -> "u1".
  bool isUnsigned = cType.consume_front("u");
  unsigned bits = 0;
  if (cType.consume_front("int") && cType.consume_back("_t") &&
      !cType.getAsInteger(10, bits))
    return (isUnsigned ? "u" : "i") + std::to_string(bits / 8);
  return "";
}

/// Reads the value of `key` in a .npy header dictionary, e.g. "'<f4'".
static std::optional<StringRef> headerValue(StringRef header, StringRef key) {
  size_t at = header.find(("'" + key + "'").str());
  if (at == StringRef::npos)
    return std::nullopt;
  StringRef rest = header.drop_front(at + key.size() + 2).ltrim();
  if (!rest.consume_front(":"))
    return std::nullopt;
  rest = rest.ltrim();
  size_t end =
      rest.starts_with("(") ? rest.find(')') + 1 : rest.find_first_of(",}");
  if (end == StringRef::npos || end == 0)
    return std::nullopt;
  return rest.take_front(end).trim();
}

static llvm::Expected<HostTensor> readNpy(StringRef path, StringRef bytes) {
  if (!bytes.starts_with("\x93NUMPY") || bytes.size() < 10)
    return fail(path, "not a .npy file (bad magic)");
  uint8_t major = bytes[6];
  size_t headerStart = major == 1 ? 10 : 12;
  if (major < 1 || major > 3 || bytes.size() < headerStart)
    return fail(path, "unsupported .npy version " + llvm::Twine(int(major)));
  uint32_t headerLength =
      static_cast<uint8_t>(bytes[8]) | static_cast<uint8_t>(bytes[9]) << 8;
  if (major > 1)
    headerLength |=
        static_cast<uint32_t>(static_cast<uint8_t>(bytes[10])) << 16 |
        static_cast<uint32_t>(static_cast<uint8_t>(bytes[11])) << 24;
  if (bytes.size() < headerStart + headerLength)
    return fail(path, "truncated .npy header");
  StringRef header = bytes.substr(headerStart, headerLength);

  auto descr = headerValue(header, "descr");
  auto fortran = headerValue(header, "fortran_order");
  auto shape = headerValue(header, "shape");
  if (!descr || !fortran || !shape)
    return fail(path, "malformed .npy header: " + header);
  StringRef type = descr->trim("'\"");
  if (type.size() < 3 || (type[0] != '<' && type[0] != '|'))
    return fail(path, "unsupported dtype '" + type +
                          "' (only little-endian numeric types)");
  HostTensor tensor;
  tensor.dtype = type.drop_front().str();
  if (!llvm::is_contained({"f2", "f4", "f8", "i1", "i2", "i4", "i8", "u1", "u2",
                           "u4", "u8", "b1"},
                          tensor.dtype))
    return fail(path, "unsupported dtype '" + type + "'");
  if (*fortran != "False")
    return fail(path, "Fortran-ordered arrays are not supported; save with "
                      "np.ascontiguousarray");
  llvm::SmallVector<StringRef> dims;
  shape->trim("()").split(dims, ',', -1, /*KeepEmpty=*/false);
  for (StringRef dim : dims) {
    int64_t size;
    if (dim.trim().getAsInteger(10, size) || size < 0)
      return fail(path, "malformed shape " + *shape);
    tensor.shape.push_back(size);
  }
  std::optional<uint64_t> expected = byteSize(tensor);
  if (!expected)
    return fail(path, "shape " + *shape + " is too large");
  StringRef payload = bytes.drop_front(headerStart + headerLength);
  if (payload.size() != *expected)
    return fail(path, "holds " + llvm::Twine(payload.size()) +
                          " data bytes, but its shape needs " +
                          llvm::Twine(*expected));
  tensor.data.assign(payload.begin(), payload.end());
  return tensor;
}

/// Copies a repeated proto field of `From` values into `To` elements.
template <typename To, typename Field>
static void copyField(const Field &field, std::vector<char> &data) {
  data.resize(field.size() * sizeof(To));
  for (int i = 0; i < field.size(); ++i) {
    To value = static_cast<To>(field.Get(i));
    std::memcpy(data.data() + i * sizeof(To), &value, sizeof(To));
  }
}

static llvm::Expected<HostTensor> readTensorProto(StringRef path,
                                                  StringRef bytes) {
  onnx::TensorProto proto;
  if (!proto.ParseFromArray(bytes.data(), bytes.size()))
    return fail(path, "not a valid onnx.TensorProto (protobuf parse failed)");
  HostTensor tensor;
  for (int64_t d : proto.dims())
    tensor.shape.push_back(d);
  using TP = onnx::TensorProto;
  switch (proto.data_type()) {
  case TP::FLOAT:
    tensor.dtype = "f4";
    copyField<float>(proto.float_data(), tensor.data);
    break;
  case TP::DOUBLE:
    tensor.dtype = "f8";
    copyField<double>(proto.double_data(), tensor.data);
    break;
  case TP::INT64:
    tensor.dtype = "i8";
    copyField<int64_t>(proto.int64_data(), tensor.data);
    break;
  case TP::INT32:
    tensor.dtype = "i4";
    copyField<int32_t>(proto.int32_data(), tensor.data);
    break;
  case TP::INT16:
    tensor.dtype = "i2";
    copyField<int16_t>(proto.int32_data(), tensor.data);
    break;
  case TP::INT8:
    tensor.dtype = "i1";
    copyField<int8_t>(proto.int32_data(), tensor.data);
    break;
  case TP::UINT8:
    tensor.dtype = "u1";
    copyField<uint8_t>(proto.int32_data(), tensor.data);
    break;
  case TP::UINT16:
    tensor.dtype = "u2";
    copyField<uint16_t>(proto.int32_data(), tensor.data);
    break;
  // uint32 and uint64 values live in uint64_data.
  case TP::UINT32:
    tensor.dtype = "u4";
    copyField<uint32_t>(proto.uint64_data(), tensor.data);
    break;
  case TP::UINT64:
    tensor.dtype = "u8";
    copyField<uint64_t>(proto.uint64_data(), tensor.data);
    break;
  // bfloat16 values are their bits in int32_data; .npy has no bfloat16, so
  // they stay uint16 (as onnx.numpy_helper reads them).
  case TP::BFLOAT16:
    tensor.dtype = "u2";
    copyField<uint16_t>(proto.int32_data(), tensor.data);
    break;
  // float16 values are their IEEE binary16 bits in int32_data.
  case TP::FLOAT16:
    tensor.dtype = "f2";
    copyField<uint16_t>(proto.int32_data(), tensor.data);
    break;
  case TP::BOOL:
    tensor.dtype = "b1";
    copyField<uint8_t>(proto.int32_data(), tensor.data);
    break;
  default:
    return fail(path, "unsupported TensorProto data type " +
                          llvm::Twine(proto.data_type()));
  }
  if (proto.has_raw_data())
    tensor.data.assign(proto.raw_data().begin(), proto.raw_data().end());
  std::optional<uint64_t> expected = byteSize(tensor);
  if (!expected)
    return fail(path, "has negative or too large dims");
  if (tensor.data.size() != *expected)
    return fail(path, "holds " + llvm::Twine(tensor.data.size()) +
                          " data bytes, but its dims need " +
                          llvm::Twine(*expected));
  return tensor;
}

llvm::Expected<HostTensor> readTensorFile(StringRef path) {
  auto buffer = llvm::MemoryBuffer::getFile(path, /*IsText=*/false);
  if (!buffer)
    return fail(path, buffer.getError().message());
  StringRef bytes = (*buffer)->getBuffer();
  if (path.ends_with(".npy"))
    return readNpy(path, bytes);
  return readTensorProto(path, bytes);
}

llvm::Error writeNpy(StringRef path, const HostTensor &tensor) {
  std::string shape = "(";
  for (int64_t d : tensor.shape)
    shape += std::to_string(d) + ",";
  if (tensor.shape.size() > 1)
    shape.pop_back();
  shape += ")";
  std::string prefix =
      tensor.dtype == "b1" || tensor.dtype[1] == '1' ? "|" : "<";
  std::string header = "{'descr': '" + prefix + tensor.dtype +
                       "', 'fortran_order': False, 'shape': " + shape + ", }";
  // The header is padded with spaces so the data starts 64-byte aligned.
  size_t total = llvm::alignTo(10 + header.size() + 1, 64);
  header.append(total - 10 - header.size() - 1, ' ');
  header += '\n';
  std::error_code ec;
  llvm::raw_fd_ostream os(path, ec, llvm::sys::fs::OF_None);
  if (ec)
    return fail(path, ec.message());
  os << "\x93NUMPY" << char(1) << char(0) << char(header.size() & 0xff)
     << char(header.size() >> 8) << header;
  os.write(tensor.data.data(), tensor.data.size());
  return llvm::Error::success();
}

} // namespace muon
