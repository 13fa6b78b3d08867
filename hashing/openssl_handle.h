// RAII for OpenSSL objects: every handle the project holds is one of these.
#pragma once

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include <memory>

namespace sigmount {

template <auto FreeFn>
struct OpenSslDeleter {
  template <class T>
  void operator()(T* p) const noexcept {
    FreeFn(p);
  }
};

template <class T, auto FreeFn>
using OpenSslHandle = std::unique_ptr<T, OpenSslDeleter<FreeFn>>;

using EvpMdCtx = OpenSslHandle<EVP_MD_CTX, EVP_MD_CTX_free>;
using EvpPkey = OpenSslHandle<EVP_PKEY, EVP_PKEY_free>;
using EvpPkeyCtx = OpenSslHandle<EVP_PKEY_CTX, EVP_PKEY_CTX_free>;
using EvpMd = OpenSslHandle<EVP_MD, EVP_MD_free>;
using Bio = OpenSslHandle<BIO, BIO_free_all>;
using X509Cert = OpenSslHandle<X509, X509_free>;
using X509Store = OpenSslHandle<X509_STORE, X509_STORE_free>;
using X509StoreCtx = OpenSslHandle<X509_STORE_CTX, X509_STORE_CTX_free>;

inline void free_x509_stack(STACK_OF(X509) * s) {
  sk_X509_pop_free(s, X509_free);
}
using X509Stack = OpenSslHandle<STACK_OF(X509), free_x509_stack>;

}  // namespace sigmount
