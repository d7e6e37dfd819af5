// Owning handles for OpenSSL objects: std::unique_ptr with the matching free
// function, so every early return releases what was allocated.
//
// Internal to lib/crypto; nothing outside this folder needs OpenSSL types.
#pragma once

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <memory>

namespace th::crypto {

template <typename T, void (*Free)(T*)>
struct OpenSslDeleter {
  void operator()(T* object) const { Free(object); }
};

template <typename T, void (*Free)(T*)>
using OpenSslHandle = std::unique_ptr<T, OpenSslDeleter<T, Free>>;

// BIO_free returns int, so it gets a void-returning wrapper.
inline void free_bio(BIO* bio) {
  BIO_free(bio);
}

using Asn1IntegerHandle = OpenSslHandle<ASN1_INTEGER, ASN1_INTEGER_free>;
using BigNumHandle = OpenSslHandle<BIGNUM, BN_free>;
using BioHandle = OpenSslHandle<BIO, free_bio>;
using EvpPkeyHandle = OpenSslHandle<EVP_PKEY, EVP_PKEY_free>;
using GeneralNameHandle = OpenSslHandle<GENERAL_NAME, GENERAL_NAME_free>;
using GeneralNamesHandle = OpenSslHandle<GENERAL_NAMES, GENERAL_NAMES_free>;
using X509ExtensionHandle = OpenSslHandle<X509_EXTENSION, X509_EXTENSION_free>;
using X509Handle = OpenSslHandle<X509, X509_free>;
using X509NameHandle = OpenSslHandle<X509_NAME, X509_NAME_free>;

}  // namespace th::crypto
