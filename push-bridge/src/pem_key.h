// Checks that a PEM text holds a private key of the kind a provider needs,
// before libjwt is asked to sign with it.
#pragma once

#include <string>
#include <string_view>

namespace chat::push {

// "RSA", "EC P-256", another algorithm's name (e.g. "EC secp384r1",
// "ED25519"), or "" when `pem` holds no private key OpenSSL can read.
std::string PrivateKeyKind(std::string_view pem);

}  // namespace chat::push
