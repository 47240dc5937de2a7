#ifndef COPENSSLCRYPTO_SHIM_H
#define COPENSSLCRYPTO_SHIM_H
// The low-level SHA256_* calls are deprecated in OpenSSL 3 but are the fastest
// path for many small messages (no EVP dispatch); they use the CPU's SHA
// extensions just the same. Wrapped here so Swift sees no deprecation.
#define OPENSSL_SUPPRESS_DEPRECATED 1
#include <openssl/sha.h>
#include <openssl/evp.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <openssl/hmac.h>

// AES-GCM tag get/set go through EVP_CIPHER_CTX_ctrl with a macro'd command and a non-const
// pointer; wrapped so Swift calls a typed function.
static inline int cgcm_get_tag(EVP_CIPHER_CTX *c, unsigned char *tag, int n) {
    return EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, n, tag);
}
static inline int cgcm_set_tag(EVP_CIPHER_CTX *c, const unsigned char *tag, int n) {
    return EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_TAG, n, (void *)tag);
}

typedef SHA256_CTX csha256_ctx;

static inline void csha256_init(csha256_ctx *c) { SHA256_Init(c); }
static inline void csha256_update(csha256_ctx *c, const void *p, size_t n) { SHA256_Update(c, p, n); }
static inline void csha256_final(csha256_ctx *c, unsigned char *out) { SHA256_Final(out, c); }
// Not OpenSSL's one-shot SHA256(): in OpenSSL 3 it fetches the digest through EVP_Q_digest on every
// call, under a global read-write lock, which cost more than the hashing for 64-byte tree nodes.
static inline void csha256_oneshot(const void *p, size_t n, unsigned char *out) {
    SHA256_CTX c;
    SHA256_Init(&c);
    SHA256_Update(&c, p, n);
    SHA256_Final(out, &c);
}
#endif
