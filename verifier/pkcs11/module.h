// A PKCS#11 module (a token's driver, a shared library) loaded at run time: found from the
// URI's module-path / module-name, dlopen()ed, C_Initialize()d, and finalized and unloaded
// when the last user lets go. Only token_key.cc uses the raw function list.
#pragma once

#define CRYPTOKI_GNU 1
#include <p11-kit/pkcs11.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "verifier/pkcs11/uri.h"

namespace sigmount::verifier::pkcs11 {

// Where module-name is looked for when the URI gives no module-path folder: model_signing's
// folders, then Debian's multiarch ones.
std::vector<std::filesystem::path> default_module_folders();

// The module file the URI names. Throws SigningError when it names none, or none is found.
std::filesystem::path find_module(const Uri& uri,
                                  const std::vector<std::filesystem::path>& folders);

class Module {
 public:
  // Throws SigningError (naming the file and dlerror() or the CKR_ code).
  explicit Module(const std::filesystem::path& file);
  Module(const Module&) = delete;
  Module& operator=(const Module&) = delete;
  ~Module();

  const ck_function_list& api() const { return *functions_; }
  const std::filesystem::path& file() const { return file_; }

 private:
  struct Unload {
    void operator()(void* handle) const noexcept;
  };
  std::filesystem::path file_;
  std::unique_ptr<void, Unload> library_;
  ck_function_list* functions_ = nullptr;
  // False when another part of this process had initialized the module first: then it is
  // that part's to finalize.
  bool finalize_ = false;
};

// "CKR_PIN_INCORRECT" for the codes a user may meet, hex otherwise.
std::string return_value_name(ck_rv_t rv);

// Throws SigningError "<what>: <module file>: <CKR_...>" unless rv is CKR_OK.
void check(ck_rv_t rv, const Module& module, const std::string& what);

}  // namespace sigmount::verifier::pkcs11
