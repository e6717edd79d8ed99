// Keys for the push tests, generated at test time (never committed): RSA for
// the FCM service account, EC P-256 for APNs; files in a temporary directory.
#pragma once

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

namespace chat::push::testing {

struct KeyPair {
  std::string private_pem;  // PKCS#8
  std::string public_pem;   // SubjectPublicKeyInfo
};

inline std::string ReadBio(BIO* bio) {
  char* data = nullptr;
  long size = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<size_t>(size));
}

inline KeyPair PemsOf(EVP_PKEY* key) {
  KeyPair pair;
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_PrivateKey(bio, key, nullptr, nullptr, 0, nullptr, nullptr);
  pair.private_pem = ReadBio(bio);
  BIO_free(bio);
  bio = BIO_new(BIO_s_mem());
  PEM_write_bio_PUBKEY(bio, key);
  pair.public_pem = ReadBio(bio);
  BIO_free(bio);
  EVP_PKEY_free(key);
  return pair;
}

inline KeyPair GenerateRsaKey() { return PemsOf(EVP_RSA_gen(2048)); }
inline KeyPair GenerateEcKey(const char* curve = "P-256") { return PemsOf(EVP_EC_gen(curve)); }

// A fresh temporary directory, removed at the end.
class TempDir {
 public:
  TempDir() {
    char dir[] = "/tmp/chat-push-test-XXXXXX";
    if (!::mkdtemp(dir)) std::abort();
    dir_ = dir;
  }
  ~TempDir() { std::filesystem::remove_all(dir_); }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return dir_; }
  // Writes `content` to `name` in the directory; returns its path.
  std::string Write(const std::string& name, const std::string& content) const {
    std::string file = dir_ + "/" + name;
    std::ofstream(file) << content;
    return file;
  }

 private:
  std::string dir_;
};

}  // namespace chat::push::testing
