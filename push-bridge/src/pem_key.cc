// PrivateKeyKind on OpenSSL 3's EVP API.
#include "pem_key.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <memory>

namespace chat::push {

namespace {

struct BioDeleter {
  void operator()(BIO* bio) const { BIO_free(bio); }
};
struct PkeyDeleter {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};

}  // namespace

std::string PrivateKeyKind(std::string_view pem) {
  std::unique_ptr<BIO, BioDeleter> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (!bio) return "";
  // An encrypted key is refused rather than prompting for a passphrase on the terminal.
  auto no_passphrase = [](char*, int, int, void*) { return 0; };
  std::unique_ptr<EVP_PKEY, PkeyDeleter> key(
      PEM_read_bio_PrivateKey(bio.get(), nullptr, no_passphrase, nullptr));
  if (!key) {
    ERR_clear_error();
    return "";
  }
  if (EVP_PKEY_is_a(key.get(), "RSA")) return "RSA";
  if (EVP_PKEY_is_a(key.get(), "EC")) {
    char group[80] = {};
    size_t length = 0;
    if (EVP_PKEY_get_group_name(key.get(), group, sizeof(group), &length) != 1) return "EC";
    std::string name(group, length);
    return name == "prime256v1" || name == "P-256" ? "EC P-256" : "EC " + name;
  }
  const char* name = EVP_PKEY_get0_type_name(key.get());
  return name ? name : "unknown";
}

}  // namespace chat::push
