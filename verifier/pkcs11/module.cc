#include "verifier/pkcs11/module.h"

#include <dlfcn.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <system_error>
#include <utility>

#include "verifier/errors.h"

namespace sigmount::verifier::pkcs11 {
namespace {

std::string lowercase(std::string text) {
  std::ranges::transform(text, text.begin(), [](unsigned char c) {
    return static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  });
  return text;
}

// "libsofthsm2.so" is found as module-name libsofthsm2, softhsm2 or libsofthsm2.so.
bool names_module(const std::string& file_name, const std::string& wanted) {
  const std::string name = lowercase(file_name);
  const std::string stem = name.substr(0, name.find('.'));
  return name == wanted || stem == wanted || stem == "lib" + wanted;
}

std::optional<std::filesystem::path> search_folder(const std::filesystem::path& folder,
                                                   const std::string& wanted) {
  std::error_code error;
  std::vector<std::filesystem::path> matches;
  for (const auto& entry : std::filesystem::directory_iterator(folder, error)) {
    if (names_module(entry.path().filename().string(), wanted) && entry.is_regular_file(error)) {
      matches.push_back(entry.path());
    }
  }
  if (matches.empty()) return std::nullopt;
  return *std::ranges::min_element(matches);  // the same file on every run
}

}  // namespace

std::vector<std::filesystem::path> default_module_folders() {
  return {"/usr/lib64/pkcs11", "/usr/lib/pkcs11", "/usr/lib/x86_64-linux-gnu/pkcs11",
          "/usr/lib/aarch64-linux-gnu/pkcs11"};
}

std::filesystem::path find_module(const Uri& uri,
                                  const std::vector<std::filesystem::path>& folders) {
  std::vector<std::filesystem::path> search = folders;
  if (uri.module_path) {
    const std::filesystem::path path(*uri.module_path);
    std::error_code error;
    if (std::filesystem::is_regular_file(path, error)) return path;
    if (!std::filesystem::is_directory(path, error)) {
      throw SigningError("PKCS#11 module-path " + path.string() + ": no such file or folder");
    }
    search = {path};
  }
  if (!uri.module_name) {
    throw SigningError(uri.module_path
                           ? "PKCS#11 module-path " + *uri.module_path +
                                 " is a folder: the URI needs module-name too"
                           : "the PKCS#11 URI names no module: give module-path or module-name");
  }
  const std::string wanted = lowercase(*uri.module_name);
  for (const auto& folder : search) {
    if (auto found = search_folder(folder, wanted)) return *found;
  }
  std::string folder_list;
  for (const auto& folder : search)
    folder_list += (folder_list.empty() ? "" : ", ") + folder.string();
  throw SigningError("PKCS#11 module-name " + *uri.module_name + ": not found in " + folder_list);
}

void Module::Unload::operator()(void* handle) const noexcept {
  dlclose(handle);
}

Module::Module(const std::filesystem::path& file)
    : file_(file), library_(dlopen(file.c_str(), RTLD_NOW | RTLD_LOCAL)) {
  if (!library_) {
    const char* why = dlerror();
    throw SigningError("cannot load the PKCS#11 module " + file.string() + ": " +
                       (why != nullptr ? why : "dlopen failed"));
  }
  using GetFunctionList = ck_rv_t (*)(ck_function_list**);
  auto* get_function_list =
      reinterpret_cast<GetFunctionList>(dlsym(library_.get(), "C_GetFunctionList"));
  if (get_function_list == nullptr) {
    throw SigningError(file.string() + " is no PKCS#11 module (no C_GetFunctionList)");
  }
  check(get_function_list(&functions_), *this, "C_GetFunctionList");
  if (functions_ == nullptr || functions_->C_Initialize == nullptr) {
    throw SigningError(file.string() + ": C_GetFunctionList gave no functions");
  }
  // The module may make threads of its own; it locks with the OS's primitives.
  ck_c_initialize_args arguments{};
  arguments.flags = CKF_OS_LOCKING_OK;
  const ck_rv_t rv = functions_->C_Initialize(&arguments);
  if (rv != CKR_CRYPTOKI_ALREADY_INITIALIZED) {
    check(rv, *this, "C_Initialize");
    finalize_ = true;
  }
}

Module::~Module() {
  if (finalize_) functions_->C_Finalize(nullptr);
}

std::string return_value_name(ck_rv_t rv) {
  static constexpr std::array<std::pair<ck_rv_t, const char*>, 24> kNames{{
      {CKR_OK, "CKR_OK"},
      {CKR_HOST_MEMORY, "CKR_HOST_MEMORY"},
      {CKR_SLOT_ID_INVALID, "CKR_SLOT_ID_INVALID"},
      {CKR_GENERAL_ERROR, "CKR_GENERAL_ERROR"},
      {CKR_FUNCTION_FAILED, "CKR_FUNCTION_FAILED"},
      {CKR_ARGUMENTS_BAD, "CKR_ARGUMENTS_BAD"},
      {CKR_ATTRIBUTE_TYPE_INVALID, "CKR_ATTRIBUTE_TYPE_INVALID"},
      {CKR_DEVICE_ERROR, "CKR_DEVICE_ERROR"},
      {CKR_DEVICE_REMOVED, "CKR_DEVICE_REMOVED"},
      {CKR_KEY_TYPE_INCONSISTENT, "CKR_KEY_TYPE_INCONSISTENT"},
      {CKR_KEY_FUNCTION_NOT_PERMITTED, "CKR_KEY_FUNCTION_NOT_PERMITTED"},
      {CKR_MECHANISM_INVALID, "CKR_MECHANISM_INVALID"},
      {CKR_OBJECT_HANDLE_INVALID, "CKR_OBJECT_HANDLE_INVALID"},
      {CKR_PIN_INCORRECT, "CKR_PIN_INCORRECT"},
      {CKR_PIN_LEN_RANGE, "CKR_PIN_LEN_RANGE"},
      {CKR_PIN_EXPIRED, "CKR_PIN_EXPIRED"},
      {CKR_PIN_LOCKED, "CKR_PIN_LOCKED"},
      {CKR_SESSION_HANDLE_INVALID, "CKR_SESSION_HANDLE_INVALID"},
      {CKR_TOKEN_NOT_PRESENT, "CKR_TOKEN_NOT_PRESENT"},
      {CKR_USER_NOT_LOGGED_IN, "CKR_USER_NOT_LOGGED_IN"},
      {CKR_USER_PIN_NOT_INITIALIZED, "CKR_USER_PIN_NOT_INITIALIZED"},
      {CKR_BUFFER_TOO_SMALL, "CKR_BUFFER_TOO_SMALL"},
      {CKR_CRYPTOKI_NOT_INITIALIZED, "CKR_CRYPTOKI_NOT_INITIALIZED"},
      {CKR_CRYPTOKI_ALREADY_INITIALIZED, "CKR_CRYPTOKI_ALREADY_INITIALIZED"},
  }};
  for (const auto& [value, name] : kNames) {
    if (value == rv) return name;
  }
  std::array<char, 32> hex{};
  std::snprintf(hex.data(), hex.size(), "CKR 0x%08lx", static_cast<unsigned long>(rv));
  return hex.data();
}

void check(ck_rv_t rv, const Module& module, const std::string& what) {
  if (rv != CKR_OK) {
    throw SigningError("PKCS#11 " + what + " failed (" + module.file().string() +
                       "): " + return_value_name(rv));
  }
}

}  // namespace sigmount::verifier::pkcs11
