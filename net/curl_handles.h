// RAII owners of libcurl handles.
#pragma once

#include <curl/curl.h>

#include <memory>

namespace sigmount::net {

struct CurlEasyDeleter {
  void operator()(CURL* handle) const { curl_easy_cleanup(handle); }
};
struct CurlUrlDeleter {
  void operator()(CURLU* handle) const { curl_url_cleanup(handle); }
};
struct CurlHeaderListDeleter {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};

using CurlEasy = std::unique_ptr<CURL, CurlEasyDeleter>;
using CurlUrl = std::unique_ptr<CURLU, CurlUrlDeleter>;
// curl_slist_append returns the (possibly same) head: release() then reset() to extend.
using CurlHeaderList = std::unique_ptr<curl_slist, CurlHeaderListDeleter>;

}  // namespace sigmount::net
