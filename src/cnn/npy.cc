#include "cnn/npy.h"

#include <cstring>
#include <limits>

#include "core/file_util.h"

namespace tint {
namespace {

// The value of `key` in the header dict, as raw text up to the next
// top-level comma or closing brace.
bool HeaderValue(const std::string& header, const std::string& key, std::string* value) {
  size_t k = header.find("'" + key + "'");
  if (k == std::string::npos) return false;
  size_t colon = header.find(':', k);
  if (colon == std::string::npos) return false;
  size_t i = colon + 1;
  while (i < header.size() && header[i] == ' ') ++i;
  size_t end = i;
  int depth = 0;
  for (; end < header.size(); ++end) {
    char c = header[end];
    if (c == '(') ++depth;
    if (c == ')') --depth;
    if (depth == 0 && (c == ',' || c == '}')) break;
  }
  if (header[i] == '(' && end < header.size()) end = header.find(')', i) + 1;
  *value = header.substr(i, end - i);
  return true;
}

}  // namespace

Status ParseNpy(const std::string& name, const std::vector<uint8_t>& bytes, cv::Mat* array) {
  const auto bad = [&](const std::string& why) {
    return Status::Error(name + ": not a usable .npy file (" + why + ")");
  };
  static const char kMagic[] = "\x93NUMPY";
  if (bytes.size() < 10 || std::memcmp(bytes.data(), kMagic, 6) != 0) return bad("no NUMPY magic");
  uint8_t major = bytes[6];
  size_t header_len = 0, offset = 0;
  if (major == 1) {
    header_len = bytes[8] | (bytes[9] << 8);
    offset = 10;
  } else if (major == 2 || major == 3) {
    if (bytes.size() < 12) return bad("truncated header");
    header_len =
        bytes[8] | (bytes[9] << 8) | (bytes[10] << 16) | (static_cast<size_t>(bytes[11]) << 24);
    offset = 12;
  } else {
    return bad("format version " + std::to_string(major));
  }
  if (header_len > bytes.size() - offset) return bad("truncated header");
  std::string header(reinterpret_cast<const char*>(bytes.data() + offset), header_len);
  offset += header_len;

  std::string descr, order, shape_text;
  if (!HeaderValue(header, "descr", &descr) || !HeaderValue(header, "fortran_order", &order) ||
      !HeaderValue(header, "shape", &shape_text)) {
    return bad("header lacks descr, fortran_order or shape");
  }
  const bool fortran = order.rfind("True", 0) == 0;
  if (!fortran && order.rfind("False", 0) != 0) return bad("fortran_order " + order);
  int type_size = 0;
  char kind = 0;
  if (descr == "'<f4'")
    kind = 'f', type_size = 4;
  else if (descr == "'<f8'")
    kind = 'f', type_size = 8;
  else if (descr == "'<i4'")
    kind = 'i', type_size = 4;
  else if (descr == "'<i8'")
    kind = 'i', type_size = 8;
  else
    return bad("dtype " + descr + "; expected <f4, <f8, <i4 or <i8");

  std::vector<int> shape;
  size_t count = 1;
  {
    std::string digits;
    for (size_t i = 0; i <= shape_text.size(); ++i) {
      char c = i < shape_text.size() ? shape_text[i] : ',';
      if (c >= '0' && c <= '9') {
        digits += c;
      } else if (c == ',' || c == ')') {
        if (!digits.empty()) {
          if (digits.size() > 9) return bad("dimension too large");
          int d = std::stoi(digits);
          if (d <= 0) return bad("empty dimension");
          shape.push_back(d);
          if (count > std::numeric_limits<int>::max() / static_cast<size_t>(d))
            return bad("too many elements");
          count *= d;
          digits.clear();
        }
      } else if (c != '(' && c != ' ') {
        return bad("bad shape " + shape_text);
      }
    }
  }
  if (shape.empty() || shape.size() > 6) return bad("shape " + shape_text);
  if ((bytes.size() - offset) / type_size < count) return bad("truncated data");

  if (shape.size() == 1) shape.insert(shape.begin(), 1);
  if (fortran && shape.size() > 2)
    return bad("Fortran order is supported for 1-D and 2-D arrays only");
  if (fortran)
    std::swap(shape[0], shape[1]);  // column-major (r, c) = row-major (c, r), transposed below
  cv::Mat out(static_cast<int>(shape.size()), shape.data(), CV_32F);
  float* dst = out.ptr<float>();
  const uint8_t* src = bytes.data() + offset;
  for (size_t i = 0; i < count; ++i, src += type_size) {
    if (kind == 'f' && type_size == 4) {
      float v;
      std::memcpy(&v, src, 4);
      dst[i] = v;
    } else if (kind == 'f') {
      double v;
      std::memcpy(&v, src, 8);
      dst[i] = static_cast<float>(v);
    } else if (type_size == 4) {
      int32_t v;
      std::memcpy(&v, src, 4);
      dst[i] = static_cast<float>(v);
    } else {
      int64_t v;
      std::memcpy(&v, src, 8);
      dst[i] = static_cast<float>(v);
    }
  }
  *array = fortran ? cv::Mat(out.t()) : out;
  return Status::Ok();
}

Status WriteNpy(const std::string& path, const cv::Mat& matrix) {
  TINT_CHECK(matrix.dims == 2 && matrix.type() == CV_32F, "WriteNpy takes a 2-D CV_32F matrix");
  std::string header = "{'descr': '<f4', 'fortran_order': False, 'shape': (" +
                       std::to_string(matrix.rows) + ", " + std::to_string(matrix.cols) + "), }";
  while ((10 + header.size() + 1) % 64 != 0) header += ' ';
  header += '\n';
  std::string out = std::string("\x93NUMPY\x01\x00", 8);
  out += static_cast<char>(header.size() & 0xff);
  out += static_cast<char>(header.size() >> 8);
  out += header;
  cv::Mat m = matrix.isContinuous() ? matrix : matrix.clone();
  out.append(reinterpret_cast<const char*>(m.ptr<float>()), m.total() * sizeof(float));
  return WriteFileAtomic(path, out);
}

Status ReadNpy(const std::string& path, cv::Mat* array) {
  std::vector<uint8_t> bytes;
  TINT_RETURN_IF_ERROR(ReadFileBytes(path, &bytes));
  return ParseNpy(path, bytes, array);
}

}  // namespace tint
