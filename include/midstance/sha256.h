#pragma once
// SHA-256 of a file (FIPS 180-4, through OpenSSL's libcrypto), hex, for recording inputs.
#include <string>

namespace midstance {

// Throws FileFormatError when the file cannot be read.
std::string FileSha256(const std::string& path);

}  // namespace midstance
