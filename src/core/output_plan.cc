#include "core/output_plan.h"

#include <filesystem>

#include "core/file_util.h"

namespace tint {
namespace fs = std::filesystem;

std::string EnclosingPatchDatabase(const std::string& path) {
  std::error_code ec;
  for (fs::path p = fs::path(ResolvedPath(path)); !p.empty(); p = p.parent_path()) {
    if (fs::is_regular_file(p / "manifest.json", ec) && fs::is_directory(p / "patches", ec))
      return p.string();
    if (p == p.root_path()) break;
  }
  return "";
}

void OutputPlan::AddInput(const std::string& path, const std::string& what) {
  inputs_.emplace(FileIdentity(path), what);
}

void OutputPlan::AddInputFolder(const std::string& path, const std::string& what) {
  if (!path.empty()) folders_.emplace_back(path, what);
}

Status OutputPlan::CheckPlace(const std::string& path, const std::string& what) const {
  for (const auto& [folder, folder_what] : folders_) {
    if (IsInsideFolder(path, folder))
      return Status::Error(what + " (" + path + ") lies inside " + folder_what + " " + folder +
                           ", which tint only reads; write it elsewhere");
  }
  const std::string db = EnclosingPatchDatabase(path);
  if (!db.empty())
    return Status::Error(what + " (" + path + ") lies inside the patch database " + db +
                         "; write it elsewhere");
  return Status::Ok();
}

Status OutputPlan::AddOutputFile(const std::string& path, const std::string& what) {
  if (path.empty()) return Status::Error(what + ": the file name is empty");
  const std::string id = FileIdentity(path);
  if (const auto in = inputs_.find(id); in != inputs_.end()) {
    return Status::Error(what + " would overwrite " + in->second + " (" + path +
                         "); choose another output name");
  }
  std::error_code ec;
  const fs::file_status st = fs::symlink_status(path, ec);
  if (st.type() == fs::file_type::symlink)
    return Status::Error(what + " (" + path + ") is a symbolic link; tint does not replace it");
  if (st.type() == fs::file_type::directory)
    return Status::Error(what + " (" + path + ") is a folder, not a file");
  if (st.type() != fs::file_type::not_found && st.type() != fs::file_type::regular) {
    return Status::Error(what + " (" + path +
                         ") is not a regular file (a FIFO, device or socket); tint does not "
                         "replace it");
  }
  // A file in an output folder planned before may wait for the folder.
  const fs::path parent = fs::path(path).has_parent_path() ? fs::path(path).parent_path() : ".";
  if (!output_folders_.count(ResolvedPath(parent.string())))
    TINT_RETURN_IF_ERROR(PrefixError(what + ": ", CheckOutputFile(path)));
  TINT_RETURN_IF_ERROR(CheckPlace(path, what));
  if (const auto [earlier, fresh] = outputs_.emplace(id, what); !fresh) {
    return Status::Error(what + " and " + earlier->second + " are both " + path +
                         "; give the inputs different names or use separate runs");
  }
  return Status::Ok();
}

Status OutputPlan::AddOutputFolder(const std::string& path, const std::string& what) {
  if (path.empty()) return Status::Error(what + ": the folder name is empty");
  std::error_code ec;
  const fs::file_status st = fs::symlink_status(path, ec);
  if (st.type() != fs::file_type::not_found && !fs::is_directory(path, ec))
    return Status::Error(what + " (" + path + ") exists and is not a folder");
  TINT_RETURN_IF_ERROR(CheckPlace(path, what));  // also refuses an input folder itself
  if (const auto in = inputs_.find(FileIdentity(path)); in != inputs_.end())
    return Status::Error(what + " (" + path + ") is " + in->second + "; write elsewhere");
  output_folders_.insert(ResolvedPath(path));
  return Status::Ok();
}

}  // namespace tint
