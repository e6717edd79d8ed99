// NewJwt and SignJwt on libjwt 1.10.
#include "jwt_handle.h"

#include <cstdlib>
#include <new>

namespace chat::push {

JwtHandle NewJwt() {
  jwt_t* raw = nullptr;
  if (jwt_new(&raw) != 0) throw std::bad_alloc();
  return JwtHandle(raw);
}

StatusOr<std::string> SignJwt(const JwtHandle& jwt, jwt_alg_t alg, const std::string& pem_key) {
  const auto* key = reinterpret_cast<const unsigned char*>(pem_key.data());
  if (jwt_set_alg(jwt.get(), alg, key, static_cast<int>(pem_key.size())) != 0) {
    return Status::Failed(std::string("cannot sign a JWT with ") + jwt_alg_str(alg));
  }
  char* encoded = jwt_encode_str(jwt.get());  // malloc'd by libjwt
  if (!encoded)
    return Status::Failed(std::string("libjwt failed to sign with ") + jwt_alg_str(alg));
  std::string token(encoded);
  free(encoded);
  return token;
}

}  // namespace chat::push
